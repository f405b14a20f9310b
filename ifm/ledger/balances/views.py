"""Balance pages: trial balance (and its export), account ledger, fund balances, releases."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ifm.accounts.http import OrgRequest
from ifm.core.pages import get_or_404
from ifm.ledger.balances import selectors
from ifm.ledger.balances.forms import (
    AccountLedgerForm,
    FundBalancesForm,
    ReleaseForm,
    TrialBalanceForm,
)
from ifm.ledger.balances.services import fund_release
from ifm.ledger.models import Account, AccountType, Fund, JournalEntry, Restriction
from ifm.ledger.pages import edit_response, table_export
from ifm.tenancy.permissions import require_perm

LEDGER_LINES_PER_PAGE = 100


@login_required
def trial_balance(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "ledger.view")
    form = TrialBalanceForm(request.GET or None)
    as_of, fund_id = form.values()
    group = form.account_group()
    report = selectors.trial_balance(as_of=as_of, fund_id=fund_id, group=group)
    fund = Fund.objects.filter(pk=fund_id).first() if fund_id else None
    return render(
        request,
        "ledger/trial_balance.html",
        {
            "form": form if form.is_bound else TrialBalanceForm(initial={"as_of": as_of}),
            "report": report,
            "rows": [
                (row, dict(AccountType.choices).get(row.type, row.type)) for row in report.rows
            ],
            "fund": fund,
            "balanced": report.total_debit == report.total_credit,
            "group": selectors.ACCOUNT_GROUPS.get(group, ""),
            "group_balance": abs(report.total_debit - report.total_credit),
        },
    )


@login_required
def trial_balance_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "ledger.view")
    org = request.org
    form = TrialBalanceForm(request.GET or None)
    as_of, fund_id = form.values()
    report = selectors.trial_balance(as_of=as_of, fund_id=fund_id, group=form.account_group())
    types = dict(AccountType.choices)

    def rows() -> Iterator[list[Any]]:
        for row in report.rows:
            yield [row.number, row.name, types.get(row.type, row.type), row.debit, row.credit]
        yield ["", "Total", "", report.total_debit, report.total_credit]

    suffix = f"-fund{fund_id}" if fund_id else ""
    return table_export(
        fmt,
        organization=org,
        filename=f"trial-balance-{org.slug}-{as_of:%Y-%m-%d}{suffix}",
        title="Trial balance",
        header=["Account", "Name", "Type", "Debit", "Credit"],
        rows=rows,
    )


@login_required
def account_ledger(request: OrgRequest, org_slug: str, account_id: int) -> HttpResponse:
    account = get_or_404(Account.objects.select_related("parent"), account_id, "account")
    require_perm(request.access, "ledger.view")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = AccountLedgerForm(request.GET or None)
    filters = form.valid_data()
    opening, lines = selectors.account_ledger(
        account=account,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        fund_id=filters.get("fund"),
    )
    sign = 1 if AccountType(account.type).normal_debit else -1
    page = Paginator(lines, LEDGER_LINES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"line": line, "balance": opening + sign * _running(line)} for line in page]
    closing = rows[-1]["balance"] if rows else opening
    return render(
        request,
        "ledger/account_ledger.html",
        {
            "account": account,
            "form": form if form.is_bound else AccountLedgerForm(),
            "opening": opening,
            "rows": rows,
            "page": page,
            "closing": closing,
            "normal_side": "debit" if sign == 1 else "credit",
            "filtered": bool(filters),
        },
    )


@login_required
def fund_balances(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "ledger.view")
    form = FundBalancesForm(request.GET or None)
    as_of, date_from = form.values(request.org)
    report = selectors.fund_net_assets(as_of=as_of, date_from=date_from)
    return render(
        request,
        "ledger/fund_balances.html",
        {
            "form": form
            if form.is_bound
            else FundBalancesForm(initial={"as_of": as_of, "date_from": date_from}),
            "as_of": as_of,
            "date_from": date_from,
            "rows": report.rows,
            "totals": report.totals,
            "restrictions": dict(Restriction.choices),
        },
    )


@login_required
def fund_release_view(request: OrgRequest, org_slug: str, fund_id: int) -> HttpResponseBase:
    """Release restricted money of a fund (spent for its purpose, or its time has passed)."""

    fund = get_or_404(Fund.objects.all(), fund_id, "fund")
    access = request.access
    require_perm(access, "ledger.post")
    if fund.restriction == Restriction.NONE:
        messages.error(request, f"{fund} has no donor restriction to release.")
        return redirect(reverse("ledger:ledger_funds", kwargs={"org_slug": org_slug}))
    form = ReleaseForm(request.POST or None)
    still = selectors.restricted_balance(fund_id=fund.pk, as_of=timezone.localdate())

    def save() -> JournalEntry:
        data = form.cleaned_data
        return fund_release(
            organization=request.org,
            actor=request.user,
            access=access,
            fund=fund,
            amount=data["amount"],
            date=data["date"],
            memo=data["memo"],
        )

    return edit_response(
        request,
        "ledger/simple_form.html",
        {
            "title": f"Release from restriction: {fund}",
            "intro": (
                f"{fund} holds {still:,.2f} with donor restrictions today. A release moves an "
                "amount to net assets without donor restrictions, within the fund, when it has "
                "been spent for its purpose or its time has come."
            ),
            "submit_label": "Release",
            "back": "ledger:ledger_funds",
            "back_label": "Funds",
        },
        save=save,
        form=form,
        success=lambda entry: f"Released in {entry}.",
        redirect_to=reverse("ledger:ledger_funds", kwargs={"org_slug": org_slug}),
    )


def _running(line: Any) -> Decimal:
    """The running total the ledger query annotates each line with."""
    return line.running
