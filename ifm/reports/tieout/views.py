"""The page and files of the donations-vs-ledger tie-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase

from ifm.accounts.http import OrgRequest
from ifm.reports.export import report_file
from ifm.reports.financial.forms import PeriodForm
from ifm.reports.pages import render_report
from ifm.reports.report import Report
from ifm.reports.tieout.selectors import donations_vs_ledger
from ifm.tenancy.permissions import require_perm

PERM = "reports.financial"
INTRO = (
    "Gifts recorded by the donor module (cash and in kind, voided gifts left out) against the "
    "contribution revenue the ledger holds for each fund; every difference must be 0.00, and "
    "any that is not is explained item by item below."
)


def _report(request: OrgRequest) -> tuple[Any, Report]:
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period(request.org)
    report = donations_vs_ledger(date_from=date_from, date_to=date_to, org_slug=request.org.slug)
    if not form.is_bound:
        form = PeriodForm(initial={"date_from": date_from, "date_to": date_to})
    return form, report


@login_required
def tieout(request: OrgRequest, org_slug: str, name: str) -> HttpResponse:
    require_perm(request.access, PERM)
    form, report = _report(request)
    return render_report(request, name, form, report, intro=INTRO)


@login_required
def tieout_export(request: OrgRequest, org_slug: str, name: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, PERM)
    _, report = _report(request)
    return report_file(request, report, fmt, "donations-vs-ledger")
