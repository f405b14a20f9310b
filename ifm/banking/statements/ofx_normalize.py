"""What banks get wrong in OFX files, put right before ofxtools parses them.

ofxtools' parser reads well-formed OFX 1 (SGML) and OFX 2 (XML); real files bend the rules.
`normalize(data)` returns the file's OFX body as canonical SGML (upper-case tags, data elements
without end tags, every aggregate closed) that ofxtools' `TreeBuilder` reads as it is. The
quirks handled, each named where it is handled and covered by a test:

- HEADER_SPACING: blank lines before the header, spaces around `:` or `=`, lower-case header
  names, headers and body on one line (`_header`).
- ENCODING: a UTF-8 or UTF-16 byte-order mark, `CHARSET:1252` / `ISO-8859-1` / `NONE`, an XML
  declaration's `encoding`, and files that are not in the encoding they declare: UTF-8 when
  the bytes are valid UTF-8 (whatever the header says), else the declared codec, then cp1252,
  then Latin-1, which reads any byte (`_decode`).
- NO_HEADER: a file that starts at `<OFX>` (some exports drop the header).
- JUNK_AFTER_END: anything after `</OFX>` (trailing NULs, a second copy, HTML) is dropped.
- TRUNCATED: a file that stops before `</OFX>` is refused: it is incomplete.
- CDATA: `<![CDATA[...]]>` values, whose text may hold `<` and `&` (`_cdata`).
- COMMENTS: `<!-- ... -->` inside the body.
- LOWERCASE_TAGS: `<stmttrn>` is `<STMTTRN>`.
- EMPTY_ELEMENTS: `<MEMO></MEMO>`, `<NAME>` followed by the next tag, `<BALAMT/>`: the element
  is dropped (it says nothing), instead of becoming a bogus aggregate that swallows its siblings.
- MISSING_END_TAGS: `<STMTTRN>` opened while the previous one is still open, or `</BANKTRANLIST>`
  reached with a `<STMTTRN>` open: the open aggregates are closed.
- STRAY_END_TAGS: `</NAME>` in SGML, or an end tag for nothing open, is dropped; so is text
  after an end tag.
- LITERAL_LT: a `<` in a value that starts no tag (`<NAME>A<B CORP`) is kept as text.

Values (`amount`, `day`) have their own quirks, also named:

- COMMA_DECIMAL `12,50`, PLUS_SIGN `+115.83`, LEADING_ZEROS `-00000000001500.0000`, THOUSANDS
  `1,234.56` or `1.234,56` (the last separator is the decimal point).
- DATE_FORMS: `YYYYMMDD`, with a time `YYYYMMDDHHMMSS`, milliseconds `.XXX`, a time zone
  `[-5:EST]`, `[+10:EST]`, `[-3:GMT]`, `[0]`, odd separators (`20180804093914:014`), and
  `YYYY-MM-DD`. The date is the day as the bank wrote it: the time and zone are ignored, so a
  line posted at midnight in Sydney (`[+10:EST]`) stays on its day instead of moving to the day
  before as it would in UTC.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from xml.sax.saxutils import escape

import ofxtools.models
from ofxtools.models.base import Aggregate

from ifm.banking.statements.checks import refuse

_V1_HEADER = re.compile(r"OFXHEADER\s*:\s*\d+", re.I)
_V1_FIELD = re.compile(r"([A-Za-z]+)\s*:\s*([^\s<]*)")
_V2_DECL = re.compile(r"<\?OFX\b([^>]*)\?>", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.-]+)[\"']", re.I)
_OFX_START = re.compile(r"<\s*OFX\s*>", re.I)
_OFX_END = re.compile(r"<\s*/\s*OFX\s*>", re.I)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# A tag and the text after it up to the next tag; a "<" that starts no tag is text (LITERAL_LT).
_TOKEN = re.compile(
    r"<(/?)\s*([A-Za-z0-9._]+)\s*(/?)>([^<]*(?:<(?!/?\s*[A-Za-z0-9._]+\s*/?>)[^<]*)*)"
)
_END_TAGS = re.compile(r"<\s*/\s*([A-Za-z0-9._]+)\s*>")
_STMTTRN = re.compile(r"<\s*STMTTRN\s*>", re.I)
_DATE = re.compile(r"\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]?[\d:.]*)?(?:\s*\[[^\]]*\])?\s*")
_AMOUNT = re.compile(r"[+-]?\d+(\.\d+)?")

_CHARSETS = {
    "1252": "cp1252",
    "WINDOWS-1252": "cp1252",
    "ISO-8859-1": "latin-1",
    "8859-1": "latin-1",
    "LATIN1": "latin-1",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
}


@dataclass(frozen=True)
class NormalizedOfx:
    body: str  # canonical SGML from <OFX> to </OFX>, for ofxtools.Parser.TreeBuilder
    version: int  # 1 (SGML header) or 2 (XML header); 0 when the file has no header
    header: dict[str, str]
    transaction_lines: list[int]  # the file's line number of each <STMTTRN>, in order


@cache
def aggregate_tags() -> frozenset[str]:
    """Every aggregate ofxtools' models know (STMTRS, STMTTRN, BANKACCTFROM, ...)."""
    names = set()
    for name in dir(ofxtools.models):
        model = getattr(ofxtools.models, name)
        if name.isupper() and isinstance(model, type) and issubclass(model, Aggregate):
            names.add(name)
    return frozenset(names)


@cache
def element_tags() -> frozenset[str]:
    """Every data element ofxtools' models know (TRNAMT, NAME, MEMO, ...)."""
    names: set[str] = set()
    for name in aggregate_tags():
        names.update(key.upper() for key in getattr(ofxtools.models, name).elements)
    return frozenset(names - aggregate_tags())


def normalize(data: bytes) -> NormalizedOfx:
    text, version, header = _decode(data)
    start = _OFX_START.search(text)
    if start is None:
        raise refuse("The file has no <OFX> element: it is not an OFX statement.", field="OFX")
    ends = list(_OFX_END.finditer(text, start.end()))
    if not ends:
        line = text.count("\n") + 1
        raise refuse(
            f"The file stops at line {line} before </OFX>: it is incomplete (truncated). "
            "Download the statement again.",
            field="OFX",
        )
    body = text[start.start() : ends[0].end()]  # JUNK_AFTER_END
    first_line = text.count("\n", 0, start.start()) + 1
    if "<![" in body:
        body = _CDATA.sub(_cdata, body)
    if "<!--" in body:
        body = _COMMENT.sub(lambda m: "\n" * m[0].count("\n"), body)
    lines = _transaction_lines(body, first_line)
    return NormalizedOfx(
        body=_canonical(body), version=version, header=header, transaction_lines=lines
    )


def _cdata(match: re.Match[str]) -> str:
    return escape(match[1])


def _transaction_lines(body: str, first_line: int) -> list[int]:
    lines, line, last = [], first_line, 0
    for match in _STMTTRN.finditer(body):
        line += body.count("\n", last, match.start())
        last = match.start()
        lines.append(line)
    return lines


# --- header and encoding --------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, int, dict[str, str]]:
    """The file as text, its OFX version and its header fields."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _header(data.decode("utf-16", errors="replace"))
    data = data.removeprefix(codecs.BOM_UTF8)
    head = data[:4096].decode("latin-1")
    declared = ""
    xml_encoding = _XML_ENCODING.search(data[:1024])
    if xml_encoding:
        declared = xml_encoding[1].decode("ascii")
    else:
        fields = _v1_fields(head)
        charset = fields.get("CHARSET", "").upper()
        declared = "utf-8" if fields.get("ENCODING", "").upper() == "UTF-8" else ""
        declared = _CHARSETS.get(charset, declared)
    text = _decoded(data, declared)
    return _header(text)


def _decoded(data: bytes, declared: str) -> str:
    # Valid UTF-8 with accents is practically never cp1252 text: banks that declare
    # CHARSET:1252 and write UTF-8 are read right, and ASCII reads the same either way.
    for encoding in ("utf-8", declared, "cp1252"):
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _v1_fields(head: str) -> dict[str, str]:
    before_body = head.split("<", 1)[0]
    return {key.upper(): value for key, value in _V1_FIELD.findall(before_body)}


def _header(text: str) -> tuple[str, int, dict[str, str]]:
    text = text.lstrip("\ufeff")
    declaration = _V2_DECL.search(text[:4096])
    if declaration:
        pairs = re.findall(r"([A-Za-z]+)\s*=\s*[\"']([^\"']*)[\"']", declaration[1])
        return text, 2, {key.upper(): value for key, value in pairs}
    if _V1_HEADER.search(text[:4096]):
        return text, 1, _v1_fields(text[:4096])
    return text, 0, {}


# --- body -----------------------------------------------------------------------------------------


class _EndTags:
    """The names of the file's end tags, looked for only when an unknown tag needs them: an
    unknown tag without a value is an aggregate if the file closes it somewhere."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.names: set[str] | None = None

    def __contains__(self, name: str) -> bool:
        if self.names is None:
            self.names = {found.upper() for found in _END_TAGS.findall(self.body)}
        return name in self.names


def _canonical(body: str) -> str:
    """The body as canonical SGML, read tag by tag (with the text after each)."""
    aggregates = aggregate_tags()
    elements = element_tags()
    closed = _EndTags(body)
    out: list[str] = []
    stack: list[str] = []
    for slash, raw_name, self_closing, text in _TOKEN.findall(body):
        name = raw_name.upper()  # LOWERCASE_TAGS
        if slash:
            if name in stack:  # MISSING_END_TAGS of the aggregates still open inside it
                while True:
                    top = stack.pop()
                    out.append(f"</{top}>")
                    if top == name:
                        break
            continue  # STRAY_END_TAGS, and text after an end tag
        value = text.strip()
        if value and name not in aggregates and not self_closing:
            if "<" in value:  # LITERAL_LT
                value = value.replace("<", "&lt;")
            out.append(f"<{name}>{value}")
        elif name not in aggregates and (name in elements or name not in closed):
            continue  # EMPTY_ELEMENTS: a data element with no value is dropped
        else:
            if name in stack:  # MISSING_END_TAGS: a sibling opened before the last one closed
                while True:
                    top = stack.pop()
                    out.append(f"</{top}>")
                    if top == name:
                        break
            stack.append(name)
            out.append(f"<{name}>")
    out.extend(f"</{name}>" for name in reversed(stack))
    return "".join(out)


# --- values ---------------------------------------------------------------------------------------


def amount(value: str) -> Decimal:
    """An OFX amount: COMMA_DECIMAL, PLUS_SIGN, LEADING_ZEROS, THOUSANDS. ValueError if none."""
    text = value.strip().replace(" ", "")
    point, comma = text.rfind("."), text.rfind(",")
    if comma > point:  # the last separator is the decimal point: 12,50 or 1.234,56
        text = text.replace(".", "").replace(",", ".")
    elif comma >= 0:
        text = text.replace(",", "")
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"{value.strip()[:40]!r} is not an amount")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"{value.strip()[:40]!r} is not an amount") from None


@lru_cache(maxsize=4096)  # a statement's lines share few dates
def day(value: str) -> date:
    """An OFX date or date-time as the day the bank wrote (DATE_FORMS). ValueError if none."""
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueError(f"{value.strip()[:40]!r} is not an OFX date (YYYYMMDD...)")
    return date(int(match[1]), int(match[2]), int(match[3]))
