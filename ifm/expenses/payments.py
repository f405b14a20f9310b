"""Paying approved expenses: one at a time, or several in one batch, from a cash or bank account,
each with its check number when paid by check.

Paying posts the payment (debit accounts payable, credit the cash or bank account, in the
expense's fund). "Paid from" is one of the ledger's cash accounts (`cash_accounts`): a building
or accumulated depreciation is refused, naming the field.

Bulk payment (`expense_pay_many`) is all-or-nothing, like bulk approval: one row that cannot be
paid (not approved, already paid, a check number given to two payees) refuses the whole batch,
and the error names each row. Check numbers: each row may carry its own; rows without one get
consecutive numbers from `first_check_number` when it is given (1001, 1002, ... in the order of
the rows, keeping leading zeros), or none (a transfer or card payment).
"""

from __future__ import annotations

import re
from datetime import date as date_type
from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.lookups import as_id, resolve
from ifm.expenses import selectors
from ifm.expenses.models import Expense, Status
from ifm.expenses.services import StateError, lock, valid_date
from ifm.expenses.workflow import MAX_BULK, describe, detail_url, move, send_email
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

CHECK_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")
PAID_FROM_MESSAGE = (
    "Choose an active cash or bank account of this organization to pay from "
    "(not a header or another kind of asset)."
)


def clean_check_number(value: Any, field: str = "check_number") -> str:
    text = str(value or "").strip()
    if text and not CHECK_NUMBER.match(text):
        raise ServiceError(
            "A check number is at most 20 letters, digits or dashes (such as 1042).", field=field
        )
    return text


def _paid_from(value: Any) -> Any:
    return resolve(selectors.payment_accounts(), value, "paid_from_account_id", PAID_FROM_MESSAGE)


def _check_taken_by_other_payee(
    *, account: Any, check_number: str, payee: str, exclude_ids: set[int]
) -> Expense | None:
    """An expense paid by this check from this account to someone else: one check, one payee."""
    if not check_number:
        return None
    return (
        Expense.objects.filter(paid_from=account, check_number=check_number, status=Status.PAID)
        .exclude(pk__in=exclude_ids)
        .exclude(payee__iexact=payee)
        .first()
    )


def _pay_locked(
    *,
    organization: Organization,
    actor: User,
    expense: Expense,
    account: Any,
    paid_on: date_type,
    check_number: str,
) -> Expense:
    if expense.status != Status.APPROVED:
        raise StateError(
            f"Only an approved expense can be paid; this one is "
            f"{expense.get_status_display().lower()}."
        )
    other = _check_taken_by_other_payee(
        account=account, check_number=check_number, payee=expense.payee, exclude_ids={expense.pk}
    )
    if other is not None:
        raise ServiceError(
            f"Check {check_number} from {account.number} already paid {other.reference} to "
            f"{other.payee}.",
            field="check_number",
        )
    check = f" by check {check_number}" if check_number else ""
    entry = post_entry(
        organization=organization,
        actor=actor,
        date=paid_on,
        lines=[
            LineInput(
                account=account_by_role("accounts_payable"),
                fund=expense.fund_id,  # type: ignore[arg-type]
                debit=expense.amount,  # type: ignore[arg-type]
                memo=expense.payee[:500],
            ),
            LineInput(
                account=account,
                fund=expense.fund_id,  # type: ignore[arg-type]
                credit=expense.amount,  # type: ignore[arg-type]
                memo=f"{expense.payee}{check}"[:500],
            ),
        ],
        memo=f"Payment of {expense.reference}: {expense.payee}{check}"[:500],
        reference=expense.reference,
        source_type="expense",
        source_id=expense.pk,
    )
    changes: dict[str, Any] = {"payment_entry": {"after": f"JE-{entry.number}"}}
    if check_number:
        changes["check_number"] = {"after": check_number}
    move(
        organization=organization,
        actor=actor,
        expense=expense,
        to_status=Status.PAID,
        action="expense.pay",
        note=f"Paid from {account} on {paid_on:%Y-%m-%d}{check}.",
        fields={
            "payment_entry": entry,
            "paid_from": account,
            "paid_on": paid_on,
            "paid_at": timezone.now(),
            "check_number": check_number,
        },
        changes=changes,
    )
    send_email(
        [expense.submitted_by.email],
        f"Paid: {expense.reference} {expense.payee}",
        f"Your expense was paid on {paid_on:%Y-%m-%d}{check}:\n\n{describe(expense)}\n\n"
        f"{detail_url(organization, expense)}\n",
    )
    return expense


@org_service("expenses.pay")
def expense_pay(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    paid_from: Any,
    date: date_type,
    check_number: str = "",
    expected_version: int | None = None,
) -> Expense:
    """Record the payment of an approved expense from a cash or bank account."""
    account = _paid_from(paid_from)
    paid_on = valid_date(date, "date")
    number = clean_check_number(check_number)
    expense = lock(expense, expected_version)
    return _pay_locked(
        organization=organization,
        actor=actor,
        expense=expense,
        account=account,
        paid_on=paid_on,
        check_number=number,
    )


def _numbering(first_check_number: Any) -> tuple[int, int] | None:
    """(first number, width) from a starting check number, or None when none is given."""
    text = str(first_check_number or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise ServiceError(
            "The first check number must be digits only (such as 1042), so the next ones "
            "can follow it.",
            field="first_check_number",
        )
    return int(text), len(text)


def _check_numbers(
    rows: list[dict[str, Any]], first_check_number: Any, errors: list[dict[str, str]]
) -> list[str]:
    """Each row's check number: its own, or the next from `first_check_number`."""
    numbering = _numbering(first_check_number)
    next_number = numbering[0] if numbering else 0
    numbers: list[str] = []
    for position, row in enumerate(rows):
        field = f"payments.{position}.check_number"
        try:
            own = clean_check_number(row.get("check_number"), field)
        except ServiceError as exc:
            errors.append({"field": field, "message": f"Row {position + 1}: {exc.message}"})
            own = ""
        if not own and numbering:
            own = str(next_number).zfill(numbering[1])
            next_number += 1
        numbers.append(own)
    return numbers


@org_service("expenses.pay")
def expense_pay_many(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    payments: list[dict[str, Any]],
    paid_from: Any,
    date: date_type,
    first_check_number: Any = None,
) -> list[Expense]:
    """Pay several approved expenses on one date from one account, all or nothing.

    `payments` lists `{"expense_id": ..., "check_number": ...}` (the check number optional);
    see the module's docstring for how check numbers are given or numbered."""
    if not payments:
        raise ServiceError("Choose at least one expense to pay.", field="payments")
    if len(payments) > MAX_BULK:
        raise ServiceError(f"Pay at most {MAX_BULK} expenses at once.", field="payments")
    account = _paid_from(paid_from)
    paid_on = valid_date(date, "date")
    errors: list[dict[str, str]] = []
    numbers = _check_numbers(payments, first_check_number, errors)
    ids = [as_id(row.get("expense_id")) for row in payments]
    found = {
        e.pk: e
        for e in Expense.objects.select_for_update(of=("self",))
        .select_related("submitted_by")
        .filter(pk__in=[i for i in ids if i is not None])
    }
    seen: set[int] = set()
    check_payee: dict[str, str] = {}
    done: list[Expense] = []
    for position, (expense_id, number) in enumerate(zip(ids, numbers, strict=True)):
        field = f"payments.{position}.expense_id"
        label = f"Row {position + 1}"
        expense = found.get(expense_id) if expense_id is not None else None
        if expense is None:
            errors.append({"field": field, "message": f"{label}: no such expense."})
            continue
        label = f"{label} ({expense.reference})"
        if expense.pk in seen:
            errors.append({"field": field, "message": f"{label}: listed twice."})
            continue
        seen.add(expense.pk)
        if (
            number
            and check_payee.setdefault(number, expense.payee.lower()) != expense.payee.lower()
        ):
            errors.append(
                {
                    "field": f"payments.{position}.check_number",
                    "message": f"{label}: check {number} is already used in this batch for "
                    "another payee.",
                }
            )
            continue
        try:
            with transaction.atomic():
                done.append(
                    _pay_locked(
                        organization=organization,
                        actor=actor,
                        expense=expense,
                        account=account,
                        paid_on=paid_on,
                        check_number=number,
                    )
                )
        except ServiceError as exc:
            name = "check_number" if exc.errors and exc.errors[0]["field"] == "check_number" else ""
            errors.append(
                {
                    "field": f"payments.{position}.{name or 'expense_id'}",
                    "message": f"{label}: {exc.message}",
                }
            )
    if errors:
        raise ServiceError(
            f"Nothing was paid: {len(errors)} of {len(payments)} rows cannot be. "
            + " ".join(e["message"] for e in errors),
            errors=errors,
        )
    return done
