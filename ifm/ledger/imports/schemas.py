"""API shapes of import results."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema

from ifm.ledger.models import AccountType


class ImportProblemOut(Schema):
    row: int | None = Field(..., description="Row in the file (the header is row 1).")
    column: str
    field: str
    message: str


class ImportSkippedOut(Schema):
    row: int
    value: str
    reason: str


class ImportedAccountOut(Schema):
    row: int
    number: str
    name: str
    type: AccountType
    parent: str | None


class ImportChangeOut(Schema):
    before: Any = None
    after: Any = None


class UpdatedAccountOut(Schema):
    row: int
    number: str
    changes: dict[str, ImportChangeOut]


class ChartImportOut(Schema):
    format: str = Field(..., description='"ucoa" (Banana/UCOA export) or "simple".')
    dry_run: bool
    created: list[ImportedAccountOut]
    updated: list[UpdatedAccountOut]
    unchanged: int
    skipped: list[ImportSkippedOut]
    problems: list[ImportProblemOut]


class InterfundOut(Schema):
    fund: str
    difference: str


class OpeningBalancesOut(Schema):
    dry_run: bool
    date: date
    entry_id: int | None
    entry_number: int | None
    lines: int
    total_debit: str
    total_credit: str
    interfund: list[InterfundOut]
    skipped: list[ImportSkippedOut]
    problems: list[ImportProblemOut]
