"""Opportunity and shift pages: lists with filters, pagination and export, the forms, a shift's
roster with staff sign-ups, cancel, check-in and check-out. Thin: services decide, selectors
read. Times are shown on the organization's clock."""

from __future__ import annotations

from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.exports import csv_response, xlsx_response
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, is_htmx_partial, org_url
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.volunteers.models import Opportunity, Shift, SignUp
from ifm.volunteers.shifts import selectors, services
from ifm.volunteers.shifts.forms import (
    OpportunityFilterForm,
    OpportunityForm,
    RoleForm,
    ShiftEditForm,
    ShiftFilterForm,
    ShiftForm,
    SignUpForm,
    add_service_errors,
)
from ifm.volunteers.signups import services as signups

PAGE_SIZE = 50


def _render(
    request: OrgRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with the organization's clock, so every time reads as its people read it."""
    with timezone.override(ZoneInfo(request.org.time_zone)):
        context.setdefault("can_manage", has_perm(request.access, "volunteers.manage"))
        return render(request, template, context, status=status)


def _opportunity_or_404(opportunity_id: int) -> Opportunity:
    found = selectors.opportunity_get(opportunity_id)
    if found is None:
        raise Http404("No such opportunity.")
    return found


def _shift_or_404(shift_id: int) -> Shift:
    found = selectors.shift_get(shift_id)
    if found is None:
        raise Http404("No such shift.")
    return found


def _signup_or_404(signup_id: int) -> SignUp:
    found = selectors.signup_get(signup_id)
    if found is None:
        raise Http404("No such sign-up.")
    return found


def _local(request: OrgRequest, moment: Any) -> Any:
    """A time as the organization's clock shows it, without a zone (for spreadsheets)."""
    return timezone.localtime(moment, ZoneInfo(request.org.time_zone)).replace(tzinfo=None)


# --- Opportunities -----------------------------------------------------------------------------


def _opportunities(request: OrgRequest) -> tuple[OpportunityFilterForm, Any]:
    form = OpportunityFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    return form, selectors.opportunity_list(**kwargs)


@login_required
def opportunity_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    form, rows = _opportunities(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound
        and any(v not in ("", None, False) for v in form.selector_kwargs().values()),
    }
    partial_page = is_htmx_partial(request)
    template = (
        "volunteers/shifts/_opportunity_results.html"
        if partial_page
        else "volunteers/shifts/opportunity_list.html"
    )
    response = _render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


OPPORTUNITY_HEADER = [
    "Title",
    "Program",
    "Location",
    "Coordinator",
    "Minimum age",
    "Public",
    "Upcoming shifts",
    "Archived",
]


def _opportunity_row(opp: Any) -> list[Any]:
    return [
        opp.title,
        str(opp.program) if opp.program_id else "",
        opp.location,
        str(opp.coordinator) if opp.coordinator_id else "",
        opp.minimum_age,
        "yes" if opp.is_public else "no",
        opp.upcoming_shifts,
        "yes" if opp.is_archived else "no",
    ]


@login_required
def opportunity_list_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.view")
    org = request.org
    _, rows = _opportunities(request)
    filename = f"opportunities-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(
            OPPORTUNITY_HEADER,
            lambda: (_opportunity_row(o) for o in rows.iterator(chunk_size=2000)),
            filename=filename,
            scope=partial(org_context, org),
        )
    return xlsx_response(
        OPPORTUNITY_HEADER,
        (_opportunity_row(o) for o in rows.iterator(chunk_size=2000)),
        filename=filename,
        title="Opportunities",
    )


@login_required
def opportunity_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.opportunity_create(**service_args(request), **form.service_kwargs())
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Opportunity {made.title} added: now add its shifts.")
            return redirect("volunteers:shift_new", org_slug=org_slug, opportunity_id=made.pk)
    status = 422 if form.is_bound and form.errors else 200
    return _render(
        request,
        "volunteers/shifts/opportunity_form.html",
        {"form": form, "opportunity": None},
        status=status,
    )


@login_required
def opportunity_edit(request: OrgRequest, org_slug: str, opportunity_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    opportunity = _opportunity_or_404(opportunity_id)
    conflict = None
    if request.method == "POST":
        form = OpportunityForm(request.POST)
        if form.is_valid():
            try:
                services.opportunity_update(
                    **service_args(request),
                    opportunity=opportunity,
                    version=form.cleaned_data.get("version") or opportunity.version,
                    **form.service_kwargs(),
                )
            except ServiceError as exc:
                if exc.status == 409:
                    conflict = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, f"Opportunity {opportunity.title} saved.")
                return redirect(
                    "volunteers:opportunity_detail",
                    org_slug=org_slug,
                    opportunity_id=opportunity.pk,
                )
    else:
        form = OpportunityForm(
            initial=OpportunityForm.initial_of(
                opportunity, selectors.opportunity_qualification_ids(opportunity)
            )
        )
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return _render(
        request,
        "volunteers/shifts/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "conflict": conflict},
        status=status,
    )


@login_required
def opportunity_detail(request: OrgRequest, org_slug: str, opportunity_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    opportunity = _opportunity_or_404(opportunity_id)
    shifts = selectors.shift_list(zone=request.org.time_zone, opportunity_id=opportunity.pk)
    page = Paginator(shifts, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "volunteers/shifts/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "qualifications": selectors.opportunity_qualification_names(opportunity),
            "page": page,
        },
    )


@login_required
def opportunity_archive(
    request: OrgRequest, org_slug: str, opportunity_id: int
) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    opportunity = _opportunity_or_404(opportunity_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    archived = request.POST.get("archived", "yes") != "no"
    services.opportunity_archive(
        **service_args(request), opportunity=opportunity, archived=archived
    )
    messages.success(
        request,
        f"{opportunity.title} is archived: it is left out of the lists and the public page."
        if archived
        else f"{opportunity.title} is back among the active opportunities.",
    )
    return redirect(
        "volunteers:opportunity_detail", org_slug=org_slug, opportunity_id=opportunity.pk
    )


# --- Shifts ------------------------------------------------------------------------------------


@login_required
def shift_new(request: OrgRequest, org_slug: str, opportunity_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    opportunity = _opportunity_or_404(opportunity_id)
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.weekly:
                made = services.shift_series_create(
                    **service_args(request), opportunity=opportunity, **form.series_kwargs()
                )
                count = len(made.shifts)
            else:
                services.shift_create(
                    **service_args(request), opportunity=opportunity, **form.one_off_kwargs()
                )
                count = 1
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{count} shift{'' if count == 1 else 's'} added to {opportunity.title}."
            )
            return redirect(
                "volunteers:opportunity_detail", org_slug=org_slug, opportunity_id=opportunity.pk
            )
    status = 422 if form.is_bound and form.errors else 200
    return _render(
        request,
        "volunteers/shifts/shift_form.html",
        {"form": form, "opportunity": opportunity, "shift": None},
        status=status,
    )


def _shifts(request: OrgRequest) -> tuple[ShiftFilterForm, Any]:
    form = ShiftFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    return form, selectors.shift_list(zone=request.org.time_zone, **kwargs)


@login_required
def shift_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    form, shifts = _shifts(request)
    page = Paginator(shifts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and any(form.selector_kwargs().values()),
        # A shift's page is this list's URL and its id: one reverse() for the page, not one a
        # row (a thousand-shift calendar is read often).
        "shifts_base": org_url(request, "volunteers:shift_list"),
    }
    template = (
        "volunteers/shifts/_shift_results.html"
        if is_htmx_partial(request)
        else "volunteers/shifts/shift_list.html"
    )
    response = _render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


SHIFT_HEADER = [
    "Opportunity",
    "Starts",
    "Ends",
    "Places",
    "Confirmed",
    "Waitlisted",
    "Spots left",
    "Notes",
    "Cancelled",
]


def _shift_row(request: OrgRequest, shift: Any) -> list[Any]:
    return [
        shift.opportunity.title,
        _local(request, shift.starts_at),
        _local(request, shift.ends_at),
        shift.capacity,
        shift.confirmed_count,
        shift.waitlisted_count,
        selectors.spots_left(shift),
        shift.notes,
        "yes" if shift.is_cancelled else "no",
    ]


@login_required
def shift_list_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.view")
    org = request.org
    _, shifts = _shifts(request)
    filename = f"shifts-{org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(
            SHIFT_HEADER,
            lambda: (_shift_row(request, s) for s in shifts.iterator(chunk_size=2000)),
            filename=filename,
            scope=partial(org_context, org),
        )
    return xlsx_response(
        SHIFT_HEADER,
        (_shift_row(request, s) for s in shifts.iterator(chunk_size=2000)),
        filename=filename,
        title="Shifts",
        widths=(30, 18, 18),
    )


def _shift_page(
    request: OrgRequest,
    shift: Shift,
    *,
    signup_form: SignUpForm | None = None,
    role_form: RoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = has_perm(request.access, "volunteers.manage")
    return _render(
        request,
        "volunteers/shifts/shift_detail.html",
        {
            "shift": shift,
            "spots_left": selectors.spots_left(shift),
            "roles": selectors.role_list(shift),
            "roster": selectors.roster(shift),
            "signup_form": signup_form or (SignUpForm(shift_id=shift.pk) if can_manage else None),
            "role_form": role_form or (RoleForm() if can_manage else None),
            "is_over": shift.ends_at <= timezone.now(),
        },
        status=status,
    )


@login_required
def shift_detail(request: OrgRequest, org_slug: str, shift_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    return _shift_page(request, _shift_or_404(shift_id))


@login_required
def shift_edit(request: OrgRequest, org_slug: str, shift_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    shift = _shift_or_404(shift_id)
    conflict = None
    if request.method == "POST":
        form = ShiftEditForm(request.POST)
        if form.is_valid():
            try:
                services.shift_update(
                    **service_args(request),
                    shift=shift,
                    version=form.cleaned_data.get("version") or shift.version,
                    **form.service_kwargs(),
                )
            except ServiceError as exc:
                if exc.status == 409:
                    conflict = exc.message
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, "Shift saved.")
                return redirect("volunteers:shift_detail", org_slug=org_slug, shift_id=shift.pk)
    else:
        zone = ZoneInfo(request.org.time_zone)
        starts, ends = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
        form = ShiftEditForm(
            initial={
                "date": starts.date(),
                "start_time": starts.time(),
                "end_time": ends.time(),
                "capacity": shift.capacity,
                "notes": shift.notes,
                "version": shift.version,
            }
        )
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return _render(
        request,
        "volunteers/shifts/shift_edit.html",
        {"form": form, "shift": shift, "conflict": conflict},
        status=status,
    )


def _post_only(request: OrgRequest) -> HttpResponseBase | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def shift_cancel(request: OrgRequest, org_slug: str, shift_id: int) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    shift = _shift_or_404(shift_id)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        cancelled = services.shift_cancel(**service_args(request), shift=shift)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        n = len(cancelled)
        messages.success(
            request,
            f"Shift cancelled; {n} sign-up{'' if n == 1 else 's'} cancelled and told.",
        )
    return redirect("volunteers:shift_detail", org_slug=org_slug, shift_id=shift.pk)


@login_required
def shift_role_new(request: OrgRequest, org_slug: str, shift_id: int) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    shift = _shift_or_404(shift_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            role = services.shift_role_create(
                **service_args(request),
                shift=shift,
                name=form.cleaned_data["name"],
                capacity=form.cleaned_data["capacity"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Role {role.name} added.")
            return redirect("volunteers:shift_detail", org_slug=org_slug, shift_id=shift.pk)
    return _shift_page(request, shift, role_form=form, status=422)


@login_required
def shift_signup_add(request: OrgRequest, org_slug: str, shift_id: int) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    shift = _shift_or_404(shift_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = SignUpForm(request.POST, shift_id=shift.pk)
    if form.is_valid():
        volunteer = form.cleaned_data["volunteer"]
        try:
            placed = signups.sign_up(
                **service_args(request),
                shift=shift,
                volunteer=volunteer,
                role=form.cleaned_data["role"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            if placed.status == "confirmed":
                messages.success(request, f"{volunteer.name} is confirmed on this shift.")
            else:
                messages.warning(
                    request, f"The shift is full: {volunteer.name} is on the waitlist."
                )
            for warning in placed.warnings:
                messages.warning(request, warning)
            return redirect("volunteers:shift_detail", org_slug=org_slug, shift_id=shift.pk)
    return _shift_page(request, _shift_or_404(shift.pk), signup_form=form, status=422)


def _signup_action(
    request: OrgRequest, org_slug: str, signup_id: int, action: str
) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    signup = _signup_or_404(signup_id)
    if (refused := _post_only(request)) is not None:
        return refused
    name = signup.volunteer.name
    try:
        if action == "cancel":
            promoted = signups.cancel(**service_args(request), signup=signup)
            text = f"{name}'s sign-up is cancelled."
            if promoted:
                text += (
                    " From the waitlist, confirmed: "
                    + ", ".join(s.volunteer.name for s in promoted)
                    + "."
                )
        elif action == "check_in":
            signups.check_in(**service_args(request), signup=signup)
            text = f"{name} is checked in."
        else:
            entry = signups.check_out(**service_args(request), signup=signup)
            text = f"{name} is checked out" + (
                f": {entry.hours} hours logged, waiting for approval." if entry else "."
            )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, text)
    return redirect("volunteers:shift_detail", org_slug=org_slug, shift_id=signup.shift_id)


@login_required
def shift_signup_cancel(request: OrgRequest, org_slug: str, signup_id: int) -> HttpResponseBase:
    return _signup_action(request, org_slug, signup_id, "cancel")


@login_required
def shift_signup_check_in(request: OrgRequest, org_slug: str, signup_id: int) -> HttpResponseBase:
    return _signup_action(request, org_slug, signup_id, "check_in")


@login_required
def shift_signup_check_out(request: OrgRequest, org_slug: str, signup_id: int) -> HttpResponseBase:
    return _signup_action(request, org_slug, signup_id, "check_out")
