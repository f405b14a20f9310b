"""What an import reports: its problems, skipped rows and totals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ifm.core.errors import ServiceError

ZERO = Decimal("0.00")


@dataclass
class Problem:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    @property
    def field(self) -> str:
        if self.row is None and self.column == "date":
            return "date"
        if self.row is None:
            return f"file.{self.column}" if self.column else "file"
        return f"row[{self.row}].{self.column}" if self.column else f"row[{self.row}]"

    def as_error(self) -> dict[str, str]:
        where = "The file" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return {"field": self.field, "message": f"{where}: {self.message}"}


@dataclass
class Skipped:
    row: int
    value: str
    reason: str


@dataclass
class ChartImportResult:
    format: str
    dry_run: bool
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OpeningBalancesResult:
    dry_run: bool
    date: date
    entry_id: int | None = None
    entry_number: int | None = None
    lines: int = 0
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO
    interfund: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def problems_error(problems: list[Problem], what: str) -> ServiceError:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    first = problems[0].as_error()["message"]
    return ServiceError(
        f"The {what} has {count} {noun}, so nothing was imported. First: {first}",
        errors=[p.as_error() for p in problems],
    )


class Rollback(Exception):
    pass
