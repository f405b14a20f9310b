"""The periods page: close and reopen periods (closing a fiscal year is ifm.ledger.closing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import get_or_404
from ifm.ledger.models import FiscalYear, Period
from ifm.ledger.periods.forms import ReopenForm
from ifm.ledger.periods.selectors import PERIOD_FILTERS, period_close_plan, period_list
from ifm.ledger.periods.services import books_close_through, period_close, period_reopen
from ifm.tenancy.permissions import require_perm


@login_required
def periods(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "ledger.view")
    today = timezone.localdate()
    status = request.GET.get("status") or ""
    if status not in PERIOD_FILTERS:
        status = ""
    shown = period_list(status=status, today=today).select_related("closed_by")
    years = FiscalYear.objects.select_related("closing_entry").order_by("-start_date")
    if status:
        years = years.filter(periods__in=shown).distinct()
    return render(
        request,
        "ledger/periods.html",
        {
            "years": list(years.prefetch_related(Prefetch("periods", queryset=shown))),
            "reopen_form": ReopenForm(),
            "today": today,
            "status": status,
            "statuses": PERIOD_FILTERS.items(),
        },
    )


def _period_action(request: OrgRequest, org_slug: str, period_id: int, action: str) -> HttpResponse:
    period = get_or_404(Period.objects.select_related("fiscal_year"), period_id, "period")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(request.access, "ledger.close_periods")
    common = service_args(request)
    try:
        if action == "close":
            period_close(period=period, **common)
            messages.success(request, f"Closed {period.name}: it takes no more entries.")
        else:
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            period_reopen(period=period, reason=reason, **common)
            messages.success(request, f"Reopened {period.name}.")
    except ServiceError as exc:
        messages.error(request, f"{period.name}: {exc.message}")
    return redirect(
        reverse("ledger:ledger_periods", kwargs={"org_slug": org_slug})
        + f"#fy-{period.fiscal_year_id}"
    )


@login_required
def period_close_view(request: OrgRequest, org_slug: str, period_id: int) -> HttpResponse:
    return _period_action(request, org_slug, period_id, "close")


@login_required
def period_reopen_view(request: OrgRequest, org_slug: str, period_id: int) -> HttpResponse:
    return _period_action(request, org_slug, period_id, "reopen")


@login_required
def period_close_confirm(request: OrgRequest, org_slug: str, period_id: int) -> HttpResponse:
    """The confirmation before closing: the months it locks and how many entries each holds."""
    period = get_or_404(Period.objects.select_related("fiscal_year"), period_id, "period")
    require_perm(request.access, "ledger.close_periods")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    plan = period_close_plan(period=period)
    return render(request, "ledger/period_close_confirm.html", {"period": period, "plan": plan})


@login_required
def books_close_through_view(request: OrgRequest, org_slug: str, period_id: int) -> HttpResponse:
    """Close every open month up to this one, as confirmed on the confirmation page."""
    period = get_or_404(Period.objects.select_related("fiscal_year"), period_id, "period")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(request.access, "ledger.close_periods")
    expected = _ids(request.POST.getlist("period"))
    try:
        closed = books_close_through(period=period, expected=expected, **service_args(request))
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect(
            reverse(
                "ledger:ledger_period_close_confirm",
                kwargs={"org_slug": org_slug, "period_id": period.pk},
            )
        )
    except ServiceError as exc:
        messages.error(request, f"{period.name}: {exc.message}")
    else:
        names = closed[0].name if len(closed) == 1 else f"{closed[0].name} to {closed[-1].name}"
        messages.success(
            request,
            f"Books closed through {period.name}: {names} "
            f"({len(closed)} month{'s' if len(closed) != 1 else ''}) take no more entries.",
        )
    return redirect(
        reverse("ledger:ledger_periods", kwargs={"org_slug": org_slug})
        + f"#fy-{period.fiscal_year_id}"
    )


def _ids(values: list[str]) -> list[int]:
    """The period ids the confirmation showed; anything else makes the plan not match (409)."""
    ids = []
    for value in values[:1200]:
        ids.append(int(value) if value.isdigit() and len(value) < 12 else -1)
    return ids
