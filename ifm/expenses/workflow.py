"""The approval workflow of an expense: submit, withdraw, approve, reject, pay.

The workflow:

    draft --submit--> submitted --approve--> approved --pay--> paid (payments.py)
      |                 |   \\--reject--> rejected
      |                 \\--withdraw--> withdrawn
      (edit, receipts)

Above the organization's two-step threshold an expense needs two approvals: the first by
finance or an admin, the second by an admin who is not the first approver. Nobody approves or
rejects their own expense. Only a fully approved expense posts to the ledger (debit the
category in the expense's fund, credit accounts payable); paying it posts the payment (debit
accounts payable, credit the bank account). A rejected or withdrawn expense posts nothing.

Bulk approval (`expense_approve_many`) is all-or-nothing: either every listed expense gets the
approval, or none does and the error names each expense that failed. It is one decision made
on a reviewed list, and the platform's rule is that a batch is one transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import as_id
from ifm.core.org_context import org_context
from ifm.core.tasks import send_email_after_commit
from ifm.expenses import selectors
from ifm.expenses.models import Expense, ExpenseApproval, Function, Status
from ifm.expenses.services import (
    StateError,
    clean_values,
    lock,
    record_event,
    require_owner,
)
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.tenancy.roles import Role

MAX_BULK = 200


def detail_url(organization: Organization, expense: Expense) -> str:
    path = reverse(
        "expenses:expense_detail", kwargs={"org_slug": organization.slug, "expense_id": expense.pk}
    )
    return f"{settings.SITE_URL}{path}"


def send_email(to: list[str], subject: str, body: str) -> None:
    recipients = sorted({address for address in to if address})
    if recipients:
        send_email_after_commit(to=recipients, subject=subject, body=body)


def describe(expense: Expense) -> str:
    amount = f"{expense.amount:,.2f}" if expense.amount is not None else "(no amount)"
    return f"{expense.reference} · {expense.get_kind_display()} · {expense.payee} · {amount}"


def move(
    *,
    organization: Organization,
    actor: User,
    expense: Expense,
    to_status: str,
    action: str,
    note: str = "",
    fields: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Expense:
    from_status = expense.status
    expense.status = to_status
    for name, value in (fields or {}).items():
        setattr(expense, name, value)
    expense.save_versioned(
        expected_version=expense.version, user=actor, fields=["status", *(fields or {})]
    )
    record_event(
        organization=organization,
        actor=actor,
        expense=expense,
        from_status=from_status,
        to_status=to_status,
        action=action,
        note=note,
        changes=changes,
    )
    return expense


@org_service("expenses.submit")
def expense_submit(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    expected_version: int | None = None,
) -> Expense:
    """Send a draft for approval (its owner). Needs amount, category and fund."""
    require_owner(expense, actor, "submit")
    expense = lock(expense, expected_version)
    if expense.status != Status.DRAFT:
        raise StateError(
            f"Only a draft can be submitted; this expense is "
            f"{expense.get_status_display().lower()}."
        )
    fields: dict[str, Any] = {"submitted_at": timezone.now()}
    category = expense.expense_category
    if category is not None:
        # The category decides the account at submission (finance may have remapped it).
        if expense.category_id != category.account_id:
            fields["category"] = expense.category = category.account
        if not expense.function:
            fields["function"] = expense.function = category.default_function
    missing = [
        {"field": field, "message": message}
        for field, value, message in (
            ("amount", expense.amount, "Give the amount before submitting."),
            ("category_id", expense.category_id, "Choose a category before submitting."),
            ("fund_id", expense.fund_id, "Choose a fund before submitting."),
            (
                "function",
                expense.function or None,
                "Choose what the expense serves: program services, management and general, "
                "or fundraising.",
            ),
        )
        if value is None
    ]
    if missing:
        raise ServiceError(
            "The expense is not complete: " + " ".join(m["message"] for m in missing),
            errors=missing,
        )
    # The choices may have been deactivated since the draft was saved.
    clean_values({"category": expense.category_id, "fund": expense.fund_id})
    if expense.program_id is not None:
        clean_values({"program": expense.program_id})
    if expense.expense_category_id is not None:
        clean_values({"expense_category": expense.expense_category_id})
    move(
        organization=organization,
        actor=actor,
        expense=expense,
        to_status=Status.SUBMITTED,
        action="expense.submit",
        fields=fields,
    )
    threshold = selectors.two_step_threshold()
    steps = " It needs two approvals." if (expense.amount or 0) > threshold else ""
    send_email(
        selectors.approver_emails(exclude_user_ids={actor.pk}),
        f"Expense to approve: {expense.reference} {expense.payee}",
        f"{actor} submitted an expense for approval:\n\n{describe(expense)}\n"
        f"{expense.description}\n{steps}\n\nReview it: {detail_url(organization, expense)}\n",
    )
    return expense


@org_service("expenses.submit")
def expense_withdraw(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    reason: str = "",
    expected_version: int | None = None,
) -> Expense:
    """Take back a submitted expense before it is decided (its owner). Posts nothing."""
    require_owner(expense, actor, "withdraw")
    expense = lock(expense, expected_version)
    if expense.status != Status.SUBMITTED:
        raise StateError(
            f"Only a submitted expense can be withdrawn; this one is "
            f"{expense.get_status_display().lower()}."
        )
    return move(
        organization=organization,
        actor=actor,
        expense=expense,
        to_status=Status.WITHDRAWN,
        action="expense.withdraw",
        note=(reason or "").strip()[:2000],
    )


def _needs_two_steps(expense: Expense) -> bool:
    return (expense.amount or Decimal(0)) > selectors.two_step_threshold()


def _override_function(
    *, organization: Organization, actor: User, expense: Expense, function: str | None
) -> None:
    """The approver may correct the function the category's default gave (before posting)."""
    if not function or function == expense.function:
        return
    if function not in Function.values:
        raise ServiceError(
            "Choose program services, management and general, or fundraising.", field="function"
        )
    before, expense.function = expense.function, function
    expense.save_versioned(expected_version=expense.version, user=actor, fields=["function"])
    audit_record(
        action="expense.update",
        actor=actor,
        organization=organization,
        obj=expense,
        changes={"function": {"before": before, "after": function}},
    )


def _approve_locked(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    function: str | None = None,
) -> Expense:
    if expense.submitted_by_id == actor.pk:
        raise PermissionDenied("You cannot approve your own expense.")
    if expense.status != Status.SUBMITTED:
        raise StateError(
            f"Only a submitted expense can be approved; this one is "
            f"{expense.get_status_display().lower()}."
        )
    approvals = list(ExpenseApproval.objects.filter(expense=expense).order_by("step"))
    two_steps = _needs_two_steps(expense)
    threshold = selectors.two_step_threshold()
    if approvals:
        first = approvals[0]
        if first.approver_id == actor.pk:
            raise PermissionDenied(
                "You gave the first approval: a different admin must give the second."
            )
        if two_steps and getattr(access, "role", None) != Role.ADMIN:
            raise PermissionDenied(
                f"Above {threshold:,.2f} the second approval must come from an admin."
            )
    _override_function(organization=organization, actor=actor, expense=expense, function=function)
    step = len(approvals) + 1
    ExpenseApproval.objects.create(expense=expense, approver=actor, step=step)
    if two_steps and step == 1:
        move(
            organization=organization,
            actor=actor,
            expense=expense,
            to_status=Status.SUBMITTED,
            action="expense.approve_first",
            note=f"First approval (above {threshold:,.2f}: an admin must approve it too).",
            changes={"approval": {"after": f"step 1 by {actor}"}},
        )
        send_email(
            selectors.approver_emails(
                exclude_user_ids={actor.pk, expense.submitted_by_id}, admins_only=True
            ),
            f"Second approval needed: {expense.reference} {expense.payee}",
            f"{actor} approved {describe(expense)}.\nAbove {threshold:,.2f} an admin must "
            f"approve it too: {detail_url(organization, expense)}\n",
        )
        return expense
    entry = post_entry(
        organization=organization,
        actor=actor,
        date=expense.date,
        lines=[
            LineInput(
                account=expense.category_id,  # type: ignore[arg-type]
                fund=expense.fund_id,  # type: ignore[arg-type]
                debit=expense.amount,  # type: ignore[arg-type]
                program=expense.program_id,
                function=expense.function,
                memo=expense.description[:500],
            ),
            LineInput(
                account=account_by_role("accounts_payable"),
                fund=expense.fund_id,  # type: ignore[arg-type]
                credit=expense.amount,  # type: ignore[arg-type]
                memo=expense.payee[:500],
            ),
        ],
        memo=f"{expense.get_kind_display()} {expense.reference}: {expense.payee}"[:500],
        reference=expense.reference,
        source_type="expense",
        source_id=expense.pk,
    )
    move(
        organization=organization,
        actor=actor,
        expense=expense,
        to_status=Status.APPROVED,
        action="expense.approve",
        note="Second approval." if step == 2 else "",
        fields={"liability_entry": entry, "decided_at": timezone.now()},
        changes={"liability_entry": {"after": f"JE-{entry.number}"}},
    )
    send_email(
        [expense.submitted_by.email],
        f"Approved: {expense.reference} {expense.payee}",
        f"Your expense was approved by {actor}:\n\n{describe(expense)}\n\n"
        f"{detail_url(organization, expense)}\n",
    )
    return expense


@org_service("expenses.approve")
def expense_approve(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    expected_version: int | None = None,
    function: str | None = None,
) -> Expense:
    """Approve a submitted expense (not one's own); when fully approved, post the liability.

    `function` corrects the expense's function (finance overriding the category's default)."""
    if expense.submitted_by_id == actor.pk:
        raise PermissionDenied("You cannot approve your own expense.")
    expense = lock(expense, expected_version)
    return _approve_locked(
        organization=organization,
        actor=actor,
        access=access,
        expense=expense,
        function=function,
    )


@org_service("expenses.approve")
def expense_approve_many(
    *, organization: Organization, actor: User, access: Access | None, expense_ids: list[int]
) -> list[Expense]:
    """Approve several expenses at once, all or nothing (see the module's docstring)."""
    ids = list(dict.fromkeys(i for i in expense_ids if as_id(i) is not None))
    if not ids:
        raise ServiceError("Choose at least one expense to approve.", field="expense_ids")
    if len(ids) > MAX_BULK:
        raise ServiceError(f"Approve at most {MAX_BULK} expenses at once.", field="expense_ids")
    with org_context(organization):
        found = {
            e.pk: e
            for e in Expense.objects.select_for_update(of=("self",))
            .select_related("submitted_by")
            .filter(pk__in=ids)
        }
        errors: list[dict[str, str]] = []
        done: list[Expense] = []
        for position, expense_id in enumerate(ids):
            field = f"expense_ids.{position}"
            expense = found.get(expense_id)
            if expense is None:
                errors.append({"field": field, "message": f"EXP-{expense_id}: no such expense."})
                continue
            try:
                with transaction.atomic():
                    done.append(
                        _approve_locked(
                            organization=organization, actor=actor, access=access, expense=expense
                        )
                    )
            except (ServiceError, PermissionDenied) as exc:
                message = exc.message if isinstance(exc, ServiceError) else str(exc)
                errors.append({"field": field, "message": f"{expense.reference}: {message}"})
        if errors:
            raise ServiceError(
                f"Nothing was approved: {len(errors)} of {len(ids)} expenses cannot be. "
                + " ".join(e["message"] for e in errors),
                errors=errors,
            )
        return done


@org_service("expenses.approve")
def expense_reject(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    reason: str,
    expected_version: int | None = None,
) -> Expense:
    """Refuse a submitted expense with a reason the submitter is told. Posts nothing."""
    if expense.submitted_by_id == actor.pk:
        raise PermissionDenied("You cannot reject your own expense: withdraw it instead.")
    text = (reason or "").strip()
    if not text:
        raise ServiceError("Say why the expense is rejected.", field="reason")
    if len(text) > 2000:
        raise ServiceError("At most 2000 characters.", field="reason")
    expense = lock(expense, expected_version)
    if expense.status != Status.SUBMITTED:
        raise StateError(
            f"Only a submitted expense can be rejected; this one is "
            f"{expense.get_status_display().lower()}."
        )
    move(
        organization=organization,
        actor=actor,
        expense=expense,
        to_status=Status.REJECTED,
        action="expense.reject",
        note=text,
        fields={"rejected_reason": text, "decided_at": timezone.now()},
    )
    send_email(
        [expense.submitted_by.email],
        f"Rejected: {expense.reference} {expense.payee}",
        f"Your expense was rejected by {actor}:\n\n{describe(expense)}\n\nReason: {text}\n\n"
        f"{detail_url(organization, expense)}\n",
    )
    return expense
