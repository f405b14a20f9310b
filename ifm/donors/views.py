"""Donor pages: the list, the donor form with its duplicate check, the profile, fast donation
entry, the donation with its edit and void, and gift batches.

Thin: every write goes through ifm.donors.services, every read through selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import access_of, error_text, is_htmx_partial, org_of, org_url, service_args
from ifm.donors import receipts, selectors, services
from ifm.donors.forms import (
    CONTACT_FORMS,
    BatchGiftForm,
    DonationForm,
    DonorFilterForm,
    DonorForm,
    GiftBatchForm,
    NoteForm,
    VoidForm,
    add_service_errors,
    contact_forms,
)
from ifm.donors.forms_pledges import DonationLinksForm
from ifm.donors.models import (
    BatchStatus,
    Donation,
    DonationStatus,
    Donor,
    GiftBatch,
    Method,
)
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
PICKER_LIMIT = 10


def _donor_or_404(donor_id: int) -> Donor:
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404("No such donor.")
    return donor


def _donation_or_404(donation_id: int) -> Donation:
    donation = (
        Donation.objects.select_related("donor", "fund", "campaign", "appeal", "journal_entry")
        .filter(pk=donation_id)
        .first()
    )
    if donation is None:
        raise Http404("No such donation.")
    return donation


def _batch_or_404(batch_id: int) -> GiftBatch:
    batch = GiftBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such gift batch.")
    return batch


# --- The donor list ----------------------------------------------------------------------------


def _filtered_donors(request: HttpRequest) -> tuple[DonorFilterForm, QuerySet[Donor]]:
    form = DonorFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    active = data.get("active") or ""
    donors = selectors.donor_search(data.get("q") or "", include_inactive=bool(active))
    if active == "inactive":
        donors = donors.filter(is_active=False)
    if data.get("tag"):
        donors = donors.filter(tags=data["tag"])
    gave = data.get("gave") or ""
    year = timezone.localdate().year
    gave_this_year = Q(giving_summary__year=year, giving_summary__this_year_total__gt=0)
    if gave == "this_year":
        donors = donors.filter(gave_this_year)
    elif gave == "not_this_year":
        donors = donors.exclude(gave_this_year)
    elif gave == "never":
        donors = donors.filter(Q(giving_summary__isnull=True) | Q(giving_summary__gift_count=0))
    return form, donors.select_related("giving_summary").order_by(
        "last_name", "first_name", "organization_name", "id"
    )


@login_required
def donor_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "donors.view")
    form, donors = _filtered_donors(request)
    page = Paginator(donors, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    rows = []
    for donor in page:
        summary = getattr(donor, "giving_summary", None)
        rows.append(
            {
                "donor": donor,
                "summary": summary,
                "this_year": summary.current_totals()[0] if summary else None,
            }
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": form.filtered,
        "this_year": this_year,
        "export_csv": org_url(request, "donor_export_csv"),
        "export_xlsx": org_url(request, "donor_export_xlsx"),
    }
    template = "donors/_list_results.html" if is_htmx_partial(request) else "donors/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def donor_export(request: HttpRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The list as it is filtered, as CSV (streamed) or XLSX."""
    require_perm(access_of(request), "donors.view")
    from ifm.donors.exports import donors_response

    _, donors = _filtered_donors(request)
    org = org_of(request)
    filename = f"donors-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    return donors_response(donors, fmt=fmt, organization=org, filename=filename)


@login_required
def donor_pick(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Options for the donor picker (a datalist), with the defaults of each donor's last gift."""
    if not (
        has_perm(access_of(request), "donors.view")
        or has_perm(access_of(request), "donations.record")
    ):
        require_perm(access_of(request), "donors.view")
    query = ""
    for key in ("donor_text", "q"):
        query = query or (request.GET.get(key) or "").strip()[:200]
    # A picked option reads "Ann Smith · ann@example.org · D-12": search by its id.
    options = []
    if query:
        ref = query.rsplit("D-", 1)[-1] if " · D-" in query else ""
        donors = (
            Donor.objects.filter(pk=int(ref))
            if ref.isdigit() and len(ref) < 12
            else selectors.donor_search(query)
        )
        for donor in donors.order_by("last_name", "first_name", "id")[:PICKER_LIMIT]:
            last = selectors.last_donation(donor)
            options.append(
                {
                    "donor": donor,
                    "label": picker_label(donor),
                    "last": last,
                }
            )
    return render(request, "donors/_donor_options.html", {"options": options})


def picker_label(donor: Donor) -> str:
    parts = [donor.name, donor.email or donor.city or donor.postal_code, donor.reference]
    return " · ".join(p for p in parts if p)


# --- The donor form ----------------------------------------------------------------------------


def _save_donor(
    request: HttpRequest, form: DonorForm, donor: Donor | None
) -> tuple[Donor | None, list[dict[str, Any]], str | None]:
    """Returns (the saved donor, possible duplicates shown instead of saving, a conflict)."""
    org = org_of(request)
    if not form.cleaned_data.get("confirm_duplicates"):
        values = form.duplicate_kwargs()
        matches = selectors.donor_duplicates(
            organization=org, exclude_id=donor.pk if donor else None, **values
        )
        if matches:
            return (
                None,
                [{"donor": m, "reasons": selectors.duplicate_reasons(m, values)} for m in matches],
                None,
            )
    fields = form.service_kwargs()
    fields["tags"] = form.tag_names()
    try:
        if donor is None:
            saved = services.donor_create(
                **service_args(request),
                confirm_duplicate=bool(form.cleaned_data.get("confirm_duplicates")),
                **fields,
            )
        else:
            saved = services.donor_update(
                **service_args(request),
                donor=donor,
                expected_version=form.cleaned_data.get("version") or donor.version,
                **fields,
            )
    except ConflictError as exc:
        return None, [], exc.message
    except ServiceError as exc:
        add_service_errors(form, exc)
        return None, [], None
    return saved, [], None


@login_required
def donor_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "donors.edit")
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST":
        form = DonorForm(request.POST)
        if form.is_valid():
            donor, duplicates, _ = _save_donor(request, form, None)
            if donor is not None:
                messages.success(request, f"{donor.name} was added ({donor.reference}).")
                return redirect(org_url(request, "donor_detail", donor_id=donor.pk))
    else:
        form = DonorForm()
    return render(
        request,
        "donors/donor_form.html",
        {"form": form, "donor": None, "duplicates": duplicates},
    )


@login_required
def donor_edit(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponse:
    require_perm(access_of(request), "donors.edit")
    donor = _donor_or_404(donor_id)
    duplicates: list[dict[str, Any]] = []
    conflict = None
    if request.method == "POST":
        form = DonorForm(request.POST)
        if form.is_valid():
            saved, duplicates, conflict = _save_donor(request, form, donor)
            if saved is not None:
                messages.success(request, f"{saved.name} was saved.")
                return redirect(org_url(request, "donor_detail", donor_id=saved.pk))
    else:
        form = DonorForm(initial=DonorForm.initial_for(donor))
    return render(
        request,
        "donors/donor_form.html",
        {"form": form, "donor": donor, "duplicates": duplicates, "conflict": conflict},
    )


# --- The donor profile -------------------------------------------------------------------------


def _receipts_for(donor: Donor) -> list[Any]:
    return list(donor.tax_receipts.order_by("-number")[:50])


@login_required
def donor_detail(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponse:
    require_perm(access_of(request), "donors.view")
    donor = _donor_or_404(donor_id)
    if donor.merged_into_id:
        messages.info(request, f"{donor.reference} was merged into this donor.")
        return redirect(org_url(request, "donor_detail", donor_id=donor.merged_into_id))
    return render(request, "donors/donor_detail.html", _detail_context(request, donor))


def _detail_context(
    request: HttpRequest, donor: Donor, bound: Any = None, contact_error: str = ""
) -> dict[str, Any]:
    summary = selectors.giving_summary(donor)
    this_year, last_year = summary.current_totals()
    donations = Paginator(selectors.donations_for(donor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    household_members = (
        list(donor.household.members.exclude(pk=donor.pk)) if donor.household else []
    )
    return {
        **_contacts_context(donor, bound, contact_error),
        "donor": donor,
        "summary": summary,
        "this_year": this_year,
        "last_year": last_year,
        "donations": donations,
        "soft_credits": list(
            donor.soft_credits.select_related("donation", "donation__donor").order_by(
                "-donation__date"
            )[:20]
        ),
        "household_members": household_members,
        "notes": list(donor.notes.select_related("created_by")[:50]),
        "tags": list(donor.tags.all()),
        "receipts": _receipts_for(donor),
        "note_form": NoteForm(),
        "pledges": list(donor.pledges.all()[:20]),
        "recurring": list(donor.recurring_gifts.all()[:20]),
    }


# --- A donor's emails, phones and addresses (the profile's Contact card) ----------------------


def _contacts_context(donor: Donor, bound: Any = None, error: str = "") -> dict[str, Any]:
    return {
        "donor": donor,
        "contacts": selectors.donor_contacts(donor),
        "contact_forms": contact_forms(bound),
        "contact_error": error,
    }


_CONTACT_SERVICES: dict[tuple[str, str], Callable[..., Any]] = {
    ("email", "add"): services.donor_email_add,
    ("email", "remove"): services.donor_email_remove,
    ("email", "primary"): services.donor_email_set_primary,
    ("phone", "add"): services.donor_phone_add,
    ("phone", "remove"): services.donor_phone_remove,
    ("phone", "primary"): services.donor_phone_set_primary,
    ("address", "add"): services.donor_address_add,
    ("address", "remove"): services.donor_address_remove,
    ("address", "primary"): services.donor_address_set_primary,
}


@login_required
def donor_contacts(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """The Contact card (GET, for HTMX); POST kind=email|phone|address and action=add (the
    kind's form), remove or primary (contact_id=). HTMX gets the card back, else a redirect
    (or, on an error, the profile with the error beside its field)."""
    require_perm(access_of(request), "donors.view")
    donor = _donor_or_404(donor_id)
    htmx = is_htmx_partial(request)
    if request.method == "GET":
        return render(request, "donors/_contacts.html", _contacts_context(donor))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    require_perm(access_of(request), "donors.edit")
    kind, action = request.POST.get("kind", ""), request.POST.get("action", "")
    service = _CONTACT_SERVICES.get((kind, action))
    if service is None:
        return HttpResponseBadRequest("Unknown kind or action.")
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() and len(version) < 10 else None
    bound = None
    error = ""
    try:
        if action == "add":
            bound = CONTACT_FORMS[kind](request.POST, prefix=kind)
            if bound.is_valid():
                service(
                    **service_args(request),
                    donor=donor,
                    expected_version=expected,
                    **bound.service_kwargs(),
                )
                bound = None
        else:
            contact = request.POST.get("contact_id", "")
            if not contact.isdigit() or len(contact) > 12:
                return HttpResponseBadRequest("Which one?")
            service(
                **service_args(request),
                donor=donor,
                contact=int(contact),
                expected_version=expected,
            )
    except ConflictError as exc:
        error = exc.message
    except ServiceError as exc:
        if bound is not None:
            add_service_errors(bound, exc)
        else:
            error = exc.message
    donor = _donor_or_404(donor_id)
    if htmx:
        return render(request, "donors/_contacts.html", _contacts_context(donor, bound, error))
    if bound is not None or error:
        context = _detail_context(request, donor, bound, error)
        return render(request, "donors/donor_detail.html", context, status=422)
    messages.success(request, "Contact details saved.")
    return redirect(org_url(request, "donor_detail", donor_id=donor.pk) + "#contacts")


@login_required
def donor_note_add(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    require_perm(access_of(request), "donors.edit")
    donor = _donor_or_404(donor_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.donor_note_add(
                **service_args(request), donor=donor, body=form.cleaned_data["body"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Note added.")
    else:
        messages.error(request, "Write the note first.")
    return redirect(org_url(request, "donor_detail", donor_id=donor.pk) + "#notes")


# --- Donation entry ----------------------------------------------------------------------------


def _defaults_for(donor: Donor | None) -> dict[str, Any]:
    """Initial values: the donor's last gift's fund, method and campaign, else the general fund."""
    initial: dict[str, Any] = {"date": timezone.localdate(), "method": Method.CHECK}
    general = selectors.active_funds().filter(is_general=True).first()
    if general is not None:
        initial["fund"] = general.pk
    if donor is not None:
        initial["donor"] = donor.pk
        initial["donor_text"] = picker_label(donor)
        last = selectors.last_donation(donor)
        if last is not None:
            initial.update(fund=last.fund_id, method=last.method, campaign=last.campaign_id)
    return initial


@login_required
def donation_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "donations.record")
    donor = None
    if request.method == "POST":
        form = DonationForm(request.POST)
        links = DonationLinksForm(request.POST)
        if all([form.is_valid(), links.is_valid()]):
            donor = form.cleaned_data["donor"]
            try:
                donation = services.donation_record(
                    **service_args(request),
                    donor=donor,
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
                    f"{donation.reference}: {donation.amount:,.2f} from {donor.name} "
                    f"recorded{posted}.",
                )
                if "another" in request.POST:
                    return redirect(org_url(request, "donation_new"))
                return redirect(org_url(request, "donation_detail", donation_id=donation.pk))
    else:
        raw = request.GET.get("donor") or ""
        if raw.isdigit() and len(raw) < 12:
            donor = Donor.objects.filter(pk=int(raw), merged_into__isnull=True).first()
        links = DonationLinksForm.for_query(request.GET, donor=donor)
        form = DonationForm(initial={**_defaults_for(donor), **links.donation_initial()})
    return render(
        request,
        "donors/donation_form.html",
        {"form": form, "donation": None, "donor": donor, "links": links},
    )


def _receipt_context(request: HttpRequest, donation: Donation) -> dict[str, Any]:
    return {
        "receipts": list(donation.tax_receipts.order_by("-number")),
        "can_issue_receipt": (
            donation.status == DonationStatus.ACTIVE
            and has_perm(access_of(request), "receipts.issue")
        ),
    }


@login_required
def donation_detail(request: HttpRequest, org_slug: str, donation_id: int) -> HttpResponse:
    require_perm(access_of(request), "donors.view")
    donation = _donation_or_404(donation_id)
    return render(request, "donors/donation_detail.html", _donation_context(request, donation))


def _donation_context(request: HttpRequest, donation: Donation, **forms: Any) -> dict[str, Any]:
    entries = []
    if donation.journal_entry_id:
        from ifm.ledger.journal.selectors import entries_for_source

        entries = list(entries_for_source(source_type="donation", source_id=donation.pk))
    return {
        "donation": donation,
        "entries": entries,
        "soft_credits": list(donation.soft_credits.select_related("donor")),
        "void_form": forms.get("void_form") or VoidForm(),
        "can_change": (
            donation.status != DonationStatus.VOIDED
            and has_perm(access_of(request), "donations.record")
        ),
        **_receipt_context(request, donation),
    }


@login_required
def donation_edit(request: HttpRequest, org_slug: str, donation_id: int) -> HttpResponse:
    require_perm(access_of(request), "donations.record")
    donation = _donation_or_404(donation_id)
    detail = org_url(request, "donation_detail", donation_id=donation.pk)
    if donation.status == DonationStatus.VOIDED:
        messages.info(request, f"{donation.reference} is voided and cannot be edited.")
        return redirect(detail)
    conflict = None
    if request.method == "POST":
        data = request.POST.copy()
        data["donor"] = str(donation.donor_id)
        form = DonationForm(data)
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
        form = DonationForm(initial=initial)
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


@login_required
def donation_void(request: HttpRequest, org_slug: str, donation_id: int) -> HttpResponseBase:
    require_perm(access_of(request), "donations.record")
    donation = _donation_or_404(donation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = VoidForm(request.POST)
    if not form.is_valid():
        context = _donation_context(request, donation, void_form=form)
        return render(request, "donors/donation_detail.html", context, status=422)
    try:
        services.donation_void(
            **service_args(request), donation=donation, reason=form.cleaned_data["reason"]
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{donation.reference} was voided; its ledger entry is reversed.")
    return redirect(org_url(request, "donation_detail", donation_id=donation.pk))


@login_required
def donation_receipt(request: HttpRequest, org_slug: str, donation_id: int) -> HttpResponseBase:
    require_perm(access_of(request), "receipts.issue")
    donation = _donation_or_404(donation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        receipt = receipts.receipt_issue(
            **service_args(request), donation=donation, joint=request.POST.get("joint") == "1"
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        to = f" to {receipt.household.name}" if receipt.household else ""
        messages.success(request, f"Receipt {receipt.number} issued{to}.")
    return redirect(org_url(request, "donation_detail", donation_id=donation.pk))


# --- Gift batches ------------------------------------------------------------------------------


@login_required
def batch_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "donations.record")
    if request.method == "POST":
        form = GiftBatchForm(request.POST)
        if form.is_valid():
            try:
                batch = services.gift_batch_create(**service_args(request), **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Batch {batch.name} opened: enter its gifts.")
                return redirect(org_url(request, "gift_batch_detail", giftbatch_id=batch.pk))
    else:
        form = GiftBatchForm(initial={"date": timezone.localdate()})
    batches = Paginator(GiftBatch.objects.order_by("-date", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(b, *selectors.batch_totals(b)) for b in batches]
    return render(request, "donors/batch_list.html", {"form": form, "page": batches, "rows": rows})


def _batch_context(
    request: HttpRequest, batch: GiftBatch, form: BatchGiftForm | None = None
) -> dict[str, Any]:
    count, total = selectors.batch_totals(batch)
    gifts = list(
        batch.donations.exclude(status=DonationStatus.VOIDED)
        .select_related("donor", "fund")
        .order_by("-id")
    )
    if form is None:
        last = gifts[0] if gifts else None
        general = selectors.active_funds().filter(is_general=True).first()
        form = BatchGiftForm(
            initial={
                "method": last.method if last else Method.CHECK,
                "fund": last.fund_id if last else (general.pk if general else None),
            }
        )
    matches = count == batch.expected_count and total == batch.expected_total
    return {
        "batch": batch,
        "gifts": gifts,
        "count": count,
        "total": total,
        "count_left": batch.expected_count - count,
        "total_left": batch.expected_total - total,
        "matches": matches,
        "is_open": batch.status == BatchStatus.OPEN,
        "form": form,
    }


@login_required
def batch_detail(request: HttpRequest, org_slug: str, giftbatch_id: int) -> HttpResponse:
    require_perm(access_of(request), "donations.record")
    batch = _batch_or_404(giftbatch_id)
    return render(request, "donors/batch_detail.html", _batch_context(request, batch))


@login_required
def batch_add(request: HttpRequest, org_slug: str, giftbatch_id: int) -> HttpResponseBase:
    """Add one gift to an open batch; with htmx, answers with the batch's body only."""
    require_perm(access_of(request), "donations.record")
    batch = _batch_or_404(giftbatch_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = BatchGiftForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.donation_record(
                **service_args(request),
                donor=data["donor"],
                amount=data["amount"],
                date=batch.date,
                method=data["method"],
                fund=data["fund"],
                check_number=data.get("check_number") or "",
                batch=batch,
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
            status = 422
        else:
            form = BatchGiftForm(initial={"method": data["method"], "fund": data["fund"].pk})
    else:
        status = 422
    context = _batch_context(request, batch, form)
    if is_htmx_partial(request):
        # 200 even on errors, so htmx swaps the form with its messages in.
        return render(request, "donors/_batch_body.html", context)
    if status == 200:
        return redirect(org_url(request, "gift_batch_detail", giftbatch_id=batch.pk))
    return render(request, "donors/batch_detail.html", context, status=status)


@login_required
def batch_post(request: HttpRequest, org_slug: str, giftbatch_id: int) -> HttpResponseBase:
    require_perm(access_of(request), "donations.record")
    batch = _batch_or_404(giftbatch_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.gift_batch_post(**service_args(request), batch=batch)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Batch {batch.name} is posted to the ledger.")
    return redirect(org_url(request, "gift_batch_detail", giftbatch_id=batch.pk))
