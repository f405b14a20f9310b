"""Household pages (the list, a new household, one household with its members, giving and
versioned edit; a donor joining or leaving one) and the donor merge pages (pick the duplicate,
compare, confirm; a profile's possible duplicates).

Thin: writes go through ifm.donors.services / services_households, reads through selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import (
    access_of,
    error_text,
    get_or_404,
    is_htmx_partial,
    org_url,
    service_args,
)
from ifm.donors import selectors, services, services_households
from ifm.donors import selectors_households as hs
from ifm.donors.forms import add_service_errors
from ifm.donors.forms_households import DonorPickForm, HouseholdFilterForm, HouseholdForm
from ifm.donors.models import Donor, Household
from ifm.donors.views import picker_label
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
CANDIDATES = 10


def _household(household_id: int) -> Household:
    return get_or_404(Household.objects.all(), household_id, "household")


def _donor(donor_id: int) -> Donor:
    return get_or_404(Donor.objects.all(), donor_id, "donor")


def _small_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _candidates(text: str, exclude: int | None = None) -> list[Donor]:
    """Donors matching what was typed in a picker when no option was chosen (no JavaScript)."""
    if not text.strip():
        return []
    qs = selectors.donor_search(text.strip()[:200])
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("last_name", "first_name", "id")[:CANDIDATES])


# --- The household list ------------------------------------------------------------------------


@login_required
def household_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "donors.view")
    form = HouseholdFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    page = Paginator(hs.household_search(q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.filtered}
    partial = is_htmx_partial(request)
    template = "donors/households/_results.html" if partial else "donors/households/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- A new household ---------------------------------------------------------------------------


@login_required
def household_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Name and shared address, and optionally the first members (?donor= picks the first)."""
    require_perm(access_of(request), "donors.edit")
    if request.method == "POST":
        form = HouseholdForm(request.POST, members=True)
        if form.is_valid():
            try:
                household = services.household_create(
                    **service_args(request), members=form.members(), **form.service_kwargs()
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Household {household.name} was created.")
                return redirect(org_url(request, "household_detail", household_id=household.pk))
        status = 422
    else:
        initial: dict[str, Any] = {}
        donor_id = _small_id(request.GET.get("donor"))
        donor = (
            Donor.objects.filter(pk=donor_id, merged_into__isnull=True).first()
            if donor_id
            else None
        )
        if donor is not None:
            initial = {
                "member_1": donor.pk,
                "member_text_1": picker_label(donor),
                "name": f"The {donor.last_name or donor.name} Family",
                **{k: getattr(donor, k) for k in HouseholdForm.ADDRESS},
            }
        form = HouseholdForm(initial=initial, members=True)
        status = 200
    return render(request, "donors/households/form.html", {"form": form}, status=status)


# --- One household -----------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest,
    household: Household,
    *,
    form: HouseholdForm | None = None,
    pick: DonorPickForm | None = None,
    conflict: str = "",
    candidates: list[Donor] | None = None,
) -> dict[str, Any]:
    members = hs.household_members(household)
    giving = hs.household_giving(members)
    if form is None:
        initial = {k: getattr(household, k) for k in ("name", *HouseholdForm.ADDRESS)}
        form = HouseholdForm(initial={**initial, "version": household.version})
    return {
        "household": household,
        "members": [(m, *giving.by_member.get(m.pk, ())) for m in members],
        "giving": giving,
        "form": form,
        "pick": pick or DonorPickForm(),
        "conflict": conflict,
        "candidates": candidates or [],
        "can_edit": has_perm(access_of(request), "donors.edit"),
    }


@login_required
def household_detail(request: HttpRequest, org_slug: str, household_id: int) -> HttpResponse:
    require_perm(access_of(request), "donors.view")
    household = _household(household_id)
    return render(request, "donors/households/detail.html", _detail_context(request, household))


@login_required
def household_edit(request: HttpRequest, org_slug: str, household_id: int) -> HttpResponseBase:
    """POST the name and address with the version read: a stale version changes nothing."""
    require_perm(access_of(request), "donors.edit")
    household = _household(household_id)
    detail = org_url(request, "household_detail", household_id=household.pk)
    if request.method == "GET":
        return redirect(detail + "#edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = HouseholdForm(request.POST)
    conflict = ""
    if form.is_valid():
        try:
            saved = services_households.household_update(
                **service_args(request),
                household=household,
                expected_version=form.cleaned_data.get("version") or household.version,
                **form.service_kwargs(),
            )
        except ConflictError as exc:
            conflict = exc.message
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Household {saved.name} was saved.")
            return redirect(detail)
    context = _detail_context(request, _household(household_id), form=form, conflict=conflict)
    return render(
        request, "donors/households/detail.html", context, status=409 if conflict else 422
    )


@login_required
def household_members(request: HttpRequest, org_slug: str, household_id: int) -> HttpResponseBase:
    """POST action=add with the picked `donor`, or action=remove with `donor` (its id)."""
    require_perm(access_of(request), "donors.edit")
    household = _household(household_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail = org_url(request, "household_detail", household_id=household.pk)
    action = request.POST.get("action", "")
    if action == "remove":
        donor_id = _small_id(request.POST.get("donor")) or 0
        member = Donor.objects.filter(pk=donor_id, household=household).first()
        if member is None:
            messages.error(request, "That donor is not a member of this household.")
            return redirect(detail)
        try:
            services_households.household_member_remove(
                **service_args(request), household=household, donor=member
            )
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"{member.name} left {household.name}.")
        return redirect(detail)
    pick = DonorPickForm(request.POST)
    if not pick.is_valid():
        candidates = _candidates(request.POST.get("donor_text", ""))
        context = _detail_context(request, household, pick=pick, candidates=candidates)
        return render(request, "donors/households/detail.html", context, status=422)
    donor = pick.cleaned_data["donor"]
    try:
        services_households.household_member_add(
            **service_args(request), household=household, donor=donor
        )
    except ServiceError as exc:
        add_service_errors(pick, exc)
        context = _detail_context(request, household, pick=pick)
        return render(request, "donors/households/detail.html", context, status=422)
    messages.success(request, f"{donor.name} joined {household.name}.")
    return redirect(detail + "#members")


# --- A donor joining or leaving a household ----------------------------------------------------


@login_required
def donor_household(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """GET: find a household for the donor to join. POST action=join (household=) or leave."""
    require_perm(access_of(request), "donors.edit")
    donor = _donor(donor_id)
    profile = org_url(request, "donor_detail", donor_id=donor.pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "leave":
                if donor.household_id is None:
                    messages.info(request, f"{donor.name} is not in a household.")
                    return redirect(profile + "#household")
                household = donor.household
                services_households.household_member_remove(
                    **service_args(request), household=donor.household_id, donor=donor
                )
                messages.success(request, f"{donor.name} left {household}.")
            elif action == "join":
                household_id = _small_id(request.POST.get("household"))
                target = get_or_404(Household.objects.all(), household_id or 0, "household")
                services_households.household_member_add(
                    **service_args(request), household=target, donor=donor
                )
                messages.success(request, f"{donor.name} joined {target.name}.")
            else:
                messages.error(request, "Choose a household to join, or leave this one.")
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return redirect(profile + "#household")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = HouseholdFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    households = hs.household_search(q)
    if donor.household_id:
        households = households.exclude(pk=donor.household_id)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "donors/households/donor_household.html",
        {"donor": donor, "form": form, "page": page, "filtered": form.filtered},
    )


# --- Merging a duplicate into a donor ----------------------------------------------------------


@login_required
def donor_merge(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """GET: pick the duplicate (?duplicate=id), see both side by side with what will move.
    POST duplicate=id: merge it into this donor (services.donor_merge) and show the kept one."""
    require_perm(access_of(request), "donors.edit")
    keep = _donor(donor_id)
    error = ""
    if request.method == "POST":
        duplicate_id = _small_id(request.POST.get("duplicate"))
        merged = Donor.objects.filter(pk=duplicate_id).first() if duplicate_id else None
        try:
            kept = services.donor_merge(
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
            return redirect(org_url(request, "donor_detail", donor_id=kept.pk))
        pick = DonorPickForm({"donor": duplicate_id or ""}, exclude=keep.pk)
        return _merge_page(request, keep, pick, error=error, status=422)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    if keep.merged_into_id:
        messages.info(request, f"{keep.reference} was merged into this donor.")
        return redirect(org_url(request, "donor_merge", donor_id=keep.merged_into_id))
    chosen = request.GET.get("duplicate") or request.GET.get("donor") or ""
    data = {"donor": chosen, "donor_text": request.GET.get("donor_text") or ""}
    pick = DonorPickForm(data if any(data.values()) else None, exclude=keep.pk)
    return _merge_page(request, keep, pick)


def _merge_page(
    request: HttpRequest, keep: Donor, pick: DonorPickForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    duplicate = pick.cleaned_data["donor"] if pick.is_bound and pick.is_valid() else None
    candidates: list[Donor] = []
    if pick.is_bound and duplicate is None:
        candidates = _candidates(pick.data.get("donor_text") or "", exclude=keep.pk)
    context = {
        "donor": keep,
        "duplicate": duplicate,
        "pick": pick,
        "error": error,
        "candidates": candidates,
        "keep_contacts": selectors.donor_contacts(keep),
        "dup_contacts": selectors.donor_contacts(duplicate) if duplicate else None,
        "preview": hs.merge_preview(keep, duplicate) if duplicate else None,
        "duplicates": hs.duplicates_of(keep) if duplicate is None else [],
    }
    return render(request, "donors/merge/merge.html", context, status=status)


@login_required
def donor_duplicates(request: HttpRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """The profile's "Possible duplicates" section (loaded by HTMX), each with a Merge link."""
    require_perm(access_of(request), "donors.view")
    donor = _donor(donor_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "donors/merge/_duplicates.html",
        {"donor": donor, "duplicates": hs.duplicates_of(donor) if not donor.merged_into_id else []},
    )
