"""Expense pages: my expenses, the form, the detail with its history, the approval queue, settings.

Thin: every write goes through services, workflow or records, every read through selectors.
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
    FileResponse,
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
from ifm.expenses import exports, records, selectors, services, workflow
from ifm.expenses.forms import (
    ExpenseFilterForm,
    ExpenseForm,
    PayForm,
    QueueFilterForm,
    ReceiptForm,
    RejectForm,
    SettingsForm,
    add_service_errors,
)
from ifm.expenses.models import Expense, Status
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
ACTIONS = ("submit", "withdraw", "approve", "reject", "pay")


def _require_any(request: OrgRequest, *codes: str) -> None:
    if not any(has_perm(request.access, code) for code in codes):
        require_perm(request.access, codes[0])


def _expense_or_404(request: OrgRequest, expense_id: int) -> Expense:
    expense = selectors.expense_get(user=request.user, access=request.access, expense_id=expense_id)
    if expense is None:
        raise Http404("No such expense.")
    return expense


def _detail_url(request: OrgRequest, expense: Expense) -> str:
    return reverse(
        "expenses:expense_detail", kwargs={"org_slug": request.org.slug, "expense_id": expense.pk}
    )


def _next_or(request: OrgRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- My expenses -------------------------------------------------------------------------------


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
def expense_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    _require_any(request, "expenses.submit", "expenses.view_all")
    form, expenses = _filtered_list(request)
    sorting = EXPENSE_SORTS.read(request.GET)
    ordered = sorting.apply(expenses.order_by("-date", "-id"))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    by_status = selectors.totals_by_status(expenses)
    context = {
        "form": form,
        "page": page,
        "sorting": sorting,
        "filtered": form.is_bound and form.filtered,
        "totals": selectors.totals(expenses),
        "by_status": [(value, label, by_status.get(value)) for value, label in Status.choices],
        "mine": not form.is_bound or form.selector_kwargs()["mine"],
    }
    template = "expenses/_list_results.html" if is_htmx_partial(request) else "expenses/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def expense_list_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    _require_any(request, "expenses.submit", "expenses.view_all")
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
                return redirect(_detail_url(request, expense))
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
    expense = _expense_or_404(request, expense_id)
    if expense.submitted_by_id != request.user.pk:
        raise PermissionDenied("Only the person who entered the expense may edit it.")
    if expense.status != Status.DRAFT:
        messages.info(request, f"{expense.reference} is no longer a draft and cannot be edited.")
        return redirect(_detail_url(request, expense))
    conflict = None
    if request.method == "POST":
        form = ExpenseForm(request.POST, request.FILES)
        if form.is_valid():
            saved, conflict = _save_form(request, form, expense)
            if saved is not None:
                verb = "submitted for approval" if saved.status == Status.SUBMITTED else "saved"
                messages.success(request, f"{saved.reference} {verb}.")
                return redirect(_detail_url(request, saved))
    else:
        form = ExpenseForm(
            initial={
                "kind": expense.kind,
                "payee": expense.payee,
                "date": expense.date,
                "amount": expense.amount,
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
    return {
        "expense": expense,
        "own": own,
        "approvals": approvals,
        "two_steps": two_steps,
        "threshold": selectors.two_step_threshold(),
        "receipts": list(expense.receipts.all()),
        "events": list(expense.events.select_related("actor")),
        "can_edit": own and expense.status == Status.DRAFT,
        "can_withdraw": own and expense.status == Status.SUBMITTED,
        "can_decide": can_decide,
        "can_pay": has_perm(access, "expenses.pay") and expense.status == Status.APPROVED,
        "receipt_form": forms.get("receipt_form") or ReceiptForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "pay_form": forms.get("pay_form") or PayForm(),
    }


@login_required
def expense_detail(request: OrgRequest, org_slug: str, expense_id: int) -> HttpResponse:
    expense = _expense_or_404(request, expense_id)
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
    expense = workflow.expense_approve(**service_args(request), expense=expense)
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
        return _detail_with_errors(request, expense, reject_form=reject_form)
    expense = workflow.expense_reject(
        **service_args(request), expense=expense, reason=reject_form.cleaned_data["reason"]
    )
    messages.success(request, f"{expense.reference} was rejected; the submitter is told why.")
    return None


def _pay(request: OrgRequest, expense: Expense) -> HttpResponse | None:
    pay_form = PayForm(request.POST)
    if not pay_form.is_valid():
        return _detail_with_errors(request, expense, pay_form=pay_form)
    try:
        expense = workflow.expense_pay(
            **service_args(request),
            expense=expense,
            paid_from=pay_form.cleaned_data["paid_from"],
            date=pay_form.cleaned_data["date"],
        )
    except ServiceError as exc:
        if exc.status != 422:
            raise
        add_service_errors(pay_form, exc)
        return _detail_with_errors(request, expense, pay_form=pay_form)
    messages.success(request, f"{expense.reference} is recorded as paid.")
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
    expense = _expense_or_404(request, expense_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    step = _ACTIONS.get(action)
    if step is None:  # pragma: no cover - the URLs only route the known actions
        raise Http404
    back = _next_or(request, _detail_url(request, expense))
    try:
        answer = step(request, expense)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    return answer or redirect(back)


def _detail_with_errors(request: OrgRequest, expense: Expense, **forms: Any) -> HttpResponse:
    return render(
        request, "expenses/detail.html", _detail_context(request, expense, **forms), status=422
    )


# --- Receipts ----------------------------------------------------------------------------------


@login_required
def receipt_upload(request: OrgRequest, org_slug: str, expense_id: int) -> HttpResponse:
    expense = _expense_or_404(request, expense_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReceiptForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            receipt = records.receipt_add(
                organization=request.org,
                actor=request.user,
                access=request.access,
                expense=expense,
                file=form.cleaned_data["file"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Receipt {receipt.original_name} added.")
            return redirect(_detail_url(request, expense))
    return _detail_with_errors(request, expense, receipt_form=form)


@login_required
def receipt_download(request: OrgRequest, org_slug: str, receipt_id: int) -> HttpResponseBase:
    receipt = selectors.receipt_get(user=request.user, access=request.access, receipt_id=receipt_id)
    if receipt is None:
        raise Http404("No such receipt.")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError:
        raise Http404("The receipt's file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=receipt.original_name,
        content_type=receipt.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def receipt_delete(request: OrgRequest, org_slug: str, receipt_id: int) -> HttpResponseBase:
    receipt = selectors.receipt_get(user=request.user, access=request.access, receipt_id=receipt_id)
    if receipt is None:
        raise Http404("No such receipt.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        records.receipt_remove(
            organization=request.org,
            actor=request.user,
            access=request.access,
            receipt=receipt,
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Receipt {receipt.original_name} removed.")
    return redirect(_detail_url(request, receipt.expense))


# --- Approval queue ----------------------------------------------------------------------------


def _queue(request: OrgRequest) -> tuple[QueueFilterForm, Any]:
    form = QueueFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    return form, selectors.approval_queue(**kwargs)


@login_required
def approval_queue(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "expenses.approve")
    form, expenses = _queue(request)
    page = Paginator(expenses, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    rows = []
    for expense in page:
        approvals = list(expense.approvals.all())
        rows.append(
            {
                "expense": expense,
                "approvals": approvals,
                "own": expense.submitted_by_id == user.pk,
                "approved_by_me": any(a.approver_id == user.pk for a in approvals),
            }
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "totals": selectors.totals(expenses),
        "threshold": selectors.two_step_threshold(),
        "filtered": form.is_bound and any(form.selector_kwargs().values()),
        "reject_form": RejectForm(),
    }
    template = "expenses/_queue_results.html" if is_htmx_partial(request) else "expenses/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def approval_queue_approve(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    require_perm(request.access, "expenses.approve")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    queue_url = reverse("expenses:expense_queue", kwargs={"org_slug": request.org.slug})
    ids = [int(v) for v in request.POST.getlist("expense_ids") if v.isdigit() and len(v) < 19]
    try:
        done = workflow.expense_approve_many(
            organization=request.org,
            actor=request.user,
            access=request.access,
            expense_ids=ids,
        )
    except ServiceError as exc:
        if exc.errors and exc.errors[0]["field"].startswith("expense_ids."):
            messages.error(request, "Nothing was approved. Clear these and try again:")
            for error in exc.errors:
                messages.error(request, error["message"])
        else:
            messages.error(request, exc.message)
    else:
        full = sum(1 for e in done if e.status == Status.APPROVED)
        first = len(done) - full
        text = f"Approved {full} expense{'s' if full != 1 else ''}."
        if first:
            text += f" {first} got a first approval and wait for an admin."
        messages.success(request, text)
    return redirect(_next_or(request, queue_url))


@login_required
def approval_queue_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "expenses.approve")
    org = request.org
    _, expenses = _queue(request)
    filename = f"expenses-to-approve-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(expenses, filename=filename, scope=partial(org_context, org))
    return exports.xlsx_response(expenses, filename=filename)


# --- Settings ----------------------------------------------------------------------------------


@login_required
def expense_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "expenses.configure")
    current = selectors.expense_settings_get()
    conflict = None
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.expense_settings_update(
                    organization=request.org,
                    actor=request.user,
                    access=request.access,
                    two_step_threshold=form.cleaned_data["two_step_threshold"],
                    expected_version=form.cleaned_data["version"],
                )
            except ServiceError as exc:
                if exc.status == 409:
                    conflict = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, "Expense settings saved.")
                return redirect("expenses:expense_settings", org_slug=request.org.slug)
    else:
        form = SettingsForm(
            initial={"two_step_threshold": current.two_step_threshold, "version": current.version}
        )
    return render(
        request,
        "expenses/settings.html",
        {"form": form, "current": current, "conflict": conflict},
    )
