"""Every write of the expenses app: drafts, receipts, the approval workflow, payment, settings.

The workflow:

    draft --submit--> submitted --approve--> approved --pay--> paid
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

import hashlib
import re
import unicodedata
from datetime import date as date_type
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.files import save_in_transaction
from ifm.core.lookups import as_id, resolve
from ifm.core.money import clean_money
from ifm.core.org_context import org_context
from ifm.core.tasks import send_email_after_commit
from ifm.expenses import selectors
from ifm.expenses.models import (
    Expense,
    ExpenseApproval,
    ExpenseEvent,
    ExpenseSettings,
    Function,
    Kind,
    Receipt,
    Status,
)
from ifm.ledger.services import LineInput, account_by_role, post_entry
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm
from ifm.tenancy.roles import Role

MAX_RECEIPT_BYTES = 10 * 1024 * 1024
MAX_RECEIPTS_PER_EXPENSE = 20
MAX_BULK = 200
# What a receipt may be, recognised by the first bytes of its content.
RECEIPT_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class UNSET:
    """Marks an argument that was not given (None is a value: "clear the program")."""


class StateError(ServiceError):
    """The expense is not in a state that allows this (409)."""

    status = 409


# --- Validation --------------------------------------------------------------------------------


def _valid_date(value: Any, field: str) -> date_type:
    if not isinstance(value, date_type):
        raise ServiceError("Give a date as YYYY-MM-DD.", field=field)
    today = timezone.localdate()
    if value < today - timedelta(days=3660) or value > today + timedelta(days=366):
        raise ServiceError(
            "The date must be within the last ten years and at most a year ahead.", field=field
        )
    return value


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check the editable fields given in `values`; every error at once, each naming its field."""
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    def check(field: str, fn: Any) -> None:
        if field not in values:
            return
        try:
            cleaned[field] = fn(values[field])
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": field, "message": exc.message}])

    def kind(v: Any) -> str:
        if v not in Kind.values:
            raise ServiceError("Choose a claim or a bill.", field="kind")
        return str(v)

    def payee(v: Any) -> str:
        text = " ".join(str(v or "").split())
        if not text:
            raise ServiceError("Say who is paid: the person or the vendor.", field="payee")
        if len(text) > 200:
            raise ServiceError("At most 200 characters.", field="payee")
        return text

    def function(v: Any) -> str:
        if v not in Function.values:
            raise ServiceError(
                "Choose program services, management and general, or fundraising.",
                field="function",
            )
        return str(v)

    def description(v: Any) -> str:
        text = str(v or "").strip()
        if len(text) > 2000:
            raise ServiceError("At most 2000 characters.", field="description")
        return text

    def optional(fn: Any) -> Any:
        return lambda v: None if v is None or v == "" else fn(v)

    check("kind", kind)
    check("payee", payee)
    check("date", lambda v: _valid_date(v, "date"))
    check("function", function)
    check("description", description)
    check("amount", optional(lambda v: clean_money(v, "amount")))
    check(
        "category",
        optional(
            lambda v: resolve(
                selectors.expense_categories(),
                v,
                "category_id",
                "Choose an active expense account of this organization (not a header).",
            )
        ),
    )
    check(
        "fund",
        optional(
            lambda v: resolve(
                selectors.active_funds(),
                v,
                "fund_id",
                "Choose an active fund of this organization.",
            )
        ),
    )
    check(
        "program",
        optional(
            lambda v: resolve(
                selectors.active_programs(),
                v,
                "program_id",
                "Choose an active program of this organization, or none.",
            )
        ),
    )
    if errors:
        raise ServiceError(
            "The expense has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return cleaned


# --- Helpers -----------------------------------------------------------------------------------


def _require_owner(expense: Expense, actor: Any, what: str) -> None:
    if expense.submitted_by_id != actor.pk:
        raise PermissionDenied(f"Only the person who entered the expense may {what} it.")


def _lock(expense: Expense, expected_version: int | None = None) -> Expense:
    """The expense re-read under a row lock; a stale `expected_version` is a 409."""
    fresh = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("category", "fund", "program", "submitted_by")
        .get(pk=expense.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=str(fresh.updated_by) if fresh.updated_by else None,
            changed_at=fresh.updated_at,
        )
    return fresh


def _detail_url(organization: Organization, expense: Expense) -> str:
    path = reverse(
        "expense_detail", kwargs={"org_slug": organization.slug, "expense_id": expense.pk}
    )
    return f"{settings.SITE_URL}{path}"


def _email(to: list[str], subject: str, body: str) -> None:
    recipients = sorted({address for address in to if address})
    if recipients:
        send_email_after_commit(to=recipients, subject=subject, body=body)


def _describe(expense: Expense) -> str:
    amount = f"{expense.amount:,.2f}" if expense.amount is not None else "(no amount)"
    return f"{expense.reference} · {expense.get_kind_display()} · {expense.payee} · {amount}"


def _record(
    *,
    organization: Organization,
    actor: Any,
    expense: Expense,
    from_status: str,
    to_status: str,
    action: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    ExpenseEvent.objects.create(
        expense=expense,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        note=note[:2000],
    )
    all_changes: dict[str, Any] = {}
    if from_status != to_status:
        all_changes["status"] = {"before": from_status or None, "after": to_status}
    all_changes.update(changes or {})
    audit_record(
        action=action, actor=actor, organization=organization, obj=expense, changes=all_changes
    )


def _move(
    *,
    organization: Organization,
    actor: Any,
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
    _record(
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


def _as_json(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


# --- Drafts ------------------------------------------------------------------------------------


@transaction.atomic
def expense_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    kind: str,
    payee: str,
    date: date_type,
    function: str,
    amount: Decimal | str | None = None,
    category: Any = None,
    fund: Any = None,
    program: Any = None,
    description: str = "",
) -> Expense:
    """A new draft claim or bill of the acting person. Amount, category and fund may wait."""
    require_perm(access, "expenses.submit")
    with org_context(organization):
        values = _clean(
            {
                "kind": kind,
                "payee": payee,
                "date": date,
                "function": function,
                "amount": amount,
                "category": category,
                "fund": fund,
                "program": program,
                "description": description,
            }
        )
        expense = Expense.objects.create(
            organization=organization,
            submitted_by=actor,
            updated_by=actor,
            status=Status.DRAFT,
            **values,
        )
        _record(
            organization=organization,
            actor=actor,
            expense=expense,
            from_status="",
            to_status=Status.DRAFT,
            action="expense.create",
            changes={k: _as_json(v) for k, v in values.items()},
        )
        return expense


@transaction.atomic
def expense_update(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    expected_version: int,
    kind: Any = UNSET,
    payee: Any = UNSET,
    date: Any = UNSET,
    function: Any = UNSET,
    amount: Any = UNSET,
    category: Any = UNSET,
    fund: Any = UNSET,
    program: Any = UNSET,
    description: Any = UNSET,
) -> Expense:
    """Change a draft (its owner only). Fields left UNSET stay; a stale version is a 409."""
    require_perm(access, "expenses.submit")
    with org_context(organization):
        _require_owner(expense, actor, "edit")
        expense = _lock(expense, expected_version)
        if expense.status != Status.DRAFT:
            raise StateError(
                "Only a draft can be edited; this expense is "
                f"{expense.get_status_display().lower()}."
            )
        given = {
            name: value
            for name, value in {
                "kind": kind,
                "payee": payee,
                "date": date,
                "function": function,
                "amount": amount,
                "category": category,
                "fund": fund,
                "program": program,
                "description": description,
            }.items()
            if value is not UNSET
        }
        values = _clean(given)
        changes = {}
        for name, value in values.items():
            before = getattr(expense, name)
            if _as_json(before) != _as_json(value):
                changes[name] = {"before": _as_json(before), "after": _as_json(value)}
            setattr(expense, name, value)
        if not changes:
            return expense
        expense.save_versioned(expected_version=expected_version, user=actor, fields=list(values))
        audit_record(
            action="expense.update",
            actor=actor,
            organization=organization,
            obj=expense,
            changes=changes,
        )
        return expense


# --- Receipts ----------------------------------------------------------------------------------


def detect_receipt_type(head: bytes) -> str | None:
    """The content type of a receipt from its first bytes, or None when it is not allowed."""
    for signature, content_type in RECEIPT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _clean_filename(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (base or "receipt")[:255]


@transaction.atomic
def receipt_add(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    file: UploadedFile,
) -> Receipt:
    """Attach a PDF, JPEG or PNG (recognised by its content) of at most 10 MB to a draft."""
    require_perm(access, "expenses.submit")
    with org_context(organization):
        _require_owner(expense, actor, "add receipts to")
        expense = _lock(expense)
        if expense.status != Status.DRAFT:
            raise StateError("Receipts can be added only while the expense is a draft.")
        name = _clean_filename(file.name or "")
        size = file.size or 0
        if size > MAX_RECEIPT_BYTES:
            raise ServiceError(
                f"{name} is {size / (1024 * 1024):.1f} MB: a receipt may be at most 10 MB.",
                field="file",
            )
        if size == 0:
            raise ServiceError(f"{name} is empty.", field="file")
        file.seek(0)
        content_type = detect_receipt_type(file.read(8))
        if content_type is None:
            raise ServiceError(
                f"{name} is not a PDF, JPEG or PNG file (judged by its content, not its name): "
                "scan or save the receipt as one of those.",
                field="file",
            )
        if Receipt.objects.filter(expense=expense).count() >= MAX_RECEIPTS_PER_EXPENSE:
            raise ServiceError(
                f"An expense may have at most {MAX_RECEIPTS_PER_EXPENSE} receipts.", field="file"
            )
        digest = hashlib.sha256()
        file.seek(0)
        for chunk in file.chunks():
            digest.update(chunk)
        file.seek(0)
        receipt = Receipt(
            organization=organization,
            expense=expense,
            original_name=name,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        save_in_transaction(receipt.file, name, file)
        receipt.save()
        _record(
            organization=organization,
            actor=actor,
            expense=expense,
            from_status=expense.status,
            to_status=expense.status,
            action="expense.receipt_add",
            note=f"Receipt added: {name}",
            changes={"receipt": {"after": name}, "sha256": receipt.sha256},
        )
        return receipt


@transaction.atomic
def receipt_remove(
    *, organization: Organization, actor: Any, access: Access | None, receipt: Receipt
) -> None:
    require_perm(access, "expenses.submit")
    with org_context(organization):
        expense = receipt.expense
        _require_owner(expense, actor, "remove receipts from")
        expense = _lock(expense)
        if expense.status != Status.DRAFT:
            raise StateError("Receipts can be removed only while the expense is a draft.")
        name, stored = receipt.original_name, receipt.file.name
        storage = receipt.file.storage
        receipt.delete()
        transaction.on_commit(lambda: storage.delete(stored) if stored else None)
        _record(
            organization=organization,
            actor=actor,
            expense=expense,
            from_status=expense.status,
            to_status=expense.status,
            action="expense.receipt_remove",
            note=f"Receipt removed: {name}",
            changes={"receipt": {"before": name}},
        )


# --- The workflow ------------------------------------------------------------------------------


@transaction.atomic
def expense_submit(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    expected_version: int | None = None,
) -> Expense:
    """Send a draft for approval (its owner). Needs amount, category and fund."""
    require_perm(access, "expenses.submit")
    with org_context(organization):
        _require_owner(expense, actor, "submit")
        expense = _lock(expense, expected_version)
        if expense.status != Status.DRAFT:
            raise StateError(
                f"Only a draft can be submitted; this expense is "
                f"{expense.get_status_display().lower()}."
            )
        missing = [
            {"field": field, "message": message}
            for field, value, message in (
                ("amount", expense.amount, "Give the amount before submitting."),
                ("category_id", expense.category_id, "Choose a category before submitting."),
                ("fund_id", expense.fund_id, "Choose a fund before submitting."),
            )
            if value is None
        ]
        if missing:
            raise ServiceError(
                "The expense is not complete: " + " ".join(m["message"] for m in missing),
                errors=missing,
            )
        # The choices may have been deactivated since the draft was saved.
        _clean({"category": expense.category_id, "fund": expense.fund_id})
        if expense.program_id is not None:
            _clean({"program": expense.program_id})
        _move(
            organization=organization,
            actor=actor,
            expense=expense,
            to_status=Status.SUBMITTED,
            action="expense.submit",
            fields={"submitted_at": timezone.now()},
        )
        threshold = selectors.two_step_threshold()
        steps = " It needs two approvals." if (expense.amount or 0) > threshold else ""
        _email(
            selectors.approver_emails(exclude_user_ids={actor.pk}),
            f"Expense to approve: {expense.reference} {expense.payee}",
            f"{actor} submitted an expense for approval:\n\n{_describe(expense)}\n"
            f"{expense.description}\n{steps}\n\nReview it: {_detail_url(organization, expense)}\n",
        )
        return expense


@transaction.atomic
def expense_withdraw(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    reason: str = "",
    expected_version: int | None = None,
) -> Expense:
    """Take back a submitted expense before it is decided (its owner). Posts nothing."""
    require_perm(access, "expenses.submit")
    with org_context(organization):
        _require_owner(expense, actor, "withdraw")
        expense = _lock(expense, expected_version)
        if expense.status != Status.SUBMITTED:
            raise StateError(
                f"Only a submitted expense can be withdrawn; this one is "
                f"{expense.get_status_display().lower()}."
            )
        return _move(
            organization=organization,
            actor=actor,
            expense=expense,
            to_status=Status.WITHDRAWN,
            action="expense.withdraw",
            note=(reason or "").strip()[:2000],
        )


def _needs_two_steps(expense: Expense) -> bool:
    return (expense.amount or Decimal(0)) > selectors.two_step_threshold()


def _approve_locked(
    *, organization: Organization, actor: Any, access: Access | None, expense: Expense
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
    step = len(approvals) + 1
    ExpenseApproval.objects.create(expense=expense, approver=actor, step=step)
    if two_steps and step == 1:
        _move(
            organization=organization,
            actor=actor,
            expense=expense,
            to_status=Status.SUBMITTED,
            action="expense.approve_first",
            note=f"First approval (above {threshold:,.2f}: an admin must approve it too).",
            changes={"approval": {"after": f"step 1 by {actor}"}},
        )
        _email(
            selectors.approver_emails(
                exclude_user_ids={actor.pk, expense.submitted_by_id}, admins_only=True
            ),
            f"Second approval needed: {expense.reference} {expense.payee}",
            f"{actor} approved {_describe(expense)}.\nAbove {threshold:,.2f} an admin must "
            f"approve it too: {_detail_url(organization, expense)}\n",
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
    _move(
        organization=organization,
        actor=actor,
        expense=expense,
        to_status=Status.APPROVED,
        action="expense.approve",
        note="Second approval." if step == 2 else "",
        fields={"liability_entry": entry, "decided_at": timezone.now()},
        changes={"liability_entry": {"after": f"JE-{entry.number}"}},
    )
    _email(
        [expense.submitted_by.email],
        f"Approved: {expense.reference} {expense.payee}",
        f"Your expense was approved by {actor}:\n\n{_describe(expense)}\n\n"
        f"{_detail_url(organization, expense)}\n",
    )
    return expense


@transaction.atomic
def expense_approve(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    expected_version: int | None = None,
) -> Expense:
    """Approve a submitted expense (not one's own); when fully approved, post the liability."""
    require_perm(access, "expenses.approve")
    with org_context(organization):
        if expense.submitted_by_id == actor.pk:
            raise PermissionDenied("You cannot approve your own expense.")
        expense = _lock(expense, expected_version)
        return _approve_locked(
            organization=organization, actor=actor, access=access, expense=expense
        )


@transaction.atomic
def expense_approve_many(
    *, organization: Organization, actor: Any, access: Access | None, expense_ids: list[int]
) -> list[Expense]:
    """Approve several expenses at once, all or nothing (see the module's docstring)."""
    require_perm(access, "expenses.approve")
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


@transaction.atomic
def expense_reject(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    reason: str,
    expected_version: int | None = None,
) -> Expense:
    """Refuse a submitted expense with a reason the submitter is told. Posts nothing."""
    require_perm(access, "expenses.approve")
    with org_context(organization):
        if expense.submitted_by_id == actor.pk:
            raise PermissionDenied("You cannot reject your own expense: withdraw it instead.")
        text = (reason or "").strip()
        if not text:
            raise ServiceError("Say why the expense is rejected.", field="reason")
        if len(text) > 2000:
            raise ServiceError("At most 2000 characters.", field="reason")
        expense = _lock(expense, expected_version)
        if expense.status != Status.SUBMITTED:
            raise StateError(
                f"Only a submitted expense can be rejected; this one is "
                f"{expense.get_status_display().lower()}."
            )
        _move(
            organization=organization,
            actor=actor,
            expense=expense,
            to_status=Status.REJECTED,
            action="expense.reject",
            note=text,
            fields={"rejected_reason": text, "decided_at": timezone.now()},
        )
        _email(
            [expense.submitted_by.email],
            f"Rejected: {expense.reference} {expense.payee}",
            f"Your expense was rejected by {actor}:\n\n{_describe(expense)}\n\nReason: {text}\n\n"
            f"{_detail_url(organization, expense)}\n",
        )
        return expense


@transaction.atomic
def expense_pay(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    expense: Expense,
    paid_from: Any,
    date: date_type,
    expected_version: int | None = None,
) -> Expense:
    """Record the payment of an approved expense from an asset (bank) account."""
    require_perm(access, "expenses.pay")
    with org_context(organization):
        account = resolve(
            selectors.payment_accounts(),
            paid_from,
            "paid_from_account_id",
            "Choose an active asset account of this organization (not a header) to pay from.",
        )
        paid_on = _valid_date(date, "date")
        expense = _lock(expense, expected_version)
        if expense.status != Status.APPROVED:
            raise StateError(
                f"Only an approved expense can be paid; this one is "
                f"{expense.get_status_display().lower()}."
            )
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
                    memo=expense.payee[:500],
                ),
            ],
            memo=f"Payment of {expense.reference}: {expense.payee}"[:500],
            reference=expense.reference,
            source_type="expense",
            source_id=expense.pk,
        )
        _move(
            organization=organization,
            actor=actor,
            expense=expense,
            to_status=Status.PAID,
            action="expense.pay",
            note=f"Paid from {account} on {paid_on:%Y-%m-%d}.",
            fields={
                "payment_entry": entry,
                "paid_from": account,
                "paid_on": paid_on,
                "paid_at": timezone.now(),
            },
            changes={"payment_entry": {"after": f"JE-{entry.number}"}},
        )
        _email(
            [expense.submitted_by.email],
            f"Paid: {expense.reference} {expense.payee}",
            f"Your expense was paid on {paid_on:%Y-%m-%d}:\n\n{_describe(expense)}\n\n"
            f"{_detail_url(organization, expense)}\n",
        )
        return expense


# --- Settings ----------------------------------------------------------------------------------


@transaction.atomic
def expense_settings_update(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    two_step_threshold: Decimal | str,
    expected_version: int,
) -> ExpenseSettings:
    """Change the amount above which an expense needs a second approval, by an admin."""
    require_perm(access, "expenses.configure")
    with org_context(organization):
        threshold = clean_money(two_step_threshold, "two_step_threshold", allow_zero=True)
        row, _ = ExpenseSettings.objects.get_or_create(organization=organization)
        before = row.two_step_threshold
        row.two_step_threshold = threshold
        row.save_versioned(
            expected_version=expected_version, user=actor, fields=["two_step_threshold"]
        )
        audit_record(
            action="expense_settings.update",
            actor=actor,
            organization=organization,
            obj=row,
            changes={"two_step_threshold": {"before": str(before), "after": str(threshold)}},
        )
        return row
