"""Hours pages: the list (filters, search, export), the approval queue (approve one or many,
reject with a reason), logging hours and correcting hours that wait. Thin: services decide,
selectors read."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.core.pages import error_text, get_or_404, is_htmx_partial
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.volunteers.hours import exports, selectors, services
from ifm.volunteers.hours.forms import HoursFilterForm, HoursForm, RejectForm
from ifm.volunteers.models import HoursEntry, HoursStatus

PAGE_SIZE = 25
MAX_ID_DIGITS = 18


def _url(request: OrgRequest, name: str, **kwargs: Any) -> str:
    return reverse(f"volunteers:{name}", kwargs={"org_slug": request.org.slug, **kwargs})


def _next_or(request: OrgRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _entry(request: OrgRequest, hours_id: int) -> HoursEntry:
    return get_or_404(
        HoursEntry.objects.select_related("volunteer", "opportunity"), hours_id, "hours entry"
    )


def _can(request: OrgRequest) -> dict[str, bool]:
    return {
        "can_log": has_perm(request.access, "volunteers.manage"),
        "can_approve": has_perm(request.access, "volunteers.approve_hours"),
    }


# --- The list ----------------------------------------------------------------------------------


def _filtered(request: OrgRequest) -> tuple[HoursFilterForm, Any]:
    form = HoursFilterForm(request.GET or None)
    kwargs = form.selector_kwargs() if form.is_bound else {}
    return form, selectors.hours_list(**kwargs)


@login_required
def hours_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    form, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": selectors.hours_totals(entries),
        "filtered": form.filtered,
        "pending": selectors.pending_count(),
        "tab": "list",
        **_can(request),
    }
    template = (
        "volunteers/hours/_list_results.html"
        if is_htmx_partial(request)
        else "volunteers/hours/list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def hours_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.view")
    _, entries = _filtered(request)
    org = request.org
    filename = f"volunteer-hours-{org.slug}-{services.org_today(org):%Y-%m-%d}"
    if fmt == "csv":
        return exports.hours_csv(entries, filename=filename, scope=partial(org_context, org))
    return exports.hours_xlsx(entries, filename=filename)


# --- The approval queue ------------------------------------------------------------------------


@login_required
def hours_queue(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.approve_hours")
    form = HoursFilterForm(request.GET or None)
    del form.fields["status"]
    kwargs = form.selector_kwargs() if form.is_bound else {}
    kwargs.pop("status", None)
    entries = selectors.approval_queue(**kwargs)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": selectors.hours_totals(entries),
        "filtered": form.filtered,
        "reject_form": RejectForm(),
        "tab": "queue",
        "pending": selectors.pending_count(),
        **_can(request),
    }
    template = (
        "volunteers/hours/_queue_results.html"
        if is_htmx_partial(request)
        else "volunteers/hours/queue.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) <= MAX_ID_DIGITS]


@login_required
def hours_queue_approve(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.approve_hours")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = _next_or(request, _url(request, "hours_queue"))
    try:
        done = services.hours_approve_many(
            **service_args(request), entry_ids=_ids(request.POST.getlist("entry_ids"))
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        total = sum(e.hours for e in done)
        messages.success(
            request, f"Approved {len(done)} entr{'y' if len(done) == 1 else 'ies'}, {total} h."
        )
    return redirect(back)


@login_required
def hours_approve(request: OrgRequest, org_slug: str, hours_id: int) -> HttpResponseBase:
    entry = _entry(request, hours_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = _next_or(request, _url(request, "hours_queue"))
    try:
        services.hours_approve(**service_args(request), entry=entry)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Approved {entry.hours} h of {entry.volunteer.name}.")
    return redirect(back)


@login_required
def hours_reject(request: OrgRequest, org_slug: str, hours_id: int) -> HttpResponseBase:
    entry = _entry(request, hours_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = _next_or(request, _url(request, "hours_queue"))
    try:
        services.hours_reject(
            **service_args(request), entry=entry, reason=request.POST.get("reason", "")
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Rejected {entry.hours} h of {entry.volunteer.name}.")
    return redirect(back)


# --- Logging and correcting --------------------------------------------------------------------


@login_required
def hours_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    if request.method == "POST":
        form = HoursForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.hours_log(
                    **service_args(request),
                    volunteer=data["volunteer"],
                    date=data["date"],
                    hours=data["hours"],
                    description=data["description"],
                    opportunity=data["opportunity"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Logged {entry.hours} h for {entry.volunteer.name}, waiting for approval.",
                )
                return redirect(_url(request, "hours_list"))
    else:
        initial: dict[str, Any] = {"date": services.org_today(request.org)}
        volunteer = request.GET.get("volunteer", "")
        if volunteer.isdigit() and len(volunteer) <= MAX_ID_DIGITS:
            initial["volunteer"] = int(volunteer)
        form = HoursForm(initial=initial)
    status = 422 if form.errors else 200
    return render(
        request, "volunteers/hours/form.html", {"form": form, "entry": None}, status=status
    )


@login_required
def hours_edit(request: OrgRequest, org_slug: str, hours_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    entry = _entry(request, hours_id)
    if entry.status != HoursStatus.PENDING:
        messages.info(request, "Only hours waiting for approval can be changed.")
        return redirect(_url(request, "hours_list"))
    conflict = None
    if request.method == "POST":
        form = HoursForm(request.POST, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.hours_update(
                    **service_args(request),
                    entry=entry,
                    expected_version=data.get("version") or entry.version,
                    date=data["date"],
                    hours=data["hours"],
                    description=data["description"],
                    opportunity=data["opportunity"],
                    clear_opportunity=data["opportunity"] is None,
                )
            except ConflictError as exc:
                conflict = exc.message
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved the hours of {entry.volunteer.name}.")
                return redirect(_url(request, "hours_list"))
    else:
        form = HoursForm(
            editing=True,
            initial={
                "date": entry.date,
                "hours": entry.hours,
                "opportunity": entry.opportunity_id,
                "description": entry.description,
                "version": entry.version,
            },
        )
    status = 409 if conflict else (422 if form.errors else 200)
    return render(
        request,
        "volunteers/hours/form.html",
        {"form": form, "entry": entry, "conflict": conflict},
        status=status,
    )
