"""Reading an uploaded CSV file: size and row limits, encodings, the header and its columns."""

from __future__ import annotations

import contextlib
import csv
import io
from typing import Any

from ifm.core.errors import ServiceError

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
        raise ServiceError("Choose a CSV file to import.", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it.",
            field="file",
        )
    return data


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark is fine); anything else is an error naming the row and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        row = data[:start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        prefix = data[line_start:start]
        header = data.split(b"\n", 1)[0].decode("latin-1").lstrip("\ufeff").strip("\r")
        names = next(csv.reader([header]), [])
        index = prefix.count(b",")
        column = names[index].strip() if index < len(names) else f"{index + 1}"
        byte = data[start : start + 1].hex().upper()
        raise ServiceError(
            f"The file is not UTF-8 text: row {row}, column {column} has the byte 0x{byte}. "
            "Save it as \u201cCSV UTF-8\u201d and import it again.",
            errors=[
                {
                    "field": f"row[{row}].{column}",
                    "message": f"Row {row}, column {column}: not UTF-8 text (byte 0x{byte}); "
                    "save the file as CSV UTF-8.",
                }
            ],
        ) from None


def read_rows(file: Any) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (as written) and the data rows with their row numbers (header = row 1)."""
    text = decode(read_bytes(file))
    if not text.strip():
        raise ServiceError("The file is empty.", field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        for number, record in enumerate(reader, start=1):
            if number == 1:
                header = [h.strip() for h in record]
                continue
            if number > MAX_ROWS + 1:
                raise ServiceError(
                    f"The file has more than {MAX_ROWS} rows: split it.", field="file"
                )
            if not any(cell.strip() for cell in record):
                continue
            rows.append((number, record))
    except csv.Error as exc:
        raise ServiceError(
            f"Row {reader.line_num}: the CSV cannot be read ({exc}).",
            errors=[
                {
                    "field": f"row[{reader.line_num}]",
                    "message": f"Row {reader.line_num}: the CSV cannot be read ({exc}).",
                }
            ],
        ) from None
    return header, rows


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
