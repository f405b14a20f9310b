"""Reads of the expenses app: who may see which expense, lists, totals, choices for forms.

Ledger rows (accounts, funds, programs) are read through the foreign keys' models, looked up
by label, so this app imports nothing of the ledger but its services and selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ifm.core.org_context import require_org_id
from ifm.expenses.models import (
    DEFAULT_TWO_STEP_THRESHOLD,
    Expense,
    ExpenseApproval,
    ExpenseCategory,
    ExpenseSettings,
    Receipt,
    Status,
)
from ifm.ledger.chart import selectors as ledger_selectors
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import PERMISSIONS, Access, has_perm
from ifm.tenancy.roles import Role

ZERO = Decimal("0.00")


# --- Choices the forms and services accept ---------------------------------------------------


def expense_categories() -> QuerySet[Any]:
    """Active expense accounts that take postings (no headers)."""
    return ledger_selectors.postable_accounts(type="expense")


def payment_accounts() -> QuerySet[Any]:
    """The cash and bank accounts (the ledger's `cash_accounts`): where a payment comes from."""
    return ledger_selectors.cash_accounts(Organization(pk=require_org_id()))


def active_categories() -> QuerySet[ExpenseCategory]:
    """The categories staff may choose, by their plain names."""
    return ExpenseCategory.objects.filter(is_active=True).order_by("name")


def category_list(*, active: bool | None = None, q: str = "") -> QuerySet[ExpenseCategory]:
    qs = ExpenseCategory.objects.select_related("account").annotate(expense_count=Count("expenses"))
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("name", "id")


def category_get(category_id: int) -> ExpenseCategory | None:
    return ExpenseCategory.objects.select_related("account").filter(pk=category_id).first()


active_funds = ledger_selectors.active_funds
active_programs = ledger_selectors.active_programs


def default_payment_account_id() -> int | None:
    row = payment_accounts().filter(role="default_bank").values_list("pk", flat=True).first()
    return row


# --- Settings ----------------------------------------------------------------------------------


def expense_settings_get() -> ExpenseSettings:
    """The organization's settings row, or the defaults (unsaved) when none was saved yet."""
    row = ExpenseSettings.objects.first()
    return (
        row if row is not None else ExpenseSettings(two_step_threshold=DEFAULT_TWO_STEP_THRESHOLD)
    )


def two_step_threshold() -> Decimal:
    return expense_settings_get().two_step_threshold


# --- Who sees what -----------------------------------------------------------------------------


def can_see(*, user: Any, access: Access | None, expense: Expense) -> bool:
    if access is None or not access.is_active:
        return False
    return expense.submitted_by_id == user.pk or has_perm(access, "expenses.view_all")


def expense_visible(*, user: Any, access: Access | None) -> QuerySet[Expense]:
    """Every expense this person may see: their own, or all with expenses.view_all."""
    qs = Expense.objects.all()
    if has_perm(access, "expenses.view_all"):
        return qs
    if has_perm(access, "expenses.submit") and access is not None:
        return qs.filter(submitted_by=user)
    return qs.none()


def expense_get(*, user: Any, access: Access | None, expense_id: int) -> Expense | None:
    """One expense the person may see, or None (missing, another organization's, or not theirs)."""
    return (
        expense_visible(user=user, access=access)
        .select_related(
            "category", "expense_category", "fund", "program", "submitted_by", "paid_from"
        )
        .filter(pk=expense_id)
        .first()
    )


# The list's tabs: what each shows. "to_approve" and "to_pay" are for approvers and payers.
VIEWS = ("to_approve", "to_pay", "all", "mine")


def default_view(access: Access | None) -> str:
    """Approvers land on what waits for them; everyone else on their own expenses."""
    return "to_approve" if has_perm(access, "expenses.approve") else "mine"


def view_filter(qs: QuerySet[Expense], *, view: str, user: Any) -> QuerySet[Expense]:
    """The expenses of one tab (`view`); an unknown view is "mine"."""
    if view == "to_approve":
        return qs.filter(status=Status.SUBMITTED)
    if view == "to_pay":
        return qs.filter(status=Status.APPROVED)
    if view == "all":
        return qs
    return qs.filter(submitted_by=user)


def with_receipt_info(qs: QuerySet[Expense]) -> QuerySet[Expense]:
    """Each expense with `receipt_count` and its receipts (for the queue's thumbnails)."""
    return qs.annotate(
        receipt_count=Count("receipts", distinct=True),
        has_receipt=Exists(Receipt.objects.filter(expense=OuterRef("pk"))),
    ).prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by("uploaded_at", "id")))


def expense_list(
    *,
    user: Any,
    access: Access | None,
    view: str = "",
    mine: bool = False,
    status: str = "",
    kind: str = "",
    q: str = "",
    fund_id: int | None = None,
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[Expense]:
    qs = expense_visible(user=user, access=access)
    if view:
        qs = view_filter(qs, view=view, user=user)
    if mine:
        qs = qs.filter(submitted_by=user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if fund_id:
        qs = qs.filter(fund_id=fund_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if q:
        term = q.strip()
        cond = (
            Q(payee__icontains=term)
            | Q(description__icontains=term)
            | Q(submitted_by__email__icontains=term)
            | Q(submitted_by__full_name__icontains=term)
        )
        ref = term.upper().removeprefix("EXP-")
        if ref.isdigit() and len(ref) < 18:
            cond |= Q(pk=int(ref))
        qs = qs.filter(cond)
    return qs.select_related("category", "expense_category", "fund", "program", "submitted_by")


def to_pay_list(*, q: str = "", kind: str = "", fund_id: int | None = None) -> QuerySet[Expense]:
    """Approved expenses waiting for payment, oldest approval first."""
    qs = Expense.objects.filter(status=Status.APPROVED)
    if kind:
        qs = qs.filter(kind=kind)
    if fund_id:
        qs = qs.filter(fund_id=fund_id)
    if q:
        term = q.strip()
        qs = qs.filter(
            Q(payee__icontains=term)
            | Q(description__icontains=term)
            | Q(submitted_by__email__icontains=term)
            | Q(submitted_by__full_name__icontains=term)
        )
    return with_receipt_info(
        qs.select_related("category", "expense_category", "fund", "program", "submitted_by")
    ).order_by("decided_at", "id")


def approval_queue(
    *, q: str = "", kind: str = "", fund_id: int | None = None, step: str = ""
) -> QuerySet[Expense]:
    """Submitted expenses waiting for a decision, oldest submission first."""
    qs = Expense.objects.filter(status=Status.SUBMITTED).annotate(approval_count=Count("approvals"))
    if kind:
        qs = qs.filter(kind=kind)
    if fund_id:
        qs = qs.filter(fund_id=fund_id)
    if step == "second":
        qs = qs.filter(approval_count__gte=1)
    elif step == "first":
        qs = qs.filter(approval_count=0)
    if q:
        term = q.strip()
        qs = qs.filter(
            Q(payee__icontains=term)
            | Q(description__icontains=term)
            | Q(submitted_by__email__icontains=term)
            | Q(submitted_by__full_name__icontains=term)
        )
    return (
        with_receipt_info(
            qs.select_related("category", "expense_category", "fund", "program", "submitted_by")
        )
        .prefetch_related(
            Prefetch(
                "approvals",
                queryset=ExpenseApproval.objects.select_related("approver").order_by("step"),
            )
        )
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal


def totals(qs: QuerySet[Expense]) -> Totals:
    row = qs.order_by().aggregate(n=Count("id"), total=Coalesce(Sum("amount"), ZERO))
    return Totals(row["n"], row["total"])


def totals_by_status(qs: QuerySet[Expense]) -> dict[str, Totals]:
    rows = (
        qs.order_by().values("status").annotate(n=Count("id"), total=Coalesce(Sum("amount"), ZERO))
    )
    return {row["status"]: Totals(row["n"], row["total"]) for row in rows}


def hidden_counts(*, user: Any, access: Access | None) -> dict[str, int]:
    """How many expenses each tab holds, for empty states that say what a filter hides."""
    qs = expense_visible(user=user, access=access).order_by()
    row = qs.aggregate(
        all=Count("id"),
        mine=Count("id", filter=Q(submitted_by=user)),
        to_approve=Count("id", filter=Q(status=Status.SUBMITTED)),
        to_pay=Count("id", filter=Q(status=Status.APPROVED)),
    )
    return {key: int(value or 0) for key, value in row.items()}


def receipt_get(*, user: Any, access: Access | None, receipt_id: int) -> Receipt | None:
    """A receipt whose expense the person may see, or None."""
    receipt = Receipt.objects.select_related("expense").filter(pk=receipt_id).first()
    if receipt is None or not can_see(user=user, access=access, expense=receipt.expense):
        return None
    return receipt


def approvals_for(expense: Expense) -> QuerySet[ExpenseApproval]:
    return ExpenseApproval.objects.filter(expense=expense).select_related("approver")


def approver_emails(*, exclude_user_ids: set[int], admins_only: bool = False) -> list[str]:
    """Emails of the active members who may approve expenses (or only admins)."""
    roles = (
        [Role.ADMIN.value]
        if admins_only
        else [r.value for r in PERMISSIONS["expenses.approve"].roles]
    )
    return sorted(
        Membership.objects.filter(is_active=True, role__in=roles, user__is_active=True)
        .exclude(user_id__in=exclude_user_ids)
        .values_list("user__email", flat=True)
    )
