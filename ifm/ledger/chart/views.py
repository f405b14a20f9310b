"""Chart pages: the chart of accounts, funds and programs, and their edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ifm.accounts.http import OrgRequest
from ifm.core.pages import get_or_404
from ifm.core.sorting import SortOptions
from ifm.ledger.chart import selectors
from ifm.ledger.chart.forms import AccountForm, ChartFilterForm, FundForm, ProgramForm
from ifm.ledger.chart.services import (
    account_create,
    account_update,
    fund_create,
    fund_update,
    program_create,
    program_update,
)
from ifm.ledger.models import Account, Fund, Program
from ifm.ledger.pages import edit_response
from ifm.tenancy.permissions import require_perm

CHART_SORTS = SortOptions(
    {
        "account": ("account.number",),
        "type": ("account.type", "account.number"),
        "class": ("account.net_asset_class", "account.number"),
        "status": ("account.is_active", "account.number"),
    }
)


@login_required
def chart(request: OrgRequest, org_slug: str) -> HttpResponse:

    require_perm(request.access, "ledger.view")
    form = ChartFilterForm(request.GET or None)
    filters = form.values()
    rows = selectors.chart_rows(filters)
    sorting = CHART_SORTS.read(request.GET)
    if sorting.key:
        # Sorted by a column, the accounts are a flat list: no indent under a parent.
        rows = [{**row, "indent": 0} for row in sorting.sort_items(rows)]
    return render(
        request,
        "ledger/chart.html",
        {
            "form": form if form.is_bound else ChartFilterForm(),
            "rows": rows,
            "filtered": bool(filters),
            "sorting": sorting,
        },
    )


def _parent(form: Any) -> Account | None:
    parent_id = form.cleaned_data.get("parent")
    return Account.objects.filter(pk=parent_id).first() if parent_id else None


@login_required
def account_create_view(request: OrgRequest, org_slug: str) -> HttpResponse:

    access = request.access
    require_perm(access, "ledger.manage")
    form = AccountForm(request.POST or None)

    def save() -> Account:
        data = form.cleaned_data
        return account_create(
            organization=request.org,
            actor=request.user,
            access=access,
            number=data["number"],
            name=data["name"],
            type=data["type"],
            parent=_parent(form),
            net_asset_class=data["net_asset_class"],
            description=data["description"],
            is_cash=bool(data["is_cash"]),
        )

    return edit_response(
        request,
        "ledger/account_form.html",
        {"account": None},
        save=save,
        form=form,
        success=lambda a: f"Added {a} to the chart of accounts.",
        redirect_to=reverse("ledger:ledger_chart", kwargs={"org_slug": org_slug}),
    )


@login_required
def account_edit_view(request: OrgRequest, org_slug: str, account_id: int) -> HttpResponse:

    account = get_or_404(Account.objects.select_related("parent"), account_id, "account")
    access = request.access
    require_perm(access, "ledger.manage")
    initial = {
        "number": account.number,
        "name": account.name,
        "type": account.type,
        "parent": account.parent_id,
        "net_asset_class": account.net_asset_class,
        "description": account.description,
        "is_cash": account.is_cash,
        "is_active": account.is_active,
        "version": account.version,
    }
    form = AccountForm(request.POST or None, initial=initial, account=account)

    def save() -> Account:
        data = form.cleaned_data
        return account_update(
            organization=request.org,
            actor=request.user,
            access=access,
            account=account,
            expected_version=data["version"] or 0,
            number=data["number"],
            name=data["name"],
            parent=_parent(form),
            net_asset_class=data["net_asset_class"],
            description=data["description"],
            is_cash=bool(data["is_cash"]),
            is_active=data["is_active"],
        )

    return edit_response(
        request,
        "ledger/account_form.html",
        {"account": account, "current_version": account.version},
        save=save,
        form=form,
        success=lambda a: f"Saved {a}.",
        redirect_to=reverse("ledger:ledger_chart", kwargs={"org_slug": org_slug}),
    )


@login_required
def funds(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "ledger.view")
    query = request.GET.get("q", "").strip()[:100]
    rows = Fund.objects.order_by("-is_general", "code")
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return render(request, "ledger/funds.html", {"funds": rows, "q": query})


@login_required
def fund_create_view(request: OrgRequest, org_slug: str) -> HttpResponse:

    access = request.access
    require_perm(access, "ledger.manage")
    form = FundForm(request.POST or None)

    def save() -> Fund:
        data = form.cleaned_data
        return fund_create(
            organization=request.org,
            actor=request.user,
            access=access,
            code=data["code"],
            name=data["name"],
            restriction=data["restriction"],
            purpose=data["purpose"],
            restricted_until=data["restricted_until"],
        )

    return edit_response(
        request,
        "ledger/simple_form.html",
        {"title": "New fund", "back": "ledger:ledger_funds", "back_label": "Funds"},
        save=save,
        form=form,
        success=lambda f: f"Added the fund {f}.",
        redirect_to=reverse("ledger:ledger_funds", kwargs={"org_slug": org_slug}),
    )


@login_required
def fund_edit_view(request: OrgRequest, org_slug: str, fund_id: int) -> HttpResponse:

    fund = get_or_404(Fund.objects.all(), fund_id, "fund")
    access = request.access
    require_perm(access, "ledger.manage")
    initial = {
        "code": fund.code,
        "name": fund.name,
        "restriction": fund.restriction,
        "purpose": fund.purpose,
        "restricted_until": fund.restricted_until,
        "is_active": fund.is_active,
        "version": fund.version,
    }
    form = FundForm(request.POST or None, initial=initial, editing=True)

    def save() -> Fund:
        data = form.cleaned_data
        return fund_update(
            organization=request.org,
            actor=request.user,
            access=access,
            fund=fund,
            expected_version=data["version"] or 0,
            code=data["code"],
            name=data["name"],
            restriction=data["restriction"],
            purpose=data["purpose"],
            restricted_until=data["restricted_until"],
            is_active=data["is_active"],
        )

    return edit_response(
        request,
        "ledger/simple_form.html",
        {
            "title": f"Edit fund {fund}",
            "back": "ledger:ledger_funds",
            "back_label": "Funds",
            "current_version": fund.version,
        },
        save=save,
        form=form,
        success=lambda f: f"Saved the fund {f}.",
        redirect_to=reverse("ledger:ledger_funds", kwargs={"org_slug": org_slug}),
    )


@login_required
def programs(request: OrgRequest, org_slug: str) -> HttpResponse:

    require_perm(request.access, "ledger.view")
    query = request.GET.get("q", "").strip()[:100]
    rows = Program.objects.order_by("code")
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return render(request, "ledger/programs.html", {"programs": rows, "q": query})


@login_required
def program_create_view(request: OrgRequest, org_slug: str) -> HttpResponse:

    access = request.access
    require_perm(access, "ledger.manage")
    form = ProgramForm(request.POST or None)

    def save() -> Any:
        return program_create(
            organization=request.org,
            actor=request.user,
            access=access,
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
        )

    return edit_response(
        request,
        "ledger/simple_form.html",
        {"title": "New program", "back": "ledger:ledger_programs", "back_label": "Programs"},
        save=save,
        form=form,
        success=lambda p: f"Added the program {p}.",
        redirect_to=reverse("ledger:ledger_programs", kwargs={"org_slug": org_slug}),
    )


@login_required
def program_edit_view(request: OrgRequest, org_slug: str, program_id: int) -> HttpResponse:

    program = get_or_404(Program.objects.all(), program_id, "program")
    access = request.access
    require_perm(access, "ledger.manage")
    initial = {
        "code": program.code,
        "name": program.name,
        "is_active": program.is_active,
        "version": program.version,
    }
    form = ProgramForm(request.POST or None, initial=initial, editing=True)

    def save() -> Any:
        data = form.cleaned_data
        return program_update(
            organization=request.org,
            actor=request.user,
            access=access,
            program=program,
            expected_version=data["version"] or 0,
            code=data["code"],
            name=data["name"],
            is_active=data["is_active"],
        )

    return edit_response(
        request,
        "ledger/simple_form.html",
        {
            "title": f"Edit program {program}",
            "back": "ledger:ledger_programs",
            "back_label": "Programs",
            "current_version": program.version,
        },
        save=save,
        form=form,
        success=lambda p: f"Saved the program {p}.",
        redirect_to=reverse("ledger:ledger_programs", kwargs={"org_slug": org_slug}),
    )
