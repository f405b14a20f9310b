"""The rejected rows of an import as a file to correct: the file's own columns, in its order,
with one more column (`mapping.ERROR_COLUMN`) saying what is wrong with each row.

Corrected and uploaded again, the file imports as it is: its header is the first line, its
columns keep their names (so the remembered mapping still applies) and the error column is
never imported (`mapping.clean_mapping` leaves it out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from django.http import HttpResponse, StreamingHttpResponse

from ifm.core import exports
from ifm.core.errors import ServiceError
from ifm.donors.imports.mapping import ERROR_COLUMN, FIELD_LABELS
from ifm.donors.imports.reading import read_table

FORMATS = ("csv", "xlsx")


class RejectedRows(NamedTuple):
    header: list[str]
    rows: list[list[str]]


def _messages(problems: Iterable[Any]) -> dict[int, list[str]]:
    """Each problem row's messages, naming the column they are about."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        row, column, field, message = (
            (p["row"], p.get("column", ""), p.get("field", ""), p["message"])
            if isinstance(p, dict)
            else (p.row, p.column, p.field, p.message)
        )
        if not row:
            continue
        where = column or FIELD_LABELS.get(field, field)
        by_row[int(row)].append(f"{where}: {message}" if where else message)
    return by_row


def rejected_rows(*, data: bytes, filename: str, problems: Sequence[Any]) -> RejectedRows:
    """The rows of the file that have problems, with their messages in the last column."""
    table = read_table(data, filename)
    by_row = _messages(problems)
    header = [h for h in table.headers if h != ERROR_COLUMN]
    rows = []
    for number, record in table.records():
        if number in by_row:
            rows.append([record.get(h, "") for h in header] + ["; ".join(by_row[number])])
    return RejectedRows([*header, ERROR_COLUMN], rows)


def rejected_filename(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:80] or "import"
    return f"{safe}-rejected"


def rejected_response(
    rejected: RejectedRows, *, filename: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """The rejected rows as a CSV or XLSX attachment."""
    if fmt not in FORMATS:
        raise ServiceError("Choose csv or xlsx.", field="format")
    name = rejected_filename(filename)
    if fmt == "csv":

        def rows() -> Iterator[list[str]]:
            return iter(rejected.rows)

        return exports.csv_response(rejected.header, rows, filename=name)
    return exports.xlsx_response(rejected.header, rejected.rows, filename=name, title="Rejected")
