"""Which reader a file needs, from its content (the name only helps say what is wrong)."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from ifm.banking.statements.checks import refuse

OFX, CAMT, CSV, XLSX = "ofx", "camt", "csv", "xlsx"

_OFX_MARKS = re.compile(rb"OFXHEADER|<\s*OFX\s*>|<\?\s*OFX", re.I)
_CAMT_MARKS = re.compile(rb"camt\.05\d|BkToCstmr|<(?:\w+:)?Document[\s>]")
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file: save it as .xlsx or CSV",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"{\\rtf": "an RTF document",
}
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _not_ours(what: str) -> Exception:
    return refuse(
        f"This is not a bank statement file we can read: {what}. Export the statement from "
        "online banking as OFX/QFX, CAMT.053 (XML), CSV or XLSX.",
        field="file",
    )


def _text_head(data: bytes) -> bytes:
    """The first bytes as ASCII-compatible bytes (UTF-16 files without their NUL bytes)."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8)


def detect_format(data: bytes, filename: str = "") -> str:
    """The reader a file needs: "ofx", "camt", "csv" or "xlsx"; StatementError otherwise."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise refuse("The file is empty.", field="file")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise _not_ours(what)
    head = _text_head(data)
    if _OFX_MARKS.search(head):
        return OFX
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        if _CAMT_MARKS.search(head):
            return CAMT
        raise _not_ours("an XML or HTML file that is neither OFX nor a camt.053 statement")
    if _CONTROL.search(head):
        raise _not_ours("it holds binary data")
    if filename.lower().endswith((".pdf", ".xls", ".doc", ".docx", ".ods", ".numbers")):
        raise _not_ours(f"a {filename.rsplit('.', 1)[-1]} file")
    return CSV


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_ours("a damaged zip archive") from None
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if "content.xml" in names:
        raise _not_ours("an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV")
    raise _not_ours("a zip archive: unpack it and import the statement inside")
