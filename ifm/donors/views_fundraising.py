"""Fundraising pages under /o/<org_slug>/donors/: the donation list with its filters and export,
campaigns and appeals, and the Publication 1771 compliance view.

Thin: writes go through ifm.donors.services, reads through the selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.core.errors import ServiceError
from ifm.core.pages import access_of, is_htmx_partial, org_of, org_url, service_args
from ifm.donors import selectors, services
from ifm.donors.exports import donations_response
from ifm.donors.forms import add_service_errors
from ifm.donors.forms_fundraising import (
    AppealForm,
    CampaignForm,
    ComplianceForm,
    DonationFilterForm,
)
from ifm.donors.models import Appeal, Campaign
from ifm.donors.receipts.selectors import compliance_gaps
from ifm.donors.receipts.wording import ACKNOWLEDGMENT_THRESHOLD, QUID_PRO_QUO_THRESHOLD
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 50


# --- Donations ---------------------------------------------------------------------------------


def _filtered_donations(request: HttpRequest) -> tuple[DonationFilterForm, Any]:
    form = DonationFilterForm(request.GET or None)
    return form, selectors.donation_list(**form.filters())


@login_required
def donation_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "donors.view")
    form, donations = _filtered_donations(request)
    page = Paginator(donations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": selectors.donation_totals(donations),
        "filtered": bool(form.filters()),
    }
    template = (
        "donors/donations/_results.html"
        if is_htmx_partial(request)
        else "donors/donations/list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def donation_export(request: HttpRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The donations as they are filtered, as CSV (streamed) or XLSX."""
    require_perm(access_of(request), "donors.view")
    _form, donations = _filtered_donations(request)
    org = org_of(request)
    filename = f"donations-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    return donations_response(donations, fmt=fmt, organization=org, filename=filename)


# --- Campaigns and appeals ---------------------------------------------------------------------


def _campaign_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    totals = selectors.campaign_totals()
    empty = {"count": 0, "total": None, "donors": 0}
    campaigns = [
        {"campaign": c, **totals.get(c.pk, empty), "appeals": list(c.appeals.all())}
        for c in Campaign.objects.prefetch_related("appeals")
    ]
    return {
        "campaigns": campaigns,
        "loose_appeals": list(Appeal.objects.filter(campaign__isnull=True)),
        "can_edit": has_perm(access_of(request), "donations.record"),
        "campaign_form": forms.get("campaign_form") or CampaignForm(prefix="campaign"),
        "appeal_form": forms.get("appeal_form") or AppealForm(prefix="appeal"),
    }


@login_required
def campaign_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Campaigns with what each raised, their appeals, and forms to add either."""
    require_perm(access_of(request), "donors.view")
    status = 200
    forms: dict[str, Any] = {}
    if request.method == "POST":
        require_perm(access_of(request), "donations.record")
        which = request.POST.get("add")
        form: CampaignForm | AppealForm
        if which == "appeal":
            form = AppealForm(request.POST, prefix="appeal")
            forms["appeal_form"] = form
        else:
            form = CampaignForm(request.POST, prefix="campaign")
            forms["campaign_form"] = form
        if form.is_valid():
            try:
                if isinstance(form, AppealForm):
                    row: Any = services.appeal_create(
                        **service_args(request),
                        name=form.cleaned_data["name"],
                        campaign=form.cleaned_data.get("campaign"),
                    )
                else:
                    row = services.campaign_create(
                        **service_args(request), name=form.cleaned_data["name"]
                    )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{row.name} was added.")
                return redirect(org_url(request, "campaign_list"))
        status = 422
    return render(
        request, "donors/campaigns/list.html", _campaign_context(request, **forms), status=status
    )


# --- Compliance --------------------------------------------------------------------------------


@login_required
def compliance(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Gifts the law wants acknowledged that are not: $250 or more without a receipt, and
    quid-pro-quo payments over $75 without the disclosure."""
    require_perm(access_of(request), "donors.view")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = ComplianceForm(request.GET or None)
    gaps = compliance_gaps(organization=org_of(request), year=form.year_or_none())
    unacknowledged = Paginator(gaps.unacknowledged, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "donors/compliance.html",
        {
            "form": form,
            "unacknowledged": unacknowledged,
            "unacknowledged_count": unacknowledged.paginator.count,
            "quid_pro_quo": list(gaps.undisclosed_quid_pro_quo[:200]),
            "quid_pro_quo_count": gaps.undisclosed_quid_pro_quo.count(),
            "acknowledgment_threshold": ACKNOWLEDGMENT_THRESHOLD,
            "quid_pro_quo_threshold": QUID_PRO_QUO_THRESHOLD,
            "can_issue": has_perm(access_of(request), "receipts.issue"),
        },
    )
