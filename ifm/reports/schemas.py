"""What every report looks like in JSON: columns, rows with decimal strings, named totals."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from ifm.ledger.api_types import money
from ifm.reports.report import Report


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = "money"  # money, count or percent


class RowOut(Schema):
    label: str
    kind: str  # section, line, subtotal, total
    level: int
    key: str | None = None
    account_id: int | None = None
    fund_id: int | None = None
    program_id: int | None = None
    donor_id: int | None = None
    href: str = ""
    # The drill-down of one figure, by column key, where a figure has its own.
    links: dict[str, str] = {}
    values: dict[str, str]


class ReportOut(Schema):
    title: str
    period: str
    columns: list[ColumnOut]
    rows: list[RowOut]
    totals: dict[str, str]


def _figure(value: Any, kind: str) -> str:
    """A figure as a decimal string: counts whole, money and percentages to the cent."""
    return str(int(value)) if kind == "count" else money(value)


def report_json(report: Report) -> dict[str, Any]:
    kinds = {column.key: column.kind for column in report.columns}
    return {
        "title": report.title,
        "period": report.period,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in report.columns],
        "rows": [
            {
                "label": row.label,
                "kind": row.kind,
                "level": row.level,
                "key": row.key or None,
                "account_id": row.account_id,
                "fund_id": row.fund_id,
                "program_id": row.program_id,
                "donor_id": row.donor_id,
                "href": row.href,
                "links": row.links,
                "values": {
                    key: _figure(value, kinds.get(key, "money"))
                    for key, value in row.values.items()
                },
            }
            for row in report.rows
        ],
        "totals": {key: money(value) for key, value in report.totals.items()},
    }
