"""A report as plain values: its columns, its rows (lines, sections, subtotals) and named totals.

Pages, exports and the API of every report draw the same `Report`, so a figure is computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Column:
    """A column of figures. `kind` says how they read: "money" (two decimals), "count" (whole
    numbers) or "percent"; pages, files and the API show each the same way."""

    key: str
    label: str
    kind: str = "money"

    def shown(self, value: Decimal | None) -> str:
        """A figure as the page and the PDF write it; blank where the row has none."""
        if value is None:
            return ""
        if self.kind == "count":
            return f"{int(value):,}"
        if self.kind == "percent":
            return f"{value:,.1f}%"
        return f"{value:,.2f}"


@dataclass
class Row:
    """One row, read-only by convention (not frozen: a report may have thousands of donor
    rows, and a frozen dataclass's constructor costs three times as much). `kind` is "section"
    (a heading, no values), "line", "subtotal" or "total"; `level` is its indent. A row that is
    one account, fund, program or donor names it; `href` is where its figures come from (a
    drill-down), when there is such a page; `links` holds the drill-down of a single figure, by
    column key, where a cell stands for other things than the row as a whole (the retention
    report's segments)."""

    label: str
    values: dict[str, Decimal] = field(default_factory=dict)
    kind: str = "line"
    level: int = 0
    key: str = ""
    account_id: int | None = None
    fund_id: int | None = None
    program_id: int | None = None
    donor_id: int | None = None
    href: str = ""
    links: dict[str, str] = field(default_factory=dict)

    def value(self, column: str) -> Decimal:
        return self.values.get(column, ZERO)

    def shown(self, columns: list[Column]) -> list[str]:
        return [column.shown(self.values.get(column.key)) for column in columns]

    def cells(self, columns: list[Column]) -> list[tuple[str, str]]:
        """Each figure as shown, with its own drill-down (empty where it has none)."""
        return [
            (column.shown(self.values.get(column.key)), self.links.get(column.key, ""))
            for column in columns
        ]


@dataclass(frozen=True)
class Report:
    title: str
    period: str  # "As of 2026-12-31", "2026-01-01 to 2026-12-31"
    columns: list[Column]
    rows: list[Row]
    totals: dict[str, Decimal]

    def row(self, key: str) -> Row:
        """The row with this key (a subtotal or a named line)."""
        return next(row for row in self.rows if row.key == key)

    @property
    def is_empty(self) -> bool:
        return not any(row.values.get(c.key) for row in self.rows for c in self.columns)


def add(*values: Decimal) -> Decimal:
    return sum(values, ZERO)


@dataclass(frozen=True)
class Entry:
    """A report on the reports home: the permission that opens it, its URL name (reversed with
    the organization's slug), its title, a sentence on what it shows and its section."""

    perm: str
    url: str
    title: str
    description: str
    section: str
