"""Donor pages: the list with its filters and export, the donor form with its duplicate check,
and households (list, form, members, a donor's household).

Thin: writes go through people/services.py, contacts.py and households.py; reads through
people/selectors.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import error_text, get_or_404, is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.donors.exports import donors_response
from ifm.donors.forms import add_service_errors, picker_label
from ifm.donors.models import (
    Donor,
    Household,
)
from ifm.donors.people import households as household_services
from ifm.donors.people import selectors, services
from ifm.donors.people.forms import (
    DonorFilterForm,
    DonorForm,
    DonorPickForm,
    HouseholdFilterForm,
    HouseholdForm,
)
from ifm.tenancy.permissions import has_perm, require_perm


def donor_or_404(donor_id: int) -> Donor:
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404("No such donor.")
    return donor


# --- The donor list ----------------------------------------------------------------------------


DONOR_SORTS = SortOptions(
    {
        "name": ("last_name", "first_name", "organization_name"),
        "email": ("email",),
        "city": ("city", "postal_code"),
        "last_gift": ("giving_summary__last_gift_date",),
        "lifetime": ("giving_summary__lifetime_total",),
    },
    descending_first={"last_gift", "lifetime"},
    default="name",
)


def _filtered_donors(request: OrgRequest) -> tuple[DonorFilterForm, QuerySet[Donor]]:
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
    donors = donors.select_related("giving_summary").order_by(
        "last_name", "first_name", "organization_name", "id"
    )
    return form, DONOR_SORTS.read(request.GET).apply(donors)


@login_required
def donor_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
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
        "sorting": DONOR_SORTS.read(request.GET),
        "this_year": this_year,
        "export_csv": org_url(request, "donors:donor_export_csv"),
        "export_xlsx": org_url(request, "donors:donor_export_xlsx"),
    }
    template = "donors/_list_results.html" if is_htmx_partial(request) else "donors/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def donor_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The list as it is filtered, as CSV (streamed) or XLSX."""
    require_perm(request.access, "donors.view")
    _, donors = _filtered_donors(request)
    org = request.org
    filename = f"donors-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    return donors_response(donors, fmt=fmt, organization=org, filename=filename)


# --- The donor form ----------------------------------------------------------------------------


def _save_donor(
    request: OrgRequest, form: DonorForm, donor: Donor | None
) -> tuple[Donor | None, list[dict[str, Any]], str | None]:
    """Returns (the saved donor, possible duplicates shown instead of saving, a conflict)."""
    org = request.org
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
def donor_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.edit")
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST":
        form = DonorForm(request.POST)
        if form.is_valid():
            donor, duplicates, _ = _save_donor(request, form, None)
            if donor is not None:
                messages.success(request, f"{donor.name} was added ({donor.reference}).")
                return redirect(org_url(request, "donors:donor_detail", donor_id=donor.pk))
    else:
        form = DonorForm()
    return render(
        request,
        "donors/donor_form.html",
        {"form": form, "donor": None, "duplicates": duplicates},
    )


@login_required
def donor_edit(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponse:
    require_perm(request.access, "donors.edit")
    donor = donor_or_404(donor_id)
    duplicates: list[dict[str, Any]] = []
    conflict = None
    if request.method == "POST":
        form = DonorForm(request.POST)
        if form.is_valid():
            saved, duplicates, conflict = _save_donor(request, form, donor)
            if saved is not None:
                messages.success(request, f"{saved.name} was saved.")
                return redirect(org_url(request, "donors:donor_detail", donor_id=saved.pk))
    else:
        form = DonorForm(initial=DonorForm.initial_for(donor))
    return render(
        request,
        "donors/donor_form.html",
        {"form": form, "donor": donor, "duplicates": duplicates, "conflict": conflict},
    )


PAGE_SIZE = 25
CANDIDATES = 10


def _household(household_id: int) -> Household:
    return get_or_404(Household.objects.all(), household_id, "household")


def small_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def donor_candidates(text: str, exclude: int | None = None) -> list[Donor]:
    """Donors matching what was typed in a picker when no option was chosen (no JavaScript)."""
    if not text.strip():
        return []
    qs = selectors.donor_search(text.strip()[:200])
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("last_name", "first_name", "id")[:CANDIDATES])


# --- The household list ------------------------------------------------------------------------


@login_required
def household_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "donors.view")
    form = HouseholdFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    page = Paginator(selectors.household_search(q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.filtered}
    partial = is_htmx_partial(request)
    template = "donors/households/_results.html" if partial else "donors/households/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- A new household ---------------------------------------------------------------------------


@login_required
def household_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Name and shared address, and optionally the first members (?donor= picks the first)."""
    require_perm(request.access, "donors.edit")
    if request.method == "POST":
        form = HouseholdForm(request.POST, members=True)
        if form.is_valid():
            try:
                household = household_services.household_create(
                    **service_args(request), members=form.members(), **form.service_kwargs()
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Household {household.name} was created.")
                return redirect(
                    org_url(request, "donors:household_detail", household_id=household.pk)
                )
        status = 422
    else:
        initial: dict[str, Any] = {}
        donor_id = small_id(request.GET.get("donor"))
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
    request: OrgRequest,
    household: Household,
    *,
    form: HouseholdForm | None = None,
    pick: DonorPickForm | None = None,
    conflict: str = "",
    candidates: list[Donor] | None = None,
) -> dict[str, Any]:
    members = selectors.household_members(household)
    giving = selectors.household_giving(members)
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
        "can_edit": has_perm(request.access, "donors.edit"),
    }


@login_required
def household_detail(request: OrgRequest, org_slug: str, household_id: int) -> HttpResponse:
    require_perm(request.access, "donors.view")
    household = _household(household_id)
    return render(request, "donors/households/detail.html", _detail_context(request, household))


@login_required
def household_edit(request: OrgRequest, org_slug: str, household_id: int) -> HttpResponseBase:
    """POST the name and address with the version read: a stale version changes nothing."""
    require_perm(request.access, "donors.edit")
    household = _household(household_id)
    detail = org_url(request, "donors:household_detail", household_id=household.pk)
    if request.method == "GET":
        return redirect(detail + "#edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = HouseholdForm(request.POST)
    conflict = ""
    if form.is_valid():
        try:
            saved = household_services.household_update(
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
def household_members(request: OrgRequest, org_slug: str, household_id: int) -> HttpResponseBase:
    """POST action=add with the picked `donor`, or action=remove with `donor` (its id)."""
    require_perm(request.access, "donors.edit")
    household = _household(household_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail = org_url(request, "donors:household_detail", household_id=household.pk)
    action = request.POST.get("action", "")
    if action == "remove":
        donor_id = small_id(request.POST.get("donor")) or 0
        member = Donor.objects.filter(pk=donor_id, household=household).first()
        if member is None:
            messages.error(request, "That donor is not a member of this household.")
            return redirect(detail)
        try:
            household_services.household_member_remove(
                **service_args(request), household=household, donor=member
            )
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"{member.name} left {household.name}.")
        return redirect(detail)
    pick = DonorPickForm(request.POST)
    if not pick.is_valid():
        candidates = donor_candidates(request.POST.get("donor_text", ""))
        context = _detail_context(request, household, pick=pick, candidates=candidates)
        return render(request, "donors/households/detail.html", context, status=422)
    donor = pick.cleaned_data["donor"]
    try:
        household_services.household_member_add(
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
def donor_household(request: OrgRequest, org_slug: str, donor_id: int) -> HttpResponseBase:
    """GET: find a household for the donor to join. POST action=join (household=) or leave."""
    require_perm(request.access, "donors.edit")
    donor = donor_or_404(donor_id)
    profile = org_url(request, "donors:donor_detail", donor_id=donor.pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "leave":
                if donor.household_id is None:
                    messages.info(request, f"{donor.name} is not in a household.")
                    return redirect(profile + "#household")
                household = donor.household
                household_services.household_member_remove(
                    **service_args(request), household=donor.household_id, donor=donor
                )
                messages.success(request, f"{donor.name} left {household}.")
            elif action == "join":
                household_id = small_id(request.POST.get("household"))
                target = get_or_404(Household.objects.all(), household_id or 0, "household")
                household_services.household_member_add(
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
    households = selectors.household_search(q)
    if donor.household_id:
        households = households.exclude(pk=donor.household_id)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "donors/households/donor_household.html",
        {"donor": donor, "form": form, "page": page, "filtered": form.filtered},
    )
