"""Expense pages: the lists ("All", "Mine"), the form, the detail with its history and actions.

The approval queue and the list to pay are in queues.py, receipt files in receipt_views.py, the
settings and categories in settings_views.py. Thin: every write goes through services,
workflow, payments or records, every read through selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, is_htmx_partial
from ifm.core.sorting import SortOptions
from ifm.expenses import exports, payments, records, selectors, services, workflow
from ifm.expenses.forms import (
    OTHER,
    ApproveForm,
    ExpenseFilterForm,
    ExpenseForm,
    PayForm,
    ReceiptForm,
    RejectForm,
    add_service_errors,
)
from ifm.expenses.models import Expense, Status
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
ACTIONS = ("submit", "withdraw", "approve", "reject", "pay")


def require_any(request: OrgRequest, *codes: str) -> None:
    if not any(has_perm(request.access, code) for code in codes):
        require_perm(request.access, codes[0])


def expense_or_404(request: OrgRequest, expense_id: int) -> Expense:
    expense = selectors.expense_get(user=request.user, access=request.access, expense_id=expense_id)
    if expense is None:
        raise Http404("No such expense.")
    return expense


def detail_url(request: OrgRequest, expense: Expense) -> str:
    return reverse(
        "expenses:expense_detail", kwargs={"org_slug": request.org.slug, "expense_id": expense.pk}
    )


def next_or(request: OrgRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Lists: All and Mine ------------------------------------------------------------------------


def _filtered_list(request: OrgRequest) -> tuple[ExpenseFilterForm, Any]:
    access = request.access
    form = ExpenseFilterForm(
        request.GET or None, can_view_all=has_perm(access, "expenses.view_all")
    )
    kwargs = form.selector_kwargs() if form.is_bound else {"mine": True}
    return form, selectors.expense_list(user=request.user, access=access, **kwargs)


EXPENSE_SORTS = SortOptions(
    {
        "ref": ("id",),
        "date": ("date",),
        "payee": ("payee",),
        "submitter": ("submitted_by__full_name", "submitted_by__email"),
        "category": ("category__number",),
        "fund": ("fund__code",),
        "amount": ("amount",),
        "status": ("status",),
    },
    descending_first={"ref", "date", "amount"},
    default="date",
    default_descending=True,
)


@login_required
def expense_list(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    require_any(request, "expenses.submit", "expenses.view_all")
    if not request.GET and selectors.default_view(request.access) == "to_approve":
        # Approvers land on what waits for them; "Mine" and "All" carry their scope.
        return redirect("expenses:expense_queue", org_slug=request.org.slug)
    form, expenses = _filtered_list(request)
    sorting = EXPENSE_SORTS.read(request.GET)
    ordered = sorting.apply(expenses.order_by("-date", "-id"))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    by_status = selectors.totals_by_status(expenses)
    mine = not form.is_bound or form.selector_kwargs()["mine"]
    context = {
        "form": form,
        "page": page,
        "sorting": sorting,
        "filtered": form.is_bound and form.filtered,
        "totals": selectors.totals(expenses),
        "by_status": [(value, label, by_status.get(value)) for value, label in Status.choices],
        "mine": mine,
        "tab": "mine" if mine else "all",
        # "Clear" keeps the tab (the bare URL takes an approver to "To approve").
        "reset_url": f"{request.path}?scope={'mine' if mine else 'all'}",
        "counts": selectors.hidden_counts(user=request.user, access=request.access),
        "can_view_all": has_perm(request.access, "expenses.view_all"),
    }
    template = "expenses/_list_results.html" if is_htmx_partial(request) else "expenses/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def expense_list_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_any(request, "expenses.submit", "expenses.view_all")
    org = request.org
    _, expenses = _filtered_list(request)
    expenses = EXPENSE_SORTS.read(request.GET).apply(expenses.order_by("-date", "-id"))
    filename = f"expenses-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(expenses, filename=filename, scope=partial(org_context, org))
    return exports.xlsx_response(expenses, filename=filename)


# --- The form ----------------------------------------------------------------------------------


def _save_form(
    request: OrgRequest, form: ExpenseForm, expense: Expense | None
) -> tuple[Expense | None, str | None]:
    """Create or update, add the receipt and submit if asked: all of it or nothing."""
    org, access, user = request.org, request.access, request.user
    try:
        with transaction.atomic():
            if expense is None:
                expense = services.expense_create(
                    organization=org, actor=user, access=access, **form.service_kwargs()
                )
            else:
                expense = services.expense_update(
                    organization=org,
                    actor=user,
                    access=access,
                    expense=expense,
                    expected_version=form.cleaned_data.get("version") or expense.version,
                    **form.service_kwargs(),
                )
            upload = form.cleaned_data.get("receipt")
            if upload:
                try:
                    records.receipt_add(
                        organization=org, actor=user, access=access, expense=expense, file=upload
                    )
                except ServiceError as exc:
                    form.add_error("receipt", exc.message)
                    raise
            if "submit" in request.POST:
                expense = workflow.expense_submit(
                    organization=org, actor=user, access=access, expense=expense
                )
    except ConflictError as exc:
        return None, exc.message
    except ServiceError as exc:
        if not form.errors:
            add_service_errors(form, exc)
        return None, None
    return expense, None


@login_required
def expense_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "expenses.submit")
    if request.method == "POST":
        form = ExpenseForm(request.POST, request.FILES)
        if form.is_valid():
            expense, _ = _save_form(request, form, None)
            if expense is not None:
                verb = (
                    "submitted for approval"
                    if expense.status == Status.SUBMITTED
                    else "saved as a draft"
                )
                messages.success(request, f"{expense.reference} {verb}.")
                return redirect(detail_url(request, expense))
    else:
        user: Any = request.user
        fund = selectors.active_funds().filter(is_general=True).first()
        form = ExpenseForm(
            initial={
                "date": timezone.localdate(),
                "payee": user.full_name or user.email,
                "fund": fund.pk if fund else None,
            }
        )
    return render(request, "expenses/form.html", {"form": form, "expense": None})


@login_required
def expense_edit(request: OrgRequest, org_slug: str, expense_id: int) -> HttpResponse:
    require_perm(request.access, "expenses.submit")
    expense = expense_or_404(request, expense_id)
    if expense.submitted_by_id != request.user.pk:
        raise PermissionDenied("Only the person who entered the expense may edit it.")
    if expense.status != Status.DRAFT:
        messages.info(request, f"{expense.reference} is no longer a draft and cannot be edited.")
        return redirect(detail_url(request, expense))
    conflict = None
    if request.method == "POST":
        form = ExpenseForm(request.POST, request.FILES)
        if form.is_valid():
            saved, conflict = _save_form(request, form, expense)
            if saved is not None:
                verb = "submitted for approval" if saved.status == Status.SUBMITTED else "saved"
                messages.success(request, f"{saved.reference} {verb}.")
                return redirect(detail_url(request, saved))
    else:
        form = ExpenseForm(
            initial={
                "kind": expense.kind,
                "payee": expense.payee,
                "date": expense.date,
                "amount": expense.amount,
                "expense_category": (
                    str(expense.expense_category_id)
                    if expense.expense_category_id
                    else (OTHER if expense.category_id else "")
                ),
                "category": expense.category_id,
                "fund": expense.fund_id,
                "program": expense.program_id,
                "function": expense.function,
                "description": expense.description,
                "version": expense.version,
            }
        )
    return render(
        request, "expenses/form.html", {"form": form, "expense": expense, "conflict": conflict}
    )


# --- Detail and actions ------------------------------------------------------------------------


def _detail_context(request: OrgRequest, expense: Expense, **forms: Any) -> dict[str, Any]:
    access, user = request.access, request.user
    own = expense.submitted_by_id == user.pk
    approvals = list(selectors.approvals_for(expense))
    two_steps = (expense.amount or 0) > selectors.two_step_threshold()
    can_decide = (
        has_perm(access, "expenses.approve")
        and not own
        and expense.status == Status.SUBMITTED
        and all(a.approver_id != user.pk for a in approvals)
    )
    receipts = list(expense.receipts.all())
    return {
        "expense": expense,
        "own": own,
        "approvals": approvals,
        "two_steps": two_steps,
        "threshold": selectors.two_step_threshold(),
        "receipts": receipts,
        "previews": [(r, records.inline_kind(r.content_type)) for r in receipts],
        "events": list(expense.events.select_related("actor")),
        "can_edit": own and expense.status == Status.DRAFT,
        "can_withdraw": own and expense.status == Status.SUBMITTED,
        "can_decide": can_decide,
        "can_pay": has_perm(access, "expenses.pay") and expense.status == Status.APPROVED,
        "receipt_form": forms.get("receipt_form") or ReceiptForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "pay_form": forms.get("pay_form") or PayForm(),
        "approve_form": ApproveForm(initial={"function": expense.function}),
    }


@login_required
def expense_detail(request: OrgRequest, org_slug: str, expense_id: int) -> HttpResponse:
    expense = expense_or_404(request, expense_id)
    return render(request, "expenses/detail.html", _detail_context(request, expense))


def _submit(request: OrgRequest, expense: Expense) -> HttpResponse | None:
    expense = workflow.expense_submit(**service_args(request), expense=expense)
    messages.success(request, f"{expense.reference} was submitted for approval.")
    return None


def _withdraw(request: OrgRequest, expense: Expense) -> HttpResponse | None:
    expense = workflow.expense_withdraw(
        **service_args(request), expense=expense, reason=request.POST.get("reason", "")
    )
    messages.success(request, f"{expense.reference} was withdrawn.")
    return None


def _approve(request: OrgRequest, expense: Expense) -> HttpResponse | None:
    expense = workflow.expense_approve(
        **service_args(request), expense=expense, function=request.POST.get("function") or None
    )
    if expense.status == Status.APPROVED:
        messages.success(request, f"{expense.reference} is approved and posted to the ledger.")
    else:
        messages.success(
            request,
            f"First approval of {expense.reference} recorded: an admin must approve it too.",
        )
    return None


def _reject(request: OrgRequest, expense: Expense) -> HttpResponse | None:
    reject_form = RejectForm(request.POST)
    if not reject_form.is_valid():
        return detail_with_errors(request, expense, reject_form=reject_form)
    expense = workflow.expense_reject(
        **service_args(request), expense=expense, reason=reject_form.cleaned_data["reason"]
    )
    messages.success(request, f"{expense.reference} was rejected; the submitter is told why.")
    return None


def _pay(request: OrgRequest, expense: Expense) -> HttpResponse | None:
    pay_form = PayForm(request.POST)
    if not pay_form.is_valid():
        return detail_with_errors(request, expense, pay_form=pay_form)
    try:
        expense = payments.expense_pay(
            **service_args(request),
            expense=expense,
            paid_from=pay_form.cleaned_data["paid_from"],
            date=pay_form.cleaned_data["date"],
            check_number=pay_form.cleaned_data["check_number"],
        )
    except ServiceError as exc:
        if exc.status != 422:
            raise
        add_service_errors(pay_form, exc)
        return detail_with_errors(request, expense, pay_form=pay_form)
    check = f" by check {expense.check_number}" if expense.check_number else ""
    messages.success(request, f"{expense.reference} is recorded as paid{check}.")
    return None


# The workflow's steps, as the URLs name them: each answers None (done: back to where the person
# was) or the detail page with its form's errors.
_ACTIONS: dict[str, Callable[[OrgRequest, Expense], HttpResponse | None]] = {
    "submit": _submit,
    "withdraw": _withdraw,
    "approve": _approve,
    "reject": _reject,
    "pay": _pay,
}


@login_required
def expense_action(
    request: OrgRequest, org_slug: str, expense_id: int, action: str
) -> HttpResponseBase:
    expense = expense_or_404(request, expense_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    step = _ACTIONS.get(action)
    if step is None:  # pragma: no cover - the URLs only route the known actions
        raise Http404
    back = next_or(request, detail_url(request, expense))
    try:
        answer = step(request, expense)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    return answer or redirect(back)


def detail_with_errors(request: OrgRequest, expense: Expense, **forms: Any) -> HttpResponse:
    return render(
        request, "expenses/detail.html", _detail_context(request, expense, **forms), status=422
    )
