"""Reconciliation pages: the list (all accounts or one), the start form, the reconciliation with
its live figures and items, finishing, reopening with a reason, and the report as PDF and XLSX.

Thin: every write goes through services, every read through selectors.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from ifm.accounts.http import OrgRequest, service_args
from ifm.audit.selectors import audit_event_list
from ifm.banking.models import BankAccount, Reconciliation
from ifm.banking.reconciliation import report, selectors, services
from ifm.banking.reconciliation.forms import (
    BalanceForm,
    FilterForm,
    ReopenForm,
    StartForm,
    add_service_errors,
)
from ifm.banking.reconciliation.selectors import PAGE, ReconciliationState
from ifm.core.errors import ServiceError
from ifm.core.exports import XLSX_TYPE, csv_response, xlsx_response
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, get_or_404, is_htmx_partial
from ifm.tenancy.permissions import has_perm, require_perm

LIST_PAGE = 25
KINDS = ("deposits", "payments", "bank")
KIND_TITLES = {
    "deposits": "Deposits in transit",
    "payments": "Outstanding checks and payments",
    "bank": "On the statement, not cleared in the books",
}


def _rec_or_404(request: OrgRequest, reconciliation_id: int) -> Reconciliation:
    require_perm(request.access, "banking.view")
    rec = selectors.reconciliation_get(reconciliation_id)
    if rec is None:
        raise Http404("No such reconciliation.")
    return rec


def _detail_url(request: OrgRequest, rec: Reconciliation) -> str:
    return reverse(
        "banking:reconciliation_detail",
        kwargs={"org_slug": request.org.slug, "reconciliation_id": rec.pk},
    )


def _matching_url(request: OrgRequest, account: BankAccount) -> str | None:
    """The matching page of the account, where bank lines get their entries (if it exists)."""
    for name, kwargs in (
        ("banking:matching", {"bank_account_id": account.pk}),
        ("banking:matching", {}),
    ):
        try:
            return reverse(name, kwargs={"org_slug": request.org.slug, **kwargs})
        except NoReverseMatch:
            continue
    return None


# --- Lists ----------------------------------------------------------------------------------------


def _list(request: OrgRequest, account: BankAccount | None) -> tuple[FilterForm, Any]:
    form = FilterForm(request.GET or None)
    kwargs: dict[str, Any] = {"bank_account": account}
    if form.is_bound and form.is_valid():
        kwargs["status"] = form.cleaned_data.get("status") or ""
        if account is None:
            kwargs["bank_account"] = form.cleaned_data.get("bank_account")
    return form, selectors.reconciliation_list(**kwargs)


@login_required
def reconciliation_list(
    request: OrgRequest, org_slug: str, bank_account_id: int | None = None
) -> HttpResponseBase:
    require_perm(request.access, "banking.view")
    account = None
    if bank_account_id is not None:
        account = get_or_404(BankAccount.objects.all(), bank_account_id, "bank account")
    form, recs = _list(request, account)
    page = Paginator(recs, LIST_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "account": account,
        "filtered": form.is_bound and form.filtered,
        "can_reconcile": has_perm(request.access, "banking.reconcile"),
        "has_accounts": BankAccount.objects.filter(is_archived=False).exists(),
    }
    template = (
        "banking/reconciliation/_list_results.html"
        if is_htmx_partial(request)
        else "banking/reconciliation/list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


_LIST_HEADER = [
    "Bank account",
    "Statement date",
    "Statement balance",
    "Status",
    "Book balance",
    "Deposits in transit",
    "Outstanding payments",
    "Finished at",
    "Finished by",
]


def _list_row(rec: Reconciliation) -> list[Any]:
    return [
        rec.bank_account.name,
        rec.statement_date,
        rec.statement_balance,
        rec.get_status_display(),
        rec.book_balance,
        rec.deposits_in_transit,
        rec.outstanding_payments,
        timezone.localtime(rec.finished_at).replace(tzinfo=None) if rec.finished_at else None,
        str(rec.finished_by) if rec.finished_by else "",
    ]


@login_required
def reconciliation_list_export(
    request: OrgRequest, org_slug: str, fmt: str, bank_account_id: int | None = None
) -> HttpResponseBase:
    require_perm(request.access, "banking.view")
    account = None
    if bank_account_id is not None:
        account = get_or_404(BankAccount.objects.all(), bank_account_id, "bank account")
    _, recs = _list(request, account)
    name = f"reconciliations-{request.org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(
            _LIST_HEADER,
            lambda: (_list_row(rec) for rec in recs.iterator()),
            filename=name,
            scope=partial(org_context, request.org),
        )
    return xlsx_response(
        _LIST_HEADER, (_list_row(r) for r in recs), filename=name, title="Reconciliations"
    )


# --- Start ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_new(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    require_perm(request.access, "banking.reconcile")
    org = request.org
    opts = {"currency": org.currency, "time_zone": org.time_zone}
    if request.method == "POST":
        form = StartForm(request.POST, **opts)
        if form.is_valid():
            try:
                rec = services.reconciliation_start(
                    **service_args(request), **form.service_kwargs()
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Reconciliation of {rec} started.")
                return redirect(_detail_url(request, rec))
    else:
        initial: dict[str, Any] = {}
        wanted = request.GET.get("bank_account", "")
        if wanted.isdigit():
            initial["bank_account"] = BankAccount.objects.filter(pk=int(wanted)).first()
        form = StartForm(initial=initial, **opts)
    return render(
        request,
        "banking/reconciliation/form.html",
        {"form": form, "has_accounts": BankAccount.objects.filter(is_archived=False).exists()},
    )


# --- The reconciliation -----------------------------------------------------------------------


def _page_number(request: OrgRequest, name: str, count: int) -> int:
    raw = request.GET.get(name, "1")
    number = int(raw) if raw.isdigit() and len(raw) < 9 else 1
    last = max(1, -(-count // PAGE))
    return min(max(number, 1), last)


def _section(request: OrgRequest, state: ReconciliationState, kind: str) -> dict[str, Any]:
    f = state.figures
    count = {
        "deposits": f.deposits_in_transit_count,
        "payments": f.outstanding_payments_count,
        "bank": f.unmatched_bank_count,
    }[kind]
    number = _page_number(request, f"{kind}_page", count)
    offset = (number - 1) * PAGE
    items: list[Any] = (
        state.bank_items(offset=offset) if kind == "bank" else state.items(kind, offset=offset)
    )
    return {
        "kind": kind,
        "title": KIND_TITLES[kind],
        "items": items,
        "count": count,
        "number": number,
        "pages": max(1, -(-count // PAGE)),
        "start": offset + 1 if items else 0,
        "end": offset + len(items),
        "param": f"{kind}_page",
    }


def _detail_context(request: OrgRequest, rec: Reconciliation, **forms: Any) -> dict[str, Any]:
    state = selectors.reconciliation_state(rec)
    can = has_perm(request.access, "banking.reconcile")
    is_open = rec.status == Reconciliation.Status.OPEN
    latest = None if is_open else selectors.latest_finished(rec.bank_account)
    context: dict[str, Any] = {
        "rec": rec,
        "f": state.figures,
        "sections": [_section(request, state, kind) for kind in KINDS],
        "is_open": is_open,
        "can_reconcile": can,
        "can_reopen": can
        and latest is not None
        and latest.pk == rec.pk
        and selectors.open_reconciliation(rec.bank_account) is None,
        "matching_url": _matching_url(request, rec.bank_account),
        "events": list(
            audit_event_list(
                organization=request.org,
                object_type="banking.reconciliation",
                object_id=str(rec.pk),
            ).select_related("actor")[:20]
        ),
    }
    if is_open and can:
        context["balance_form"] = forms.get("balance_form") or BalanceForm(
            initial={"statement_balance": rec.statement_balance, "version": rec.version},
            currency=request.org.currency,
        )
    return context


@login_required
def reconciliation_detail(
    request: OrgRequest, org_slug: str, reconciliation_id: int
) -> HttpResponseBase:
    rec = _rec_or_404(request, reconciliation_id)
    context = _detail_context(request, rec)
    template = (
        "banking/reconciliation/_figures.html"
        if is_htmx_partial(request) and request.GET.get("part") == "figures"
        else "banking/reconciliation/detail.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def reconciliation_balance(
    request: OrgRequest, org_slug: str, reconciliation_id: int
) -> HttpResponseBase:
    rec = _rec_or_404(request, reconciliation_id)
    require_perm(request.access, "banking.reconcile")
    form = BalanceForm(request.POST, currency=request.org.currency)
    if form.is_valid():
        try:
            services.reconciliation_update_balance(
                **service_args(request),
                reconciliation=rec,
                statement_balance=form.cleaned_data["statement_balance"],
                expected_version=form.cleaned_data["version"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Statement balance saved.")
            return redirect(_detail_url(request, rec))
    context = _detail_context(request, rec, balance_form=form)
    return render(request, "banking/reconciliation/detail.html", context, status=422)


@login_required
@require_POST
def reconciliation_finish(
    request: OrgRequest, org_slug: str, reconciliation_id: int
) -> HttpResponseBase:
    rec = _rec_or_404(request, reconciliation_id)
    require_perm(request.access, "banking.reconcile")
    try:
        services.reconciliation_finish(**service_args(request), reconciliation=rec)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Reconciliation of {rec} finished: its lines are locked.")
    return redirect(_detail_url(request, rec))


@login_required
@require_POST
def reconciliation_discard(
    request: OrgRequest, org_slug: str, reconciliation_id: int
) -> HttpResponseBase:
    rec = _rec_or_404(request, reconciliation_id)
    require_perm(request.access, "banking.reconcile")
    try:
        services.reconciliation_discard(**service_args(request), reconciliation=rec)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect(_detail_url(request, rec))
    messages.success(request, f"Reconciliation of {rec} discarded.")
    return redirect("banking:reconciliation_list", org_slug=request.org.slug)


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_reopen(
    request: OrgRequest, org_slug: str, reconciliation_id: int
) -> HttpResponseBase:
    rec = _rec_or_404(request, reconciliation_id)
    require_perm(request.access, "banking.reconcile")
    form = ReopenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reconciliation_reopen(
                    **service_args(request), reconciliation=rec, reason=form.cleaned_data["reason"]
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Reconciliation of {rec} reopened.")
                return redirect(_detail_url(request, rec))
        status = 422
    return render(
        request, "banking/reconciliation/reopen.html", {"rec": rec, "form": form}, status=status
    )


# --- Exports and the report -------------------------------------------------------------------


@login_required
def reconciliation_items_export(
    request: OrgRequest, org_slug: str, reconciliation_id: int, kind: str, fmt: str
) -> HttpResponseBase:
    """One list of the reconciliation (all of it) as CSV or XLSX."""
    rec = _rec_or_404(request, reconciliation_id)
    state = selectors.reconciliation_state(rec)
    name = f"{report.filename(rec, '')[:-1]}-{kind}"
    header: list[str]
    rows: list[list[Any]]
    if kind == "bank":
        header = ["Date", "Payee", "Memo", "Reference", "Amount", "Status"]
        rows = [
            [b.date, b.payee, b.memo, b.reference, b.amount, b.status]
            for b in state.bank_items(limit=None)
        ]
    else:
        header = ["Date", "Entry", "Reference", "Memo", "Amount"]
        rows = [
            [i.date, f"JE-{i.entry_number}", i.reference, i.memo, i.amount]
            for i in state.items(kind, limit=None)
        ]
    if fmt == "csv":
        return csv_response(header, lambda: rows, filename=name)
    return xlsx_response(header, rows, filename=name, title=KIND_TITLES[kind][:31])


@login_required
def reconciliation_report(
    request: OrgRequest, org_slug: str, reconciliation_id: int, fmt: str
) -> HttpResponseBase:
    rec = _rec_or_404(request, reconciliation_id)
    org = request.org
    if fmt == "pdf":
        body = report.report_pdf(rec, organization_name=org.name, currency=org.currency)
        response = HttpResponse(body, content_type="application/pdf")
    else:
        body = report.report_xlsx(rec, organization_name=org.name, currency=org.currency)
        response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(rec, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response
