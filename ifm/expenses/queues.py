"""The approvers' lists: "To approve" (submitted expenses, bulk approval) and "Approved, to pay"
(approved expenses, bulk payment with check numbers). Thin: the workflow and payments decide."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.core.pages import is_htmx_partial
from ifm.expenses import exports, payments, selectors, workflow
from ifm.expenses.forms import BulkPayForm, QueueFilterForm, RejectForm
from ifm.expenses.models import Status
from ifm.expenses.views import PAGE_SIZE, next_or
from ifm.tenancy.permissions import has_perm, require_perm

MAX_ID_DIGITS = 18


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) <= MAX_ID_DIGITS]


def _refused(request: OrgRequest, exc: ServiceError, nothing: str) -> None:
    """A batch refused whole: say so, then one message per row that stopped it."""
    row_errors = [e for e in exc.errors if "." in (e.get("field") or "")]
    if row_errors:
        messages.error(request, f"{nothing} Clear these and try again:")
        for error in row_errors:
            messages.error(request, error["message"])
    else:
        messages.error(request, exc.message)


# --- To approve ----------------------------------------------------------------------------------


def _queue(request: OrgRequest) -> tuple[QueueFilterForm, Any]:
    form = QueueFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    return form, selectors.approval_queue(**kwargs)


def _counts(request: OrgRequest) -> dict[str, int]:
    return selectors.hidden_counts(user=request.user, access=request.access)


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
                "receipts": list(expense.receipts.all()),
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
        "counts": _counts(request),
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
    try:
        done = workflow.expense_approve_many(
            **service_args(request), expense_ids=_ids(request.POST.getlist("expense_ids"))
        )
    except ServiceError as exc:
        _refused(request, exc, "Nothing was approved.")
    else:
        full = sum(1 for e in done if e.status == Status.APPROVED)
        first = len(done) - full
        text = f"Approved {full} expense{'s' if full != 1 else ''}."
        if first:
            text += f" {first} got a first approval and wait for an admin."
        messages.success(request, text)
    return redirect(next_or(request, queue_url))


@login_required
def approval_queue_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "expenses.approve")
    _, expenses = _queue(request)
    return _export(request, expenses, "expenses-to-approve", fmt)


def _export(request: OrgRequest, expenses: Any, name: str, fmt: str) -> HttpResponseBase:
    org = request.org
    filename = f"{name}-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(expenses, filename=filename, scope=partial(org_context, org))
    return exports.xlsx_response(expenses, filename=filename)


# --- Approved, to pay ----------------------------------------------------------------------------


def _to_pay(request: OrgRequest) -> tuple[QueueFilterForm, Any]:
    form = QueueFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    kwargs.pop("step", None)
    return form, selectors.to_pay_list(**kwargs)


def _require_payer(request: OrgRequest) -> None:
    """The list is for those who pay; approvers who do not pay may still look at it."""
    if not has_perm(request.access, "expenses.pay"):
        require_perm(request.access, "expenses.approve")


@login_required
def to_pay_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    _require_payer(request)
    form, expenses = _to_pay(request)
    del form.fields["step"]
    page = Paginator(expenses, PAGE_SIZE).get_page(request.GET.get("page"))
    pay_form = BulkPayForm(request.POST or None) if request.method == "POST" else BulkPayForm()
    context = {
        "form": form,
        "page": page,
        "rows": [{"expense": e, "receipts": list(e.receipts.all())} for e in page],
        "totals": selectors.totals(expenses),
        "filtered": form.is_bound and any(form.selector_kwargs().values()),
        "pay_form": pay_form,
        "can_pay": has_perm(request.access, "expenses.pay"),
        "counts": _counts(request),
    }
    template = (
        "expenses/_to_pay_results.html" if is_htmx_partial(request) else "expenses/to_pay.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def to_pay_pay(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    """Pay the ticked rows: one date and account, each row's check number (or numbered)."""
    require_perm(request.access, "expenses.pay")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = next_or(request, reverse("expenses:expense_to_pay", kwargs={"org_slug": org_slug}))
    form = BulkPayForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(back)
    rows = [
        {"expense_id": pk, "check_number": request.POST.get(f"check_number_{pk}", "")}
        for pk in _ids(request.POST.getlist("expense_ids"))
    ]
    try:
        done = payments.expense_pay_many(
            **service_args(request),
            payments=rows,
            paid_from=form.cleaned_data["paid_from"],
            date=form.cleaned_data["date"],
            first_check_number=form.cleaned_data["first_check_number"],
        )
    except ServiceError as exc:
        _refused(request, exc, "Nothing was paid.")
        return redirect(back)
    total = sum((e.amount or 0) for e in done)
    checks = [e.check_number for e in done if e.check_number]
    text = f"Paid {len(done)} expense{'s' if len(done) != 1 else ''}, {total:,.2f} in all"
    text += f", checks {', '.join(checks)}." if checks else "."
    messages.success(request, text)
    return redirect(back)


@login_required
def to_pay_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    _require_payer(request)
    _, expenses = _to_pay(request)
    return _export(request, expenses, "expenses-to-pay", fmt)
