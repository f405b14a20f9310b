"""Bank account pages: the list (with unmatched lines per account), add, edit, archive or
delete, and an account's page with its statements and lines. Thin: services decide,
selectors read."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.banking.accounts import selectors, services
from ifm.banking.accounts.forms import (
    BankAccountFilterForm,
    BankAccountForm,
    LineFilterForm,
    add_service_errors,
)
from ifm.banking.models import BankAccount, BankTransaction, LineStatus
from ifm.core.errors import ServiceError
from ifm.core.exports import csv_response, xlsx_response
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, is_htmx_partial
from ifm.core.sorting import SortOptions
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 50

ACCOUNT_SORTS = SortOptions(
    {
        "name": ("name",),
        "institution": ("institution",),
        "ledger": ("ledger_account__number",),
        "unmatched": ("unmatched_count",),
    },
    descending_first={"unmatched"},
    default="name",
)
LINE_SORTS = SortOptions(
    {
        "date": ("date",),
        "payee": ("payee",),
        "reference": ("reference",),
        "amount": ("amount",),
        "status": ("status",),
    },
    descending_first={"date", "amount"},
    default="date",
    default_descending=True,
)


def account_or_404(bank_account_id: int) -> BankAccount:
    account = selectors.bank_account_get(bank_account_id)
    if account is None:
        raise Http404("No such bank account.")
    return account


# --- The list ---------------------------------------------------------------------------------


def _accounts(request: OrgRequest) -> tuple[BankAccountFilterForm, QuerySet[BankAccount]]:
    form = BankAccountFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    accounts = selectors.bank_account_list(**kwargs)
    return form, ACCOUNT_SORTS.read(request.GET).apply(accounts)


@login_required
def account_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.view")
    form, accounts = _accounts(request)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sorting": ACCOUNT_SORTS.read(request.GET),
        "filtered": form.is_bound and any(form.selector_kwargs().values()),
        "can_manage": has_perm(request.access, "banking.manage"),
        "can_import": has_perm(request.access, "banking.import"),
    }
    partial_page = is_htmx_partial(request)
    template = (
        "banking/accounts/_list_results.html" if partial_page else "banking/accounts/list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


ACCOUNT_HEADER = [
    "Name",
    "Bank",
    "Account",
    "Ledger account",
    "Default fund",
    "Currency",
    "Unmatched lines",
    "Archived",
]


def _account_row(account: Any) -> list[Any]:
    return [
        account.name,
        account.institution,
        account.masked_number,
        str(account.ledger_account),
        str(account.default_fund),
        account.currency,
        account.unmatched_count,
        "yes" if account.is_archived else "no",
    ]


@login_required
def account_list_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "banking.view")
    org = request.org
    _, accounts = _accounts(request)
    filename = f"bank-accounts-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(
            ACCOUNT_HEADER,
            lambda: (_account_row(a) for a in accounts.iterator()),
            filename=filename,
            scope=partial(org_context, org),
        )
    return xlsx_response(
        ACCOUNT_HEADER,
        (_account_row(a) for a in accounts),
        filename=filename,
        title="Bank accounts",
    )


# --- Add and edit -----------------------------------------------------------------------------


@login_required
def account_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.bank_account_create(**service_args(request), **form.service_kwargs())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Bank account {account.name} added.")
            return redirect("banking:account_detail", org_slug=org_slug, bank_account_id=account.pk)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "banking/accounts/form.html", {"form": form, "account": None}, status=status
    )


@login_required
def account_edit(request: OrgRequest, org_slug: str, bank_account_id: int) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    account = account_or_404(bank_account_id)
    conflict = None
    if request.method == "POST":
        form = BankAccountForm(request.POST)
        if form.is_valid():
            try:
                services.bank_account_update(
                    **service_args(request),
                    bank_account=account,
                    version=form.cleaned_data.get("version") or account.version,
                    **form.service_kwargs(),
                )
            except ServiceError as exc:
                if exc.status == 409:
                    conflict = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, f"Bank account {account.name} saved.")
                return redirect(
                    "banking:account_detail", org_slug=org_slug, bank_account_id=account.pk
                )
    else:
        form = BankAccountForm(
            initial={
                "name": account.name,
                "institution": account.institution,
                "account_number": account.account_last_digits,
                "ledger_account": account.ledger_account_id,
                "default_fund": account.default_fund_id,
                "version": account.version,
            }
        )
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return render(
        request,
        "banking/accounts/form.html",
        {"form": form, "account": account, "conflict": conflict},
        status=status,
    )


@login_required
def account_archive(request: OrgRequest, org_slug: str, bank_account_id: int) -> HttpResponseBase:
    require_perm(request.access, "banking.manage")
    account = account_or_404(bank_account_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    archived = request.POST.get("archived", "yes") != "no"
    services.bank_account_archive(**service_args(request), bank_account=account, archived=archived)
    messages.success(
        request,
        f"{account.name} is archived: it takes no imports and is left out of the lists."
        if archived
        else f"{account.name} is back among the active accounts.",
    )
    return redirect("banking:account_detail", org_slug=org_slug, bank_account_id=account.pk)


@login_required
def account_delete(request: OrgRequest, org_slug: str, bank_account_id: int) -> HttpResponseBase:
    require_perm(request.access, "banking.manage")
    account = account_or_404(bank_account_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.bank_account_delete(**service_args(request), bank_account=account)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("banking:account_detail", org_slug=org_slug, bank_account_id=account.pk)
    messages.success(request, f"Bank account {account.name} deleted.")
    return redirect("banking:account_list", org_slug=org_slug)


# --- One account: its statements and lines ------------------------------------------------------


def _lines(
    request: OrgRequest, account: BankAccount
) -> tuple[LineFilterForm, QuerySet[BankTransaction]]:
    form = LineFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    lines = selectors.bank_transaction_list(bank_account=account, **kwargs)
    return form, LINE_SORTS.read(request.GET).apply(lines)


@login_required
def account_detail(request: OrgRequest, org_slug: str, bank_account_id: int) -> HttpResponse:
    require_perm(request.access, "banking.view")
    account = account_or_404(bank_account_id)
    form, lines = _lines(request, account)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "account": account,
        "form": form,
        "page": page,
        "sorting": LINE_SORTS.read(request.GET),
        "filtered": form.is_bound and any(form.selector_kwargs().values()),
        "statuses": LineStatus,
        "statements": list(selectors.statement_list(bank_account=account)[:10]),
        "pending_imports": list(selectors.statement_import_list(bank_account=account)[:5]),
        "can_manage": has_perm(request.access, "banking.manage"),
        "can_import": has_perm(request.access, "banking.import"),
    }
    if is_htmx_partial(request):
        template = "banking/accounts/_lines.html"
    else:
        template = "banking/accounts/detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


LINE_HEADER = ["Date", "Amount", "Payee", "Memo", "Reference", "Type", "Status", "Bank id"]


def _line_row(line: BankTransaction) -> list[Any]:
    return [
        line.date,
        line.amount,
        line.payee,
        line.memo,
        line.reference,
        line.kind,
        line.get_status_display(),
        line.bank_id,
    ]


@login_required
def account_lines_export(
    request: OrgRequest, org_slug: str, bank_account_id: int, fmt: str
) -> HttpResponseBase:
    require_perm(request.access, "banking.view")
    account = account_or_404(bank_account_id)
    org = request.org
    _, lines = _lines(request, account)
    filename = f"bank-lines-{org.slug}-{account.pk}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(
            LINE_HEADER,
            lambda: (_line_row(line) for line in lines.iterator(chunk_size=2000)),
            filename=filename,
            scope=partial(org_context, org),
        )
    return xlsx_response(
        LINE_HEADER,
        (_line_row(line) for line in lines.iterator(chunk_size=2000)),
        filename=filename,
        title=account.name,
    )
