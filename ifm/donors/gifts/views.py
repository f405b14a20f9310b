"""Gift pages: fast donation entry, the donation's edit, the donation list with its filters and
export, campaigns and appeals, gift batches, and the donor picker. The donation's own page and
its void are in ifm.donors.receipts.views: they show and void the gift's receipts with it.

Thin: every write goes through gifts/services.py, every read through gifts/selectors.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.forms import today_in
from ifm.core.pages import is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.donors import choices
from ifm.donors.exports import donations_response
from ifm.donors.forms import add_service_errors, picker_label
from ifm.donors.gifts import selectors, services
from ifm.donors.gifts.forms import (
    AppealForm,
    CampaignForm,
    DonationFilterForm,
    DonationForm,
    VoidForm,
)
from ifm.donors.models import (
    Appeal,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    Method,
)
from ifm.donors.pledges.forms import DonationLinksForm
from ifm.ledger.journal.selectors import entries_for_source
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
PICKER_LIMIT = 10


def donation_or_404(donation_id: int) -> Donation:
    donation = (
        Donation.objects.select_related(
            "donor", "fund", "campaign", "appeal", "journal_entry", "batch__journal_entry"
        )
        .filter(pk=donation_id)
        .first()
    )
    if donation is None:
        raise Http404("No such donation.")
    return donation


@login_required
def donor_pick(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Options for the donor pickers, with the defaults of each donor's last gift: a datalist's
    options, or with `listbox=1` the options of the donation form's combobox."""
    if not (
        has_perm(request.access, "donors.view") or has_perm(request.access, "donations.record")
    ):
        require_perm(request.access, "donors.view")
    query = ""
    for key in ("donor_text", "q"):
        query = query or (request.GET.get(key) or "").strip()[:200]
    options = [
        {"donor": donor, "label": picker_label(donor), "last": selectors.last_donation(donor)}
        for donor in selectors.donor_candidates(query, limit=PICKER_LIMIT)
    ]
    if request.GET.get("listbox"):
        response = render(request, "donors/_donor_listbox.html", {"options": options})
        patch_vary_headers(response, ["HX-Request"])
        return response
    return render(request, "donors/_donor_options.html", {"options": options})


# --- Donation entry ----------------------------------------------------------------------------


def _defaults_for(request: OrgRequest, donor: Donor | None) -> dict[str, Any]:
    """Initial values: the donor's last gift's fund, method and campaign, else the general fund
    and a check, dated today where the organization is."""
    initial: dict[str, Any] = {"date": today_in(request.org.time_zone), "method": Method.CHECK}
    general = choices.active_funds().filter(is_general=True).first()
    if general is not None:
        initial["fund"] = general.pk
    if donor is not None:
        initial["donor"] = donor.pk
        initial["donor_text"] = picker_label(donor)
        last = selectors.last_donation(donor)
        if last is not None:
            initial.update(fund=last.fund_id, method=last.method, campaign=last.campaign_id)
    return initial


def _fixed_donor(raw: str) -> Donor | None:
    """The donor a link fixed on the form (`?donor=12` from the donor's page)."""
    if raw.isdigit() and len(raw) < 12:
        return Donor.objects.filter(pk=int(raw), merged_into__isnull=True).first()
    return None


@login_required
def donation_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Record a gift. Opened from a donor's page the donor is fixed (no picker): Amount has the
    focus and Check number is one Tab away, so a check to the usual fund is typed, tabbed and
    entered in about ten keys."""
    require_perm(request.access, "donations.record")
    donor = None
    if request.method == "POST":
        if request.POST.get("donor_fixed"):
            donor = _fixed_donor(request.POST.get("donor") or "")
        form = DonationForm(request.POST, organization=request.org)
        links = DonationLinksForm(request.POST)
        if all([form.is_valid(), links.is_valid()]):
            picked = form.cleaned_data["donor"]
            try:
                donation = services.donation_record(
                    **service_args(request),
                    donor=picked,
                    **form.service_kwargs(),
                    **links.service_kwargs(),
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                entry = donation.journal_entry
                posted = f", posted as JE-{entry.number}" if entry else ""
                messages.success(
                    request,
                    f"{donation.reference}: {donation.amount:,.2f} from {picked.name} "
                    f"recorded{posted}.",
                )
                if "another" in request.POST:
                    return redirect(org_url(request, "donors:donation_new"))
                return redirect(org_url(request, "donors:donation_detail", donation_id=donation.pk))
    else:
        donor = _fixed_donor(request.GET.get("donor") or "")
        links = DonationLinksForm.for_query(request.GET, donor=donor)
        form = DonationForm(
            initial={**_defaults_for(request, donor), **links.donation_initial()},
            organization=request.org,
        )
    if donor is not None:
        # The donor is fixed: the typing starts at Amount.
        form.fields["amount"].widget.attrs["autofocus"] = True
    return render(
        request,
        "donors/donation_form.html",
        {"form": form, "donation": None, "donor": donor, "links": links},
    )


def donation_context(request: OrgRequest, donation: Donation, **forms: Any) -> dict[str, Any]:
    """The gift page's context, but for its receipts (the page is served by the receipts area,
    which adds them: ifm.donors.receipts.views.donation_detail)."""
    entries = []
    if donation.journal_entry_id:
        entries = list(entries_for_source(source_type="donation", source_id=donation.pk))
        deposit = donation.batch.journal_entry if donation.batch_id and donation.batch else None
        if deposit is not None:  # a gift of a posted batch: the batch's one deposit entry
            entries = sorted([deposit, *entries], key=lambda e: e.number)
    return {
        "donation": donation,
        "entries": entries,
        "soft_credits": list(donation.soft_credits.select_related("donor")),
        "void_form": forms.get("void_form") or VoidForm(),
        "can_change": (
            donation.status != DonationStatus.VOIDED
            and has_perm(request.access, "donations.record")
        ),
    }


@login_required
def donation_edit(request: OrgRequest, org_slug: str, donation_id: int) -> HttpResponse:
    require_perm(request.access, "donations.record")
    donation = donation_or_404(donation_id)
    detail = org_url(request, "donors:donation_detail", donation_id=donation.pk)
    if donation.status == DonationStatus.VOIDED:
        messages.info(request, f"{donation.reference} is voided and cannot be edited.")
        return redirect(detail)
    conflict = None
    if request.method == "POST":
        data = request.POST.copy()
        data["donor"] = str(donation.donor_id)
        form = DonationForm(data, organization=request.org)
        links = DonationLinksForm(data, donation=donation)
        if all([form.is_valid(), links.is_valid()]):
            try:
                saved = services.donation_update(
                    **service_args(request),
                    donation=donation,
                    expected_version=form.cleaned_data.get("version") or donation.version,
                    **form.service_kwargs(),
                    **links.service_kwargs(),
                )
            except ConflictError as exc:
                conflict = exc.message
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{saved.reference} was saved.")
                return redirect(detail)
    else:
        initial = {
            name: getattr(donation, name)
            for name in (
                "amount",
                "date",
                "method",
                "check_number",
                "description",
                "designation",
                "goods_services_description",
                "goods_services_value",
                "anonymous",
                "notes",
                "version",
            )
        }
        initial.update(
            donor=donation.donor_id,
            donor_text=picker_label(donation.donor),
            fund=donation.fund_id,
            campaign=donation.campaign_id,
            appeal=donation.appeal_id,
        )
        form = DonationForm(initial=initial, organization=request.org)
        links = DonationLinksForm(donation=donation)
    return render(
        request,
        "donors/donation_form.html",
        {
            "form": form,
            "links": links,
            "donation": donation,
            "donor": donation.donor,
            "conflict": conflict,
        },
    )


LIST_PAGE_SIZE = 50


# --- Donations ---------------------------------------------------------------------------------


DONATION_SORTS = SortOptions(
    {
        "gift": ("id",),
        "date": ("date",),
        "donor": ("donor__last_name", "donor__first_name", "donor__organization_name"),
        "method": ("method",),
        "fund": ("fund__code",),
        "campaign": ("campaign__name",),
        "amount": ("amount",),
    },
    descending_first={"gift", "date", "amount"},
    default="date",
    default_descending=True,
)
CAMPAIGN_SORTS = SortOptions(
    {
        "name": ("campaign.name",),
        "gifts": ("count",),
        "donors": ("donors",),
        "raised": ("total",),
    },
    descending_first={"gifts", "donors", "raised"},
)


def _filtered_donations(request: OrgRequest) -> tuple[DonationFilterForm, Any]:
    form = DonationFilterForm(request.GET or None)
    donations = selectors.donation_list(**form.filters())
    return form, DONATION_SORTS.read(request.GET).apply(donations)


@login_required
def donation_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
    form, donations = _filtered_donations(request)
    page = Paginator(donations, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": selectors.donation_totals(donations),
        "filtered": bool(form.filters()),
        "sorting": DONATION_SORTS.read(request.GET),
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
def donation_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The donations as they are filtered, as CSV (streamed) or XLSX."""
    require_perm(request.access, "donors.view")
    _form, donations = _filtered_donations(request)
    org = request.org
    filename = f"donations-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    return donations_response(donations, fmt=fmt, organization=org, filename=filename)


# --- Campaigns and appeals ---------------------------------------------------------------------


def _campaign_context(request: OrgRequest, **forms: Any) -> dict[str, Any]:
    totals = selectors.campaign_totals()
    empty = {"count": 0, "total": None, "donors": 0}
    sorting = CAMPAIGN_SORTS.read(request.GET)
    campaigns = sorting.sort_items(
        {
            "campaign": c,
            **totals.get(c.pk, empty),
            **selectors.campaign_progress(c, totals.get(c.pk, empty)["total"]),
            "appeals": list(c.appeals.all()),
        }
        for c in Campaign.objects.prefetch_related("appeals")
    )
    return {
        "campaigns": campaigns,
        "sorting": sorting,
        "loose_appeals": list(Appeal.objects.filter(campaign__isnull=True)),
        "can_edit": has_perm(request.access, "donations.record"),
        "campaign_form": forms.get("campaign_form") or CampaignForm(prefix="campaign"),
        "appeal_form": forms.get("appeal_form") or AppealForm(prefix="appeal"),
    }


@login_required
def campaign_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Campaigns with what each raised, their appeals, and forms to add either."""
    require_perm(request.access, "donors.view")
    status = 200
    forms: dict[str, Any] = {}
    if request.method == "POST":
        require_perm(request.access, "donations.record")
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
                    row = services.campaign_create(**service_args(request), **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{row.name} was added.")
                return redirect(org_url(request, "donors:campaign_list"))
        status = 422
    return render(
        request, "donors/campaigns/list.html", _campaign_context(request, **forms), status=status
    )
