"""Importing a bank statement file into a bank account: all of it or nothing.

Two layers, so every door runs the same rules:

- `statement_import_parsed` takes a statement already read (`ParsedStatement`) and does the
  rest in one transaction: the checks (account, currency, balances, limits), each line's
  identity (`identity.line_identities`), which identities the account already has, and the
  new lines with their `Statement`, plus the audit event.
- `statement_import` takes the file's bytes: size limit, `parse_statement` (which finds the
  format from the content), then `statement_import_parsed`.

A refused file raises `StatementImportError` (422) with every problem (where, field, message)
and changes nothing. Importing the same file twice adds no line the second time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.banking.accounts.access import banking_service
from ifm.banking.accounts.selectors import column_profile
from ifm.banking.imports import store
from ifm.banking.imports.checks import statement_problems
from ifm.banking.imports.identity import line_identities
from ifm.banking.models import BankAccount, CsvProfile, Statement, StatementFormat
from ifm.banking.statements import ParsedStatement, Problem, StatementError, parse_statement
from ifm.core.errors import ConflictError, ServiceError
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access


@dataclass
class ImportResult:
    statement: Statement
    imported: int
    duplicates: int
    # What the reader left out or changed on the way ("2 pending entries were left out").
    notes: list[str] = field(default_factory=list)


def problem_field(problem: Problem) -> str:
    """A problem's place as one field name: "line 12 DTPOSTED", "row 5 amount", "currency"."""
    if problem.where in ("", "file"):
        return problem.field or "file"
    return f"{problem.where} {problem.field}".strip()


def problem_dicts(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"where": p.where, "field": p.field, "message": p.message} for p in problems]


class StatementImportError(ServiceError):
    """The file cannot be imported; `problems` lists every reason (nothing was stored)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        first = problems[0].message if problems else "The file cannot be read."
        message = (
            first
            if count == 1
            else f"The file has {count} problems and nothing was imported. First: {first}"
        )
        super().__init__(
            message,
            errors=[{"field": problem_field(p), "message": p.message} for p in problems],
        )


def max_bytes() -> int:
    return int(settings.BANKING_IMPORT_MAX_MB) * 1024 * 1024


def check_size(data: bytes) -> None:
    """Refuse an empty or oversized file before reading it."""
    if not data:
        raise StatementImportError([Problem("file", "file", "The file is empty.")])
    if len(data) > max_bytes():
        size = len(data) / (1024 * 1024)
        raise StatementImportError(
            [
                Problem(
                    "file",
                    "file",
                    f"The file is {size:.1f} MB; at most {settings.BANKING_IMPORT_MAX_MB} MB "
                    "is taken: export a shorter period.",
                )
            ]
        )


def statement_read(
    data: bytes, *, filename: str = "", profile: CsvProfile | None = None
) -> ParsedStatement:
    """The file read into lines (its format found from its content), or StatementImportError."""
    check_size(data)
    try:
        return parse_statement(
            data, filename=filename, profile=column_profile(profile) if profile else None
        )
    except StatementError as exc:
        raise StatementImportError(
            exc.problems or [Problem("file", "file", "The file cannot be read.")]
        ) from exc


def _locked(bank_account: BankAccount) -> BankAccount:
    # One import at a time per bank account: the second waits here and then sees the first's
    # lines as duplicates. Another organization's account is not found (404).
    locked = BankAccount.objects.select_for_update().get(pk=bank_account.pk)
    if locked.is_archived:
        raise ConflictError(
            message=f"{locked.name} is archived: bring it back before importing into it."
        )
    return locked


@banking_service("banking.import")
def statement_import_parsed(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
    parsed: ParsedStatement,
    filename: str,
    sha256: str,
    profile: CsvProfile | None = None,
) -> ImportResult:
    """Store a read statement's new lines, skip those the account has, all in one go."""
    account = _locked(bank_account)
    if profile is not None and profile.organization_id != organization.pk:
        raise ServiceError("No such column profile in this organization.", field="profile")
    if parsed.format not in (StatementFormat.CSV, StatementFormat.XLSX):
        profile = None  # a file with its own layout used none
    problems = statement_problems(
        parsed,
        currency=account.currency,
        last_digits=account.account_last_digits,
        name=account.name,
        max_lines=int(settings.BANKING_IMPORT_MAX_LINES),
    )
    if problems:
        raise StatementImportError(problems)
    lines = parsed.lines
    identities = line_identities(lines)
    known = store.existing_identities(account, identities)
    new = [i for i, identity in enumerate(identities) if identity not in known]
    dates = [line.date for line in lines]
    now = timezone.now()
    statement = Statement.objects.create(
        organization=organization,
        bank_account=account,
        format=parsed.format,
        filename=filename[:255],
        sha256=sha256,
        profile=profile,
        start_date=parsed.start_date or (min(dates) if dates else None),
        end_date=parsed.end_date or (max(dates) if dates else None),
        opening_balance=parsed.opening_balance,
        closing_balance=parsed.closing_balance,
        closing_balance_date=parsed.closing_balance_date,
        line_count=len(lines),
        imported_count=len(new),
        duplicate_count=len(lines) - len(new),
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    store.insert_lines(
        statement=statement,
        lines=[lines[i] for i in new],
        identities=[identities[i] for i in new],
        now=now,
    )
    audit_record(
        action="bank_statement.import",
        actor=actor,
        organization=organization,
        obj=statement,
        changes={**_audit_changes(statement), "notes": list(parsed.notes)},
    )
    return ImportResult(
        statement=statement,
        imported=len(new),
        duplicates=len(lines) - len(new),
        notes=list(parsed.notes),
    )


def _audit_changes(statement: Statement) -> dict[str, Any]:
    def text(value: Any) -> Any:
        return None if value is None else str(value)

    return {
        "bank_account": statement.bank_account_id,
        "file": statement.filename,
        "format": statement.format,
        "sha256": statement.sha256,
        "lines": statement.line_count,
        "imported": statement.imported_count,
        "duplicates": statement.duplicate_count,
        "start_date": text(statement.start_date),
        "end_date": text(statement.end_date),
        "opening_balance": text(statement.opening_balance),
        "closing_balance": text(statement.closing_balance),
    }


@banking_service("banking.import", atomic=False)
def statement_import(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
    data: bytes,
    filename: str,
    profile: CsvProfile | None = None,
) -> ImportResult:
    """Read the file and import it (`statement_import_parsed`): the whole file in the request."""
    parsed = statement_read(data, filename=filename, profile=profile)
    return statement_import_parsed(
        organization=organization,
        actor=actor,
        access=access,
        bank_account=bank_account,
        parsed=parsed,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        profile=profile,
    )
