"""Writes of bank accounts and CSV/XLSX column profiles.

A bank account is tied to one cash account of the ledger (a postable asset account marked
cash): its lines are matched against that account's ledger lines. Only the last digits of its
number are kept. Once it has lines it is archived, never deleted: its statements, lines,
matches and reconciliations stay the record of what was reconciled.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.banking.accounts.access import banking_service
from ifm.banking.models import (
    BankAccount,
    BankTransaction,
    CsvProfile,
    Match,
    Reconciliation,
    Statement,
    StatementImport,
)
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import resolve
from ifm.ledger.chart.selectors import cash_accounts, general_fund
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access

KEPT_DIGITS = 4


class _Unset:
    """An argument that was not given (None may be a value)."""


UNSET: Any = _Unset()


def _json(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def _collect(what: str, checks: dict[str, Any]) -> dict[str, Any]:
    """Run each (field -> thunk) check and report every error at once, each naming its field."""
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": name, "message": exc.message}])
    if errors:
        raise ServiceError(
            f"The {what} has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return cleaned


def _text(value: Any, field: str, *, limit: int, required: str = "") -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ServiceError(required, field=field)
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def last_digits(value: Any) -> str:
    """The last digits of an account number as people and files write it ("DE89 3704 0044
    0532 0130 00", "xxxx-1234", "••••1234"): the only part kept and compared."""
    text = str(value or "")
    digits = re.sub(r"\D", "", text)
    if text.strip() and not digits:
        raise ServiceError(
            "Give the account number, or at least its last digits (as on the statement).",
            field="account_number",
        )
    return digits[-KEPT_DIGITS:]


# --- Bank accounts ---------------------------------------------------------------------------


def _clean_account_name(value: Any, exclude_id: int | None) -> str:
    name = _text(value, "name", limit=100, required="Give the bank account a name.")
    clash = BankAccount.objects.filter(name__iexact=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ServiceError(f"There is already a bank account named {name}.", field="name")
    return name


def _clean_ledger_account(value: Any, exclude_id: int | None) -> Any:
    account = resolve(
        cash_accounts(),
        value,
        "ledger_account",
        "Choose a cash or bank account of the chart that takes postings (an asset account "
        "marked as cash, not a header).",
    )
    taken = BankAccount.objects.filter(ledger_account=account)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    other = taken.first()
    if other is not None:
        raise ServiceError(
            f"{account} is already the ledger account of the bank account {other.name}: each "
            "bank account needs its own cash account.",
            field="ledger_account",
        )
    return account


def _clean_fund(value: Any) -> Fund:
    if value is None or value == "":
        return general_fund()
    fund: Fund = resolve(
        Fund.objects.filter(is_active=True),
        value,
        "default_fund",
        "Choose an active fund of this organization.",
    )
    return fund


def _account_checks(values: dict[str, Any], exclude_id: int | None) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "name": lambda: _clean_account_name(values["name"], exclude_id),
        "institution": lambda: _text(values["institution"], "institution", limit=100),
        "account_last_digits": lambda: last_digits(values["account_number"]),
        "ledger_account": lambda: _clean_ledger_account(values["ledger_account"], exclude_id),
        "default_fund": lambda: _clean_fund(values["default_fund"]),
    }
    given = {
        "name": "name",
        "institution": "institution",
        "account_last_digits": "account_number",
        "ledger_account": "ledger_account",
        "default_fund": "default_fund",
    }
    return _collect(
        "bank account", {k: v for k, v in checks.items() if values[given[k]] is not UNSET}
    )


@banking_service("banking.manage")
def bank_account_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    name: str,
    ledger_account: Any,
    default_fund: Any = None,
    institution: str = "",
    account_number: str = "",
) -> BankAccount:
    values = _account_checks(
        {
            "name": name,
            "institution": institution,
            "account_number": account_number,
            "ledger_account": ledger_account,
            "default_fund": default_fund,
        },
        None,
    )
    bank_account = BankAccount.objects.create(
        organization=organization, currency=organization.currency, updated_by=actor, **values
    )
    audit_record(
        action="bank_account.create",
        actor=actor,
        organization=organization,
        obj=bank_account,
        changes={k: {"before": None, "after": _json(v)} for k, v in values.items()},
    )
    return bank_account


@banking_service("banking.manage")
def bank_account_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
    version: int,
    name: Any = UNSET,
    institution: Any = UNSET,
    account_number: Any = UNSET,
    ledger_account: Any = UNSET,
    default_fund: Any = UNSET,
    is_archived: Any = UNSET,
) -> BankAccount:
    """Change what is given; a stale `version` is a ConflictError (409) and changes nothing.
    The ledger account cannot change once lines were matched against the old one."""
    values = _account_checks(
        {
            "name": name,
            "institution": institution,
            "account_number": account_number,
            "ledger_account": ledger_account,
            "default_fund": default_fund,
        },
        bank_account.pk,
    )
    if is_archived is not UNSET:
        if not isinstance(is_archived, bool):
            raise ServiceError("Answer true or false.", field="is_archived")
        values["is_archived"] = is_archived
    changes = {}
    for field, value in values.items():
        before = getattr(bank_account, field)
        if _json(before) != _json(value):
            changes[field] = {"before": _json(before), "after": _json(value)}
    if "ledger_account" in changes and Match.objects.filter(bank_account=bank_account).exists():
        raise ServiceError(
            "Lines of this bank account are matched to the ledger lines of its cash account: "
            "its ledger account can no longer change.",
            field="ledger_account",
        )
    for field, value in values.items():
        setattr(bank_account, field, value)
    # A save with nothing changed still checks the version: the form was read from a stale page.
    bank_account.save_versioned(expected_version=version, user=actor, fields=list(values))
    if changes:
        audit_record(
            action="bank_account.update",
            actor=actor,
            organization=organization,
            obj=bank_account,
            changes=changes,
        )
    return bank_account


@banking_service("banking.manage")
def bank_account_archive(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
    archived: bool = True,
) -> BankAccount:
    """Archive (or bring back) a bank account: archived, it takes no imports and leaves the
    lists, while its statements, lines and reconciliations stay."""
    if bank_account.is_archived == archived:
        return bank_account
    BankAccount.objects.filter(pk=bank_account.pk).update(is_archived=archived)
    bank_account.is_archived = archived
    audit_record(
        action="bank_account.archive" if archived else "bank_account.unarchive",
        actor=actor,
        organization=organization,
        obj=bank_account,
        changes={"is_archived": {"before": not archived, "after": archived}},
    )
    return bank_account


class InUseError(ConflictError):
    """The record is referred to, so it stays (409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


@banking_service("banking.manage")
def bank_account_delete(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
) -> None:
    """Delete a bank account nothing was imported into; one with lines, matches or
    reconciliations is archived instead (409 saying so)."""
    in_use = (
        BankTransaction.objects.filter(bank_account=bank_account).exists()
        or Match.objects.filter(bank_account=bank_account).exists()
        or Reconciliation.objects.filter(bank_account=bank_account).exists()
    )
    if in_use:
        raise InUseError(
            f"{bank_account.name} has statement lines, so they stay on record: archive it instead."
        )
    audit_record(
        action="bank_account.delete",
        actor=actor,
        organization=organization,
        obj=bank_account,
        changes={"name": {"before": bank_account.name, "after": None}},
    )
    StatementImport.objects.filter(bank_account=bank_account).delete()
    Statement.objects.filter(bank_account=bank_account).delete()
    bank_account.delete()


# --- CSV / XLSX column profiles ------------------------------------------------------------

PROFILE_COLUMNS = (
    "date_column",
    "amount_column",
    "debit_column",
    "credit_column",
    "payee_column",
    "memo_column",
    "reference_column",
    "balance_column",
)
PROFILE_FIELDS = (*PROFILE_COLUMNS, "date_format", "decimal_comma", "negate_amounts")
_PROBE = date(2031, 12, 25)


def _clean_profile_name(value: Any, exclude_id: int | None) -> str:
    name = _text(value, "name", limit=100, required="Give the profile a name (the bank's).")
    clash = CsvProfile.objects.filter(name__iexact=name)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ServiceError(f"There is already a profile named {name}.", field="name")
    return name


def _clean_date_format(value: Any) -> str:
    fmt = str(value or "").strip() or "%Y-%m-%d"
    if len(fmt) > 40:
        raise ServiceError("At most 40 characters.", field="date_format")
    try:
        ok = datetime.strptime(_PROBE.strftime(fmt), fmt).date() == _PROBE
    except ValueError:
        ok = False
    if not ok:
        raise ServiceError(
            "Write the date format with a day, a month and a year, e.g. %d/%m/%Y for "
            "25/12/2031 or %m/%d/%Y for 12/25/2031.",
            field="date_format",
        )
    return fmt


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("Answer true or false.", field=field)
    return value


def _profile_values(given: dict[str, Any], current: CsvProfile | None) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    for column in PROFILE_COLUMNS:
        if given.get(column, UNSET) is not UNSET:
            checks[column] = lambda c=column: _text(given[c], c, limit=100)
    if given.get("date_format", UNSET) is not UNSET:
        checks["date_format"] = lambda: _clean_date_format(given["date_format"])
    for flag in ("decimal_comma", "negate_amounts"):
        if given.get(flag, UNSET) is not UNSET:
            checks[flag] = lambda f=flag: _flag(given[f], f)
    values = _collect("column profile", checks)
    merged = {c: values.get(c, getattr(current, c, "")) for c in PROFILE_COLUMNS}
    errors = []
    if not merged["date_column"]:
        errors.append({"field": "date_column", "message": "Name the column with the date."})
    split = merged["debit_column"] or merged["credit_column"]
    if not merged["amount_column"] and not split:
        errors.append(
            {
                "field": "amount_column",
                "message": "Name the amount column, or the withdrawal and deposit columns.",
            }
        )
    if merged["amount_column"] and split:
        errors.append(
            {
                "field": "amount_column",
                "message": "Use either one signed amount column or withdrawal and deposit "
                "columns, not both.",
            }
        )
    if errors:
        raise ServiceError(
            "The column profile has errors: " + "; ".join(e["message"] for e in errors),
            errors=errors,
        )
    return values


@banking_service("banking.manage")
def csv_profile_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    name: str,
    **columns: Any,
) -> CsvProfile:
    """A bank's CSV/XLSX layout: `date_column` and either `amount_column` or
    `debit_column`/`credit_column`, optionally payee, memo, reference and balance columns,
    `date_format` (strftime, default %Y-%m-%d), `decimal_comma`, `negate_amounts`."""
    unknown = sorted(set(columns) - set(PROFILE_FIELDS))
    if unknown:
        raise ServiceError(f"Unknown profile field {unknown[0]}.", field=unknown[0])
    checks = {"name": lambda: _clean_profile_name(name, None)}
    cleaned_name = _collect("column profile", checks)["name"]
    values = _profile_values(columns, None)
    profile = CsvProfile.objects.create(
        organization=organization, name=cleaned_name, updated_by=actor, **values
    )
    audit_record(
        action="csv_profile.create",
        actor=actor,
        organization=organization,
        obj=profile,
        changes={"name": cleaned_name, **values},
    )
    return profile


@banking_service("banking.manage")
def csv_profile_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    profile: CsvProfile,
    version: int,
    name: Any = UNSET,
    **columns: Any,
) -> CsvProfile:
    unknown = sorted(set(columns) - set(PROFILE_FIELDS))
    if unknown:
        raise ServiceError(f"Unknown profile field {unknown[0]}.", field=unknown[0])
    values = _profile_values(columns, profile)
    if name is not UNSET:
        values["name"] = _collect(
            "column profile", {"name": lambda: _clean_profile_name(name, profile.pk)}
        )["name"]
    changes = {
        k: {"before": getattr(profile, k), "after": v}
        for k, v in values.items()
        if getattr(profile, k) != v
    }
    for field, value in values.items():
        setattr(profile, field, value)
    profile.save_versioned(expected_version=version, user=actor, fields=list(values))
    if changes:
        audit_record(
            action="csv_profile.update",
            actor=actor,
            organization=organization,
            obj=profile,
            changes=changes,
        )
    return profile
