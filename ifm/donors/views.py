"""Donor pages that span the areas: the donor profile (with its contacts, notes, giving and
receipts), merge and duplicates, issuing a donation's receipt, and the Publication 1771
compliance view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import error_text, is_htmx_partial, org_url
from ifm.donors import merge
from ifm.donors.forms import ComplianceForm, add_service_errors
from ifm.donors.gifts import selectors as gift_selectors
from ifm.donors.gifts.views import LIST_PAGE_SIZE, PAGE_SIZE, donation_or_404
from ifm.donors.models import Donor, DonorNote
from ifm.donors.people import contacts, notes
from ifm.donors.people import selectors as people_selectors
from ifm.donors.people import services as people_services
from ifm.donors.people.forms import CONTACT_FORMS, DonorPickForm, NoteForm, contact_forms
from ifm.donors.people.views import donor_candidates, donor_or_404, small_id
from ifm.donors.receipts import issue as receipts
from ifm.donors.receipts.selectors import compliance_gaps
from ifm.donors.receipts.wording import ACKNOWLEDGMENT_THRESHOLD, QUID_PRO_QUO_THRESHOLD
from ifm.orgs.panels import panels_for
from ifm.tenancy.permissions import has_perm, require_perm

# --- The donor profile -------------------------------------------------------------------------


def _receipts_for(donor: Donor) -> list[Any]:
    return list(donor.tax_receipts.order_by("-number")[:50])


@login_required
def donor_detail(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    donor = donor_or_404(donor_id)
    if donor.merged_into_id:
        messages.info(request, f"{donor.reference} was merged into this donor.")
        return redirect(org_url(request, "donors:donor_detail", donor_id=donor.merged_into_id))
    return render(request, "donors/donor_detail.html", _detail_context(request, donor))


def _detail_context(
    request: OrgRequest, donor: Donor, bound: Any = None, contact_error: str = ""
) -> dict[str, Any]:
    summary = people_selectors.giving_summary(donor)
    this_year, last_year = summary.current_totals()
    donations = Paginator(gift_selectors.donations_for(donor), PAGE_SIZE).get_page(
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
        # What other apps know of the same person (a volunteer's hours): ifm/orgs/panels.py.
        "profile_panels": panels_for("donor", donor, request=request),
    }


# --- A donor's emails, phones and addresses (the profile's Contact card) ----------------------


def _contacts_context(donor: Donor, bound: Any = None, error: str = "") -> dict[str, Any]:
    return {
        "donor": donor,
        "contacts": people_selectors.donor_contacts(donor),
        "contact_forms": contact_forms(bound),
        "contact_error": error,
    }


_CONTACT_SERVICES: dict[tuple[str, str], Callable[..., Any]] = {
    ("email", "add"): contacts.donor_email_add,
    ("email", "remove"): contacts.donor_email_remove,
    ("email", "primary"): contacts.donor_email_set_primary,
    ("phone", "add"): contacts.donor_phone_add,
    ("phone", "remove"): contacts.donor_phone_remove,
    ("phone", "primary"): contacts.donor_phone_set_primary,
    ("address", "add"): contacts.donor_address_add,
    ("address", "remove"): contacts.donor_address_remove,
    ("address", "primary"): contacts.donor_address_set_primary,
}


@login_required
def donor_contacts(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """The Contact card (GET, for HTMX); POST kind=email|phone|address and action=add (the
    kind's form), remove or primary (contact_id=). HTMX gets the card back, else a redirect
    (or, on an error, the profile with the error beside its field)."""
    require_perm(request.access, "donors.view")
    donor = donor_or_404(donor_id)
    htmx = is_htmx_partial(request)
    if request.method == "GET":
        return render(request, "donors/_contacts.html", _contacts_context(donor))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    require_perm(request.access, "donors.edit")
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
    donor = donor_or_404(donor_id)
    if htmx:
        return render(request, "donors/_contacts.html", _contacts_context(donor, bound, error))
    if bound is not None or error:
        context = _detail_context(request, donor, bound, error)
        return render(request, "donors/donor_detail.html", context, status=422)
    messages.success(request, "Contact details saved.")
    return redirect(org_url(request, "donors:donor_detail", donor_id=donor.pk) + "#contacts")


@login_required
def donor_note_add(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    require_perm(request.access, "donors.edit")
    donor = donor_or_404(donor_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            people_services.donor_note_add(
                **service_args(request), donor=donor, body=form.cleaned_data["body"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Note added.")
    else:
        messages.error(request, "Write the note first.")
    return redirect(org_url(request, "donors:donor_detail", donor_id=donor.pk) + "#notes")


def _note_or_404(donor: Donor, note_id: int) -> DonorNote:
    note = notes.donor_note_list(donor=donor).filter(pk=note_id).first()
    if note is None:
        raise Http404("No such note.")
    return note


@login_required
def donor_note_edit(
    request: OrgRequest, org_slug: str, donor_id: int, donornote_id: int
) -> HttpResponseBase:
    """Change a note (its author or an admin), with the version it was read at."""
    require_perm(request.access, "donors.edit")
    donor = donor_or_404(donor_id)
    note = _note_or_404(donor, donornote_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    version = request.POST.get("version", "")
    try:
        notes.donor_note_update(
            **service_args(request),
            note=note,
            body=request.POST.get("body", ""),
            expected_version=int(version) if version.isdigit() and len(version) < 10 else 0,
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Note saved.")
    return redirect(org_url(request, "donors:donor_detail", donor_id=donor.pk) + "#notes")


@login_required
def donor_note_delete(
    request: OrgRequest, org_slug: str, donor_id: int, donornote_id: int
) -> HttpResponseBase:
    """Delete a note (its author or an admin)."""
    require_perm(request.access, "donors.edit")
    donor = donor_or_404(donor_id)
    note = _note_or_404(donor, donornote_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        notes.donor_note_delete(**service_args(request), note=note)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Note deleted.")
    return redirect(org_url(request, "donors:donor_detail", donor_id=donor.pk) + "#notes")


@login_required
def donation_receipt(request: OrgRequest, org_slug: str, donation_id: int) -> HttpResponseBase:
    require_perm(request.access, "receipts.issue")
    donation = donation_or_404(donation_id)
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
    return redirect(org_url(request, "donors:donation_detail", donation_id=donation.pk))


# --- Merging a duplicate into a donor ----------------------------------------------------------


@login_required
def donor_merge(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """GET: pick the duplicate (?duplicate=id), see both side by side with what will move.
    POST duplicate=id: merge it into this donor (merge.donor_merge) and show the kept one."""
    require_perm(request.access, "donors.edit")
    keep = donor_or_404(donor_id)
    error = ""
    if request.method == "POST":
        duplicate_id = small_id(request.POST.get("duplicate"))
        merged = Donor.objects.filter(pk=duplicate_id).first() if duplicate_id else None
        try:
            kept = merge.donor_merge(
                **service_args(request),
                keep=keep,
                merge=duplicate_id or 0,  # type: ignore[arg-type]  # an id, checked by the service
            )
        except ServiceError as exc:
            error = exc.message
        else:
            name = f"{merged.name} ({merged.reference})" if merged else "The duplicate"
            messages.success(
                request, f"{name} was merged into {kept.name}: its gifts and records are here now."
            )
            return redirect(org_url(request, "donors:donor_detail", donor_id=kept.pk))
        pick = DonorPickForm({"donor": duplicate_id or ""}, exclude=keep.pk)
        return _merge_page(request, keep, pick, error=error, status=422)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    if keep.merged_into_id:
        messages.info(request, f"{keep.reference} was merged into this donor.")
        return redirect(org_url(request, "donors:donor_merge", donor_id=keep.merged_into_id))
    chosen = request.GET.get("duplicate") or request.GET.get("donor") or ""
    data = {"donor": chosen, "donor_text": request.GET.get("donor_text") or ""}
    pick = DonorPickForm(data if any(data.values()) else None, exclude=keep.pk)
    return _merge_page(request, keep, pick)


def _merge_page(
    request: OrgRequest, keep: Donor, pick: DonorPickForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    duplicate = pick.cleaned_data["donor"] if pick.is_bound and pick.is_valid() else None
    candidates: list[Donor] = []
    if pick.is_bound and duplicate is None:
        candidates = donor_candidates(pick.data.get("donor_text") or "", exclude=keep.pk)
    context = {
        "donor": keep,
        "duplicate": duplicate,
        "pick": pick,
        "error": error,
        "candidates": candidates,
        "keep_contacts": people_selectors.donor_contacts(keep),
        "dup_contacts": people_selectors.donor_contacts(duplicate) if duplicate else None,
        "preview": merge.merge_preview(keep, duplicate) if duplicate else None,
        "duplicates": merge.duplicates_of(keep) if duplicate is None else [],
    }
    return render(request, "donors/merge/merge.html", context, status=status)


@login_required
def donor_duplicates(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """The profile's "Possible duplicates" section (loaded by HTMX), each with a Merge link."""
    require_perm(request.access, "donors.view")
    donor = donor_or_404(donor_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "donors/merge/_duplicates.html",
        {
            "donor": donor,
            "duplicates": merge.duplicates_of(donor) if not donor.merged_into_id else [],
        },
    )


# --- Compliance --------------------------------------------------------------------------------


@login_required
def compliance(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Gifts the law wants acknowledged that are not: $250 or more without a receipt, and
    quid-pro-quo payments over $75 without the disclosure."""
    require_perm(request.access, "donors.view")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = ComplianceForm(request.GET or None)
    gaps = compliance_gaps(organization=request.org, year=form.year_or_none())
    unacknowledged = Paginator(gaps.unacknowledged, LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
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
            "can_issue": has_perm(request.access, "receipts.issue"),
        },
    )
