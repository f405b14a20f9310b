"""Writes of reconciliations: start, change the statement balance, finish (only at a difference
of exactly 0.00), reopen with a reason, discard one in progress.

Finishing locks the bank lines it cleared (status "reconciled"), their matches and match lines;
on PostgreSQL the triggers of ifm/banking/sql/reconcile_locks.sql refuse any change of them
too, except the release that reopening makes (see `_reopening`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.banking.models import BankAccount, BankTransaction, LineStatus, Reconciliation, Statement
from ifm.banking.reconciliation import selectors
from ifm.banking.reconciliation.selectors import Figures, reconciliation_figures
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.core.errors import ServiceError
from ifm.core.lookups import resolve
from ifm.core.money import clean_money
from ifm.ledger.models import LedgerCounter
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

Status = Reconciliation.Status
REASON_MAX = 500


class ReconciliationConflict(ServiceError):
    """The reconciliation is not in a state that allows this (409)."""

    status = 409


class ReconciledLineError(ServiceError):
    """A reconciled bank line (or its match) cannot change until its reconciliation is
    reopened (409)."""

    status = 409


__all__ = [
    "Figures",
    "ReconciledLineError",
    "ReconciliationConflict",
    "ensure_not_reconciled",
    "reconciliation_discard",
    "reconciliation_figures",
    "reconciliation_finish",
    "reconciliation_reopen",
    "reconciliation_start",
    "reconciliation_update_balance",
]


def ensure_not_reconciled(bank_lines: Iterable[BankTransaction]) -> None:
    """Refuse to change bank lines a finished reconciliation holds (for unmatching and the
    like): a 409 naming the line and the reconciliation to reopen."""
    for line in bank_lines:
        if line.status == LineStatus.RECONCILED:
            raise ReconciledLineError(
                f"The bank line of {line.date:%Y-%m-%d} ({line.amount}) is reconciled: reopen "
                "its reconciliation first."
            )


# --- Checks -------------------------------------------------------------------------------------


def _bank_account(value: Any) -> BankAccount:
    account: BankAccount = resolve(
        BankAccount.objects.select_for_update(),
        value,
        "bank_account_id",
        "Choose a bank account of this organization.",
    )
    if account.is_archived:
        raise ServiceError(
            f"{account} is archived: restore it before reconciling it.", field="bank_account_id"
        )
    return account


def _day(value: Any, field: str) -> date:
    if not isinstance(value, date):
        raise ServiceError("Give the date as YYYY-MM-DD.", field=field)
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ServiceError(f"The date must be from {EARLIEST_DATE} to {LATEST_DATE}.", field=field)
    return value


def _statement_date(value: Any) -> date:
    value = _day(value, "statement_date")
    # A day of slack for time zones: a statement is never dated after today.
    if value > timezone.localdate() + timedelta(days=1):
        raise ServiceError("The statement date cannot be in the future.", field="statement_date")
    return value


def _balance(value: Any) -> Decimal:
    return clean_money(value, "statement_balance", allow_negative=True, allow_zero=True)


def _reason(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ServiceError("Say why the reconciliation is reopened.", field="reason")
    if len(text) > REASON_MAX:
        raise ServiceError(f"At most {REASON_MAX} characters.", field="reason")
    return text


def _locked(rec: Reconciliation) -> Reconciliation:
    """The reconciliation's row, locked for this transaction (with its bank account)."""
    found = (
        Reconciliation.objects.select_for_update()
        .select_related("bank_account")
        .filter(pk=rec.pk)
        .first()
    )
    if found is None:
        raise ReconciliationConflict("This reconciliation no longer exists.")
    return found


def _ledger_watermark(organization: Organization) -> int:
    """The ledger's next entry number, its counter row locked until this transaction ends."""
    counter = LedgerCounter.objects.select_for_update().filter(organization=organization).first()
    return counter.next_entry_number if counter is not None else 1


def _describe(rec: Reconciliation) -> str:
    return f"{rec.bank_account} to {rec.statement_date:%Y-%m-%d}"


def _closing_balance(account: BankAccount, on: date) -> Decimal | None:
    """The closing balance an imported statement of the account states for that day."""
    return (
        Statement.objects.filter(
            bank_account=account, closing_balance_date=on, closing_balance__isnull=False
        )
        .order_by("-created_at", "-id")
        .values_list("closing_balance", flat=True)
        .first()
    )


# --- Services -----------------------------------------------------------------------------------


@org_service("banking.reconcile")
def reconciliation_start(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    bank_account: BankAccount | int,
    statement_date: date,
    statement_balance: Decimal | str | None = None,
    books_from: date | None = None,
) -> Reconciliation:
    """Start reconciling a bank account to a statement's ending balance at its date.

    The balance defaults to the closing balance of an imported statement that closes on that
    date. One reconciliation per account is in progress at a time, and none goes back before
    the last finished one. `books_from` (the account's first reconciliation only) is the day
    the bank's records begin: ledger lines before it are in the statement's opening balance;
    by default the first imported statement's start, and later reconciliations keep it."""
    account = _bank_account(bank_account)
    on = _statement_date(statement_date)
    current = selectors.open_reconciliation(account)
    if current is not None:
        raise ReconciliationConflict(
            f"The reconciliation of {_describe(current)} is in progress: finish or discard it "
            "first."
        )
    last = selectors.latest_finished(account)
    if last is not None and on < last.statement_date:
        raise ServiceError(
            f"{account} is reconciled to {last.statement_date:%Y-%m-%d}: the statement date "
            "cannot be before it.",
            field="statement_date",
        )
    if statement_balance is None:
        statement_balance = _closing_balance(account, on)
        if statement_balance is None:
            raise ServiceError(
                f"No imported statement closes on {on:%Y-%m-%d}: give the statement's ending "
                "balance.",
                field="statement_balance",
            )
    balance = _balance(statement_balance)
    if last is not None:
        if books_from is not None and books_from != last.books_from:
            raise ServiceError(
                "Only the first reconciliation of an account sets the day its books start.",
                field="books_from",
            )
        books_from = last.books_from
    elif books_from is not None:
        books_from = _day(books_from, "books_from")
        if books_from > on:
            raise ServiceError(
                "The books cannot start after the statement date.", field="books_from"
            )
    rec = Reconciliation.objects.create(
        organization=organization,
        bank_account=account,
        statement_date=on,
        statement_balance=balance,
        books_from=books_from,
        created_by=actor,
        updated_by=actor,
    )
    audit_record(
        action="reconciliation.start",
        actor=actor,
        organization=organization,
        obj=rec,
        changes={"statement_date": on.isoformat(), "statement_balance": str(balance)},
    )
    return rec


@org_service("banking.reconcile")
def reconciliation_update_balance(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    reconciliation: Reconciliation,
    statement_balance: Decimal | str,
    expected_version: int,
) -> Reconciliation:
    """Correct the statement's ending balance of a reconciliation in progress."""
    rec = _locked(reconciliation)
    if rec.status != Status.OPEN:
        raise ReconciliationConflict(
            f"The reconciliation of {_describe(rec)} is finished: reopen it to change it."
        )
    before = rec.statement_balance
    rec.statement_balance = _balance(statement_balance)
    rec.save_versioned(expected_version=expected_version, user=actor, fields=["statement_balance"])
    audit_record(
        action="reconciliation.update",
        actor=actor,
        organization=organization,
        obj=rec,
        changes={"statement_balance": {"before": str(before), "after": str(rec.statement_balance)}},
    )
    return rec


@org_service("banking.reconcile")
def reconciliation_finish(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    reconciliation: Reconciliation,
) -> Reconciliation:
    """Finish at a difference of exactly 0.00: keep the figures and lock every bank line the
    reconciliation clears (matched, dated by the statement date, its match cleared by then)."""
    # The ledger's entry counter first (posting holds it until it commits, so it is always
    # taken before any banking row): no entry is half-posted while the figures are taken, and
    # every entry posted later is numbered from the watermark on.
    watermark = _ledger_watermark(organization)
    rec = _locked(reconciliation)
    if rec.status != Status.OPEN:
        raise ReconciliationConflict(f"The reconciliation of {_describe(rec)} is already finished.")
    state = selectors.reconciliation_state(rec)
    figures = state.figures
    if not figures.balanced:
        currency = organization.currency
        message = (
            f"The difference is {figures.difference:,.2f} {currency}: a reconciliation is "
            "finished only when it is 0.00. Match the bank lines not yet cleared, enter what "
            "is missing in the books, or correct the statement balance."
        )
        raise ReconciliationConflict(message, errors=[{"field": "difference", "message": message}])
    uncleared = selectors.uncleared_bank_ids(rec)
    outstanding = state.outstanding_ids()
    reconciled = BankTransaction.objects.filter(
        bank_account=rec.bank_account,
        status=LineStatus.MATCHED,
        date__lte=rec.statement_date,
        match__cleared_on__lte=rec.statement_date,
    ).update(status=LineStatus.RECONCILED, reconciliation=rec)
    now = timezone.now()
    rec.status = Status.FINISHED
    rec.book_balance = figures.book_balance
    rec.cleared_balance = figures.cleared_balance
    rec.deposits_in_transit = figures.deposits_in_transit
    rec.outstanding_payments = figures.outstanding_payments
    rec.books_from = figures.books_from
    rec.outstanding_line_ids = outstanding
    rec.uncleared_bank_line_ids = uncleared
    rec.ledger_watermark = watermark
    rec.finished_at = now
    rec.finished_by = actor
    rec.version += 1
    rec.updated_at = now
    rec.updated_by = actor
    rec.save()
    audit_record(
        action="reconciliation.finish",
        actor=actor,
        organization=organization,
        obj=rec,
        changes={
            "statement_date": rec.statement_date.isoformat(),
            "statement_balance": str(rec.statement_balance),
            "book_balance": str(figures.book_balance),
            "deposits_in_transit": str(figures.deposits_in_transit),
            "outstanding_payments": str(figures.outstanding_payments),
            "lines_reconciled": reconciled,
        },
    )
    return rec


@contextmanager
def _reopening() -> Iterator[None]:
    """Tell the database's locks that this transaction reopens a reconciliation (PostgreSQL;
    the setting ends with the transaction, and is switched off as soon as the step is done)."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('ifm.reconcile_reopen', 'on', true)")
    yield
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('ifm.reconcile_reopen', 'off', true)")


@org_service("banking.reconcile")
def reconciliation_reopen(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    reconciliation: Reconciliation,
    reason: str,
) -> Reconciliation:
    """Reopen the latest finished reconciliation of its account: its bank lines go back to
    matched (and can be unmatched or changed again). Needs a reason; audited."""
    why = _reason(reason)
    rec = _locked(reconciliation)
    if rec.status != Status.FINISHED:
        raise ReconciliationConflict(f"The reconciliation of {_describe(rec)} is not finished.")
    latest = selectors.latest_finished(rec.bank_account)
    if latest is not None and latest.pk != rec.pk:
        raise ReconciliationConflict(
            f"Only the latest finished reconciliation can be reopened: reopen the one of "
            f"{_describe(latest)} first."
        )
    current = selectors.open_reconciliation(rec.bank_account)
    if current is not None:
        raise ReconciliationConflict(
            f"The reconciliation of {_describe(current)} is in progress: finish or discard it "
            "first."
        )
    now = timezone.now()
    before = {
        "finished_at": rec.finished_at.isoformat() if rec.finished_at else None,
        "book_balance": str(rec.book_balance),
    }
    with _reopening():
        rec.status = Status.OPEN
        rec.book_balance = rec.cleared_balance = None
        rec.deposits_in_transit = rec.outstanding_payments = None
        rec.outstanding_line_ids = rec.uncleared_bank_line_ids = None
        rec.ledger_watermark = None
        rec.finished_at = None
        rec.finished_by = None
        rec.reopened_at = now
        rec.reopened_by = actor
        rec.reopen_reason = why
        rec.version += 1
        rec.updated_at = now
        rec.updated_by = actor
        rec.save()
        released = BankTransaction.objects.filter(reconciliation=rec).update(
            status=LineStatus.MATCHED, reconciliation=None
        )
    audit_record(
        action="reconciliation.reopen",
        actor=actor,
        organization=organization,
        obj=rec,
        changes={"reason": why, "lines_released": released, **before},
    )
    return rec


@org_service("banking.reconcile")
def reconciliation_discard(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    reconciliation: Reconciliation,
) -> None:
    """Delete a reconciliation in progress (started with the wrong date, say). A finished one
    is never deleted."""
    rec = _locked(reconciliation)
    if rec.status != Status.OPEN:
        raise ReconciliationConflict(
            f"The reconciliation of {_describe(rec)} is finished: it cannot be discarded."
        )
    audit_record(
        action="reconciliation.discard",
        actor=actor,
        organization=organization,
        obj=rec,
        changes={
            "statement_date": rec.statement_date.isoformat(),
            "statement_balance": str(rec.statement_balance),
        },
    )
    rec.delete()
