"""What the statements look like in JSON: columns, rows with decimal strings, named totals."""

from __future__ import annotations

from ninja import Schema


class ColumnOut(Schema):
    key: str
    label: str


class RowOut(Schema):
    label: str
    kind: str  # section, line, subtotal, total
    level: int
    key: str | None = None
    account_id: int | None = None
    fund_id: int | None = None
    program_id: int | None = None
    values: dict[str, str]


class ReportOut(Schema):
    title: str
    period: str
    columns: list[ColumnOut]
    rows: list[RowOut]
    totals: dict[str, str]
