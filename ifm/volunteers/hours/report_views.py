"""The volunteer reports page (with its chart and exports) and the hourly value setting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.volunteers.hours import chart, exports, services
from ifm.volunteers.hours.forms import HourlyValueForm, PeriodForm
from ifm.volunteers.hours.reports import TABLES, HoursReport, Period, hours_report


def _report(request: OrgRequest) -> tuple[PeriodForm, HoursReport]:
    form = PeriodForm(request.GET or None)
    start, end = form.period(services.org_today(request.org))
    return form, hours_report(request.org, Period(start, end))


@login_required
def hours_reports(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    form, report = _report(request)
    months = report.by_month
    figure = chart.bar_chart(
        "Approved hours by month", [r.label for r in months], [r.hours for r in months]
    )
    tables = [
        (name, exports.TABLE_TITLES[name][0], *exports.report_table(report, name))
        for name in TABLES
    ]
    context = {
        "form": form,
        "report": report,
        "chart": figure,
        "tables": tables,
        "query": request.GET.urlencode(),
        "can_manage": has_perm(request.access, "volunteers.manage"),
        "tab": "reports",
    }
    return render(request, "volunteers/hours/reports.html", context)


@login_required
def hours_report_export(
    request: OrgRequest, org_slug: str, table: str, fmt: str
) -> HttpResponseBase:
    require_perm(request.access, "volunteers.view")
    _, report = _report(request)
    period = report.period
    filename = (
        f"volunteer-hours-by-{table}-{request.org.slug}-{period.date_from:%Y-%m-%d}"
        f"-to-{period.date_to:%Y-%m-%d}"
    )
    return exports.report_response(report, table, fmt, filename)


@login_required
def hours_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    row = services.settings_for(request.org)
    conflict = None
    if request.method == "POST":
        form = HourlyValueForm(request.POST)
        if form.is_valid():
            try:
                services.hourly_value_set(
                    **service_args(request),
                    hourly_value=form.cleaned_data["hourly_value"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as exc:
                conflict = exc.message
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The value of an hour of volunteer time is saved.")
                return redirect(
                    reverse("volunteers:hours_settings", kwargs={"org_slug": request.org.slug})
                )
    else:
        form = HourlyValueForm(initial={"hourly_value": row.hourly_value, "version": row.version})
    status = 409 if conflict else (422 if form.errors else 200)
    return render(
        request,
        "volunteers/hours/settings.html",
        {"form": form, "settings": row, "conflict": conflict, "tab": "settings"},
        status=status,
    )
