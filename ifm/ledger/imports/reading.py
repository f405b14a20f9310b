"""Reading an uploaded chart or opening-balance file (CSV or XLSX, through ifm.core.tabular):
the size and row limits, the header and its columns."""

from __future__ import annotations

import contextlib
from typing import Any

from ifm.core.errors import ServiceError
from ifm.core.tabular import TabularError, header_names, iter_rows, read_upload

MAX_FILE_BYTES = 5 * 1024 * 1024


MAX_ROWS = 20_000


def read_bytes(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
    elif isinstance(file, str):
        data = file.encode("utf-8")
    elif hasattr(file, "read"):
        if hasattr(file, "seek"):
            with contextlib.suppress(OSError, ValueError):
                file.seek(0)
        raw = file.read(MAX_FILE_BYTES + 1)
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    else:
        raise ServiceError("Choose a CSV or XLSX file to import.", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it.",
            field="file",
        )
    return data


def read_rows(file: Any) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (as written) and the data rows with their row numbers (header = row 1), read
    by the shared CSV/XLSX reader (ifm.core.tabular); its refusals keep the ledger's fields:
    `row[N].<column>` where the line and column are known, `row[N]` or `file` otherwise."""
    data = read_bytes(file)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        upload = read_upload(data, max_bytes=MAX_FILE_BYTES)
        for number, record in iter_rows(upload, max_rows=MAX_ROWS + 1):  # the header is a row
            if number == 1:
                header = [h.strip() for h in record]
            elif any(record):
                rows.append((number, record))
    except TabularError as exc:
        raise _located(exc, data) from None
    if not any(header) and not rows:
        raise ServiceError("The file is empty.", field="file")
    return header, rows


def _located(exc: TabularError, data: bytes) -> ServiceError:
    """The reader's refusal with the field the ledger's forms and API name: the column by the
    header's name (read as latin-1, so a header with a bad byte still names its columns)."""
    if exc.line is None:
        return exc
    field = f"row[{exc.line}]"
    if exc.column is not None:
        names = header_names(data)
        index = exc.column - 1
        field += f".{names[index] if index < len(names) else exc.column}"
    return ServiceError(exc.message, errors=[{"field": field, "message": exc.message}])


def columns_of(header: list[str], row: list[str]) -> dict[str, str]:
    values = {}
    for i, name in enumerate(header):
        values[name.lower()] = row[i].strip() if i < len(row) else ""
    return values


def header_error(header: list[str], expected: str, missing: list[str]) -> ServiceError:
    got = ",".join(header) or "(nothing)"
    message = f"Row 1: the columns are {got}; expected {expected}"
    if missing:
        message += f" (missing: {', '.join(missing)})"
    return ServiceError(
        message + ".",
        errors=[
            {"field": f"row[1].{m}", "message": message + "."} for m in (missing or ["header"])
        ],
    )
