"""/platform/maintenance/: platform staff switch maintenance mode and plan a window."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ifm.accounts.http import signed_in_user
from ifm.core.errors import ServiceError
from ifm.ops.maintenance import services, state
from ifm.ops.maintenance.forms import ScheduleForm, TurnOnForm
from ifm.ops.services import require_platform_staff
from ifm.tenancy.forms import add_service_errors


def _platform_staff_only(request: HttpRequest) -> None:
    try:
        require_platform_staff(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None


def _page(
    request: HttpRequest,
    *,
    on_form: TurnOnForm | None = None,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = state.read()
    return render(
        request,
        "ops/maintenance/platform.html",
        {
            "maintenance": current,
            "on_form": on_form
            or TurnOnForm(
                initial={
                    "message": current.message,
                    "retry_after_seconds": current.retry_after_seconds,
                }
            ),
            "schedule_form": schedule_form
            or ScheduleForm(
                initial={
                    "starts_at": current.window_starts_at,
                    "ends_at": current.window_ends_at,
                    "announce_hours": current.announce_hours,
                }
            ),
        },
        status=status,
    )


@login_required
def maintenance_page(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    return _page(request)


@login_required
@require_POST
def maintenance_on(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    form = TurnOnForm(request.POST)
    if form.is_valid():
        try:
            services.maintenance_turn_on(
                actor=signed_in_user(request),
                message=form.cleaned_data["message"],
                retry_after_seconds=form.cleaned_data["retry_after_seconds"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Maintenance mode is on.")
            return redirect("platform_maintenance:page")
    return _page(request, on_form=form, status=422)


@login_required
@require_POST
def maintenance_off(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    services.maintenance_turn_off(actor=signed_in_user(request))
    messages.success(request, "Maintenance mode is off.")
    return redirect("platform_maintenance:page")


@login_required
@require_POST
def maintenance_schedule(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.maintenance_schedule(
                actor=signed_in_user(request),
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                announce_hours=form.cleaned_data["announce_hours"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Maintenance window planned; the banner announces it.")
            return redirect("platform_maintenance:page")
    return _page(request, schedule_form=form, status=422)


@login_required
@require_POST
def maintenance_unschedule(request: HttpRequest) -> HttpResponse:
    _platform_staff_only(request)
    services.maintenance_unschedule(actor=signed_in_user(request))
    messages.success(request, "Planned maintenance window cancelled.")
    return redirect("platform_maintenance:page")
