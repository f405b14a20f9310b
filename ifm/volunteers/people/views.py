"""Volunteer pages: the list with its filters and export, the volunteer's page (with the panels
other areas add: shifts, hours), the form with its duplicate warning, the donor link and the
duplicates page. Qualification pages are in qualification_views.py.

Thin: writes go through people/services.py, reads through people/selectors.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import error_text, get_or_404, is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.orgs.panels import panels_for
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.volunteers.models import Volunteer
from ifm.volunteers.people import selectors, services
from ifm.volunteers.people.exports import volunteers_response
from ifm.volunteers.people.forms import DonorLinkForm, VolunteerFilterForm, VolunteerForm

PAGE_SIZE = 25

# The volunteer's page shows the panels registered for this page key (ifm/orgs/panels.py):
# the shifts and hours areas add theirs in their hooks.ready().
PROFILE_PAGE = "volunteer"

SORTS = SortOptions(
    {
        "name": ("last_name", "first_name"),
        "email": ("email",),
        "status": ("status", "last_name", "first_name"),
        "added": ("created_at",),
    },
    descending_first={"added"},
    default="name",
)


def volunteer_or_404(volunteer_id: int) -> Volunteer:
    return get_or_404(Volunteer.objects.all(), volunteer_id, "volunteer")


# --- The list ------------------------------------------------------------------------------------


def _filtered(request: OrgRequest) -> tuple[VolunteerFilterForm, QuerySet[Volunteer]]:
    form = VolunteerFilterForm(request.GET or None)
    values = form.values()
    volunteers = selectors.volunteer_filter(
        values["q"],
        status=values["status"],
        minor=values["minor"],
        skill=values["skill"],
        today=selectors.org_today(request.org),
    ).order_by("last_name", "first_name", "id")
    return form, SORTS.read(request.GET).apply(volunteers)


@login_required
def volunteer_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    form, volunteers = _filtered(request)
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    today = selectors.org_today(request.org)
    context = {
        "form": form,
        "page": page,
        "rows": [(v, v.is_minor(today)) for v in page],
        "filtered": form.filtered,
        "sorting": SORTS.read(request.GET),
        "export_csv": org_url(request, "volunteers:volunteer_export_csv"),
        "export_xlsx": org_url(request, "volunteers:volunteer_export_xlsx"),
    }
    template = (
        "volunteers/people/_list_results.html"
        if is_htmx_partial(request)
        else "volunteers/people/list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def volunteer_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """The list as it is filtered, as CSV (streamed) or XLSX."""
    require_perm(request.access, "volunteers.view")
    _, volunteers = _filtered(request)
    today = selectors.org_today(request.org)
    return volunteers_response(
        volunteers,
        fmt=fmt,
        organization=request.org,
        today=today,
        filename=f"volunteers-{request.org.slug}-{today:%Y-%m-%d}",
    )


# --- One volunteer -------------------------------------------------------------------------------


def _detail_context(request: OrgRequest, volunteer: Volunteer) -> dict[str, Any]:
    today = selectors.org_today(request.org)
    can_manage = has_perm(request.access, "volunteers.manage")
    donor = selectors.linked_donor(volunteer)
    return {
        "volunteer": volunteer,
        "today": today,
        "age": volunteer.age(today),
        "is_minor": volunteer.is_minor(today),
        "qualifications": [
            (q, q.is_current(today)) for q in selectors.qualifications_of(volunteer)
        ],
        "donor": donor,
        "donor_matches": selectors.donor_matches(volunteer) if can_manage else [],
        "approved_hours": selectors.approved_hours(volunteer),
        "can_manage": can_manage,
        "can_view_donors": has_perm(request.access, "donors.view"),
        "profile_panels": panels_for(PROFILE_PAGE, volunteer, request=request),
    }


@login_required
def volunteer_detail(request: OrgRequest, org_slug: str, volunteer_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    volunteer = volunteer_or_404(volunteer_id)
    return render(request, "volunteers/people/detail.html", _detail_context(request, volunteer))


# --- The form ------------------------------------------------------------------------------------


def _save(
    request: OrgRequest, form: VolunteerForm, volunteer: Volunteer | None
) -> tuple[Volunteer | None, list[dict[str, Any]], str | None]:
    """(the saved volunteer, likely duplicates shown instead of saving, a conflict)."""
    confirmed = bool(form.cleaned_data.get("confirm_duplicates"))
    if volunteer is None and not confirmed:
        values = form.duplicate_values()
        matches = selectors.volunteer_duplicates(**values)
        if matches:
            found = [
                {"volunteer": m, "reasons": selectors.duplicate_reasons(m, values)} for m in matches
            ]
            return None, found, None
    try:
        if volunteer is None:
            saved = services.volunteer_create(
                **service_args(request), confirm_duplicate=confirmed, **form.service_kwargs()
            )
        else:
            saved = services.volunteer_update(
                **service_args(request),
                volunteer=volunteer,
                expected_version=form.cleaned_data.get("version") or volunteer.version,
                **form.service_kwargs(),
            )
    except ConflictError as exc:
        return None, [], exc.message
    except ServiceError as exc:
        add_service_errors(form, exc)
        return None, [], None
    return saved, [], None


@login_required
def volunteer_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    duplicates: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        form = VolunteerForm(request.POST)
        if form.is_valid():
            volunteer, duplicates, _ = _save(request, form, None)
            if volunteer is not None:
                messages.success(request, f"{volunteer.name} was added ({volunteer.reference}).")
                return redirect(
                    org_url(request, "volunteers:volunteer_detail", volunteer_id=volunteer.pk)
                )
        status = 422 if form.errors else 200
    else:
        form = VolunteerForm()
    return render(
        request,
        "volunteers/people/form.html",
        {"form": form, "volunteer": None, "duplicates": duplicates},
        status=status,
    )


@login_required
def volunteer_edit(request: OrgRequest, org_slug: str, volunteer_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    volunteer = volunteer_or_404(volunteer_id)
    conflict = None
    status = 200
    if request.method == "POST":
        form = VolunteerForm(request.POST)
        if form.is_valid():
            saved, _, conflict = _save(request, form, volunteer)
            if saved is not None:
                messages.success(request, f"{saved.name} was saved.")
                return redirect(
                    org_url(request, "volunteers:volunteer_detail", volunteer_id=saved.pk)
                )
        status = 409 if conflict else 422
    else:
        form = VolunteerForm(initial=VolunteerForm.initial_for(volunteer))
    return render(
        request,
        "volunteers/people/form.html",
        {"form": form, "volunteer": volunteer, "duplicates": [], "conflict": conflict},
        status=status,
    )


# --- The donor of the same person ----------------------------------------------------------------


@login_required
def volunteer_donor(request: OrgRequest, org_slug: str, volunteer_id: int) -> HttpResponseBase:
    """POST action=link with `donor_id` (a donor offered on the page), or action=unlink."""
    require_perm(request.access, "volunteers.manage")
    volunteer = volunteer_or_404(volunteer_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    page = org_url(request, "volunteers:volunteer_detail", volunteer_id=volunteer.pk) + "#donor"
    try:
        if request.POST.get("action") == "unlink":
            services.volunteer_unlink_donor(**service_args(request), volunteer=volunteer)
            messages.success(request, f"{volunteer.name} is no longer linked to a donor.")
        else:
            form = DonorLinkForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose a donor to link.")
                return redirect(page)
            services.volunteer_link_donor(
                **service_args(request), volunteer=volunteer, donor_id=form.cleaned_data["donor_id"]
            )
            messages.success(request, f"{volunteer.name} is linked to the donor record.")
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    return redirect(page)


# --- Duplicates ----------------------------------------------------------------------------------


@login_required
def volunteer_duplicates(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Volunteers who share an email, a phone number or a full name."""
    require_perm(request.access, "volunteers.view")
    return render(
        request,
        "volunteers/people/duplicates.html",
        {"groups": selectors.duplicate_groups()},
    )
