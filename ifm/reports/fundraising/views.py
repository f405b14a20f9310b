"""Pages of the fundraising reports and their CSV and Excel files (one view draws any of
them, the same `Report` the API answers with), the donors behind a figure, and "save as donor
list" for LYBUNT and SYBUNT."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.icons import icon
from ifm.donors.exports import donors_response
from ifm.donors.lists.services import donor_list_create
from ifm.reports.export import report_file
from ifm.reports.fundraising import forms, selectors, services
from ifm.reports.fundraising.charts import campaign_chart, retention_chart
from ifm.reports.fundraising.drill import SEGMENT_LABELS, DrillError, drill_down
from ifm.reports.pages import render_report
from ifm.reports.report import Report
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import has_perm, require_perm

PERM = "reports.fundraising"
RANGES_PERM = services.PERM
PAGE_SIZE = 50
# The pages of the reports with a row per donor show this many donors at a time (their totals
# are for all of them), read a page at a time; their files and the API keep every row.
ROWS_PER_PAGE = 100

Built = tuple[Any, Report, dict[str, Any]]

SOFT_CREDITS = "Posted gifts only, voided ones never; soft credits are not counted."


def _lapsed(kind: str, *, paged: bool = False) -> Callable[[OrgRequest], Built]:
    """LYBUNT or SYBUNT: every donor (the files), or the page of them asked for (`page`) with
    the pagination under the table in `extra["page"]` (the page)."""

    def build(request: OrgRequest) -> Built:
        form = forms.LapsedForm(request.GET or None)
        year, basis = form.values(request.org)
        page = None
        if paged:
            report, page = selectors.lapsed_page(
                request.org,
                kind=kind,
                year=year,
                basis=basis,
                number=request.GET.get("page"),
                per_page=ROWS_PER_PAGE,
            )
        else:
            report = selectors.lapsed(request.org, kind=kind, year=year, basis=basis)
        if not form.is_bound:
            form = forms.LapsedForm(initial={"year": year, "basis": basis})
        what = "in the year before" if kind == "lybunt" else "in any year before"
        intro = f"Donors who gave {what} {year} and nothing in it. {SOFT_CREDITS}"
        extra: dict[str, Any] = {
            "intro": intro,
            "save_list": {"kind": kind, "year": year, "basis": basis},
        }
        if page is not None:
            extra["page"] = page
        return form, report, extra

    return build


def _retention(request: OrgRequest) -> Built:
    form = forms.RetentionForm(request.GET or None)
    year, basis = form.values(request.org)
    years = form.span()
    report = selectors.retention(request.org, year=year, years=years, basis=basis)
    if not form.is_bound:
        form = forms.RetentionForm(initial={"year": year, "basis": basis, "years": years})
    intro = (
        "Retained: gave this year and the year before; recaptured: gave this year and before "
        "the year before, not the year before; lapsed: gave the year before, not this year; "
        f"retention rate: retained ÷ donors of the year before. {SOFT_CREDITS}"
    )
    return form, report, {"intro": intro, "charts": retention_chart(report)}


def _gift_range(request: OrgRequest) -> Built:
    form = forms.GiftRangeForm(request.GET or None)
    period = form.values(request.org)
    lows = form.lows()
    report = selectors.gift_range(request.org, period=period, lows=lows)
    if not form.is_bound:
        form = forms.GiftRangeForm(
            initial={
                "date_from": period[0],
                "date_to": period[1],
                "ranges": selectors.ranges_text(lows),
            }
        )
    extra: dict[str, Any] = {"intro": f"Donors by their total giving in the period. {SOFT_CREDITS}"}
    if has_perm(request.access, RANGES_PERM):
        extra["actions"] = format_html(
            '<a class="btn btn-outline-secondary btn-sm" id="gift-range-settings" href="{}">'
            "{} Standard ranges</a>",
            reverse("reports:gift_range_settings", kwargs={"org_slug": request.org.slug}),
            icon("sliders"),
        )
    return form, report, extra


def _campaigns(request: OrgRequest) -> Built:
    form = forms.CampaignForm(request.GET or None)
    period = form.optional_period(request.org)
    report = selectors.campaigns(request.org, period=period)
    intro = f"Gifts to date unless a period is given. {SOFT_CREDITS}"
    return form, report, {"intro": intro, "charts": campaign_chart(report)}


def _top_donors(request: OrgRequest) -> Built:
    form = forms.TopDonorsForm(request.GET or None)
    period = form.values(request.org)
    limit = form.size()
    report = selectors.top_donors(request.org, period=period, limit=limit)
    if not form.is_bound:
        form = forms.TopDonorsForm(
            initial={"date_from": period[0], "date_to": period[1], "limit": limit}
        )
    return form, report, {"intro": SOFT_CREDITS}


def _monthly(request: OrgRequest) -> Built:
    form = forms.MonthlyForm(request.GET or None)
    period = form.values(request.org)
    report = selectors.monthly_trend(request.org, period=period)
    if not form.is_bound:
        form = forms.MonthlyForm(initial={"date_from": period[0], "date_to": period[1]})
    intro = f"The last twelve months unless a period is given. {SOFT_CREDITS}"
    return form, report, {"intro": intro}


REPORTS: dict[str, Callable[[OrgRequest], Built]] = {
    "lybunt": _lapsed("lybunt"),
    "sybunt": _lapsed("sybunt"),
    "retention": _retention,
    "gift_range": _gift_range,
    "campaign_giving": _campaigns,
    "top_donors": _top_donors,
    "monthly_giving": _monthly,
}
# The pages that show a page of their rows, built so (the files use REPORTS).
PAGED: dict[str, Callable[[OrgRequest], Built]] = {
    "lybunt": _lapsed("lybunt", paged=True),
    "sybunt": _lapsed("sybunt", paged=True),
}
FILE_NAMES = {
    "lybunt": "lybunt",
    "sybunt": "sybunt",
    "retention": "donor-retention",
    "gift_range": "gift-range",
    "campaign_giving": "giving-by-campaign",
    "top_donors": "top-donors",
    "monthly_giving": "monthly-giving",
}


def _save_button(request: OrgRequest, save: dict[str, Any]) -> str:
    """The "Save as donor list" form, for those who may edit donors."""
    if not has_perm(request.access, "donors.edit"):
        return ""
    return render_to_string("reports/_save_list.html", save, request=request)


@login_required
def report_page(request: OrgRequest, org_slug: str, name: str) -> HttpResponse:
    require_perm(request.access, PERM)
    form, report, extra = PAGED.get(name, REPORTS[name])(request)
    save = extra.pop("save_list", None)
    if save and report.totals.get("donors"):
        extra["actions"] = _save_button(request, save)
    return render_report(request, name, form, report, **extra)


@login_required
def report_export(request: OrgRequest, org_slug: str, name: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, PERM)
    _, report, extra = REPORTS[name](request)
    # The charts are drawn from the report itself (no query of their own); only the PDF has them.
    drawn = extra.get("charts", []) if fmt == "pdf" else []
    return report_file(request, report, fmt, FILE_NAMES[name], charts=drawn)


@login_required
def save_list(request: OrgRequest, org_slug: str, kind: str) -> HttpResponseBase:
    """Save the donors of LYBUNT or SYBUNT (for the year and basis posted) as a donor list."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(request.access, PERM)
    form = forms.LapsedForm(request.POST)
    year, basis = form.values(request.org)
    back = reverse(f"reports:{kind}", kwargs={"org_slug": org_slug}) + f"?year={year}&basis={basis}"
    if form.errors:
        messages.error(request, "The year or basis was not valid: the list was not saved.")
        return redirect(back)
    ids = selectors.lapsed_donor_ids(request.org, kind=kind, year=year, basis=basis)
    try:
        saved = donor_list_create(
            **service_args(request),
            name=request.POST.get("name") or f"{kind.upper()} {year}",
            donor_ids=ids,
            criteria={"report": kind, "year": year, "basis": basis},
        )
    except ServiceError as error:
        messages.error(request, f"The list was not saved: {error}")
        return redirect(back)
    messages.success(request, f"Saved “{saved.name}” with {len(ids)} donors.")
    return redirect(
        reverse("donors:donor_list_detail", kwargs={"org_slug": org_slug, "donorlist_id": saved.pk})
    )


def _drill(request: OrgRequest) -> tuple[str, Any, str]:
    try:
        title, donors = drill_down(request.org, request.GET)
    except DrillError as error:
        return "", None, error.message
    return title, donors, ""


@login_required
def donors_page(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The donors behind a figure, fifty at a time, with CSV and Excel files."""
    require_perm(request.access, PERM)
    title, donors, problem = _drill(request)
    if problem:
        return render(request, "reports/fundraising_donors.html", {"problem": problem}, status=400)
    page = Paginator(donors.select_related("giving_summary"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"title": title, "page": page, "segments": list(SEGMENT_LABELS.items())}
    return render(request, "reports/fundraising_donors.html", context)


@login_required
def donors_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, PERM)
    _, donors, problem = _drill(request)
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain")
    filename = f"report-donors-{request.org.slug}-{timezone.localdate():%Y-%m-%d}"
    return donors_response(donors, fmt=fmt, organization=request.org, filename=filename)


@login_required
def gift_range_settings(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The organization's standard gift ranges, used by the gift range report when a request
    names none (`ledger.manage`)."""
    require_perm(request.access, RANGES_PERM)
    saved = selectors.gift_range_settings_get()
    context: dict[str, Any] = {"saved": saved, "standard": selectors.standard_ranges()}
    status = 200
    if request.method == "POST":
        form = forms.GiftRangeSettingsForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.gift_ranges_save(
                    organization=request.org,
                    access=request.access,
                    actor=request.user,
                    ranges=form.cleaned_data["ranges"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as exc:
                context["conflict"] = exc.message
                status = exc.status
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The standard gift ranges are saved.")
                return redirect(reverse("reports:gift_range", kwargs={"org_slug": org_slug}))
    else:
        form = forms.GiftRangeSettingsForm(
            initial={
                "ranges": selectors.ranges_text(saved.lows) if saved else "",
                "version": saved.version if saved else None,
            }
        )
    context["form"] = form
    return render(request, "reports/gift_range_settings.html", context, status=status)
