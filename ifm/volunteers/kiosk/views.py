"""The check-in kiosk: today's shifts, one tap to check in or out, walk-ins, and kiosk mode.
Thin: the sign-up services check in and out, `services.walk_in` adds walk-ins."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text, get_or_404, is_htmx_partial
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import require_perm
from ifm.volunteers.kiosk import selectors, services, session
from ifm.volunteers.kiosk.forms import ExitForm, WalkInForm
from ifm.volunteers.models import Shift, SignUp
from ifm.volunteers.signups import services as signups

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _kiosk(request: OrgRequest) -> HttpResponse:
    return redirect(session.kiosk_home(request.org.slug))


def _context(request: OrgRequest, **extra: Any) -> dict[str, Any]:
    return {"kiosk_mode": session.kiosk_of(request) is not None, "letters": LETTERS, **extra}


@login_required
def kiosk(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    q = (request.GET.get("q") or "")[:100]
    letter = (request.GET.get("letter") or "")[:1].upper()
    if letter and letter not in LETTERS:
        letter = ""
    rows = selectors.today_shifts(request.org, q=q, letter=letter)
    context = _context(
        request, rows=rows, q=q, letter=letter, today=selectors.org_today(request.org)
    )
    template = (
        "volunteers/kiosk/_today.html"
        if is_htmx_partial(request)
        else "volunteers/kiosk/kiosk.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _tap(request: OrgRequest, signup_id: int, action: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    signup = get_or_404(
        SignUp.objects.select_related("volunteer", "shift__opportunity", "hours_entry"),
        signup_id,
        "sign-up",
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    notice, failed = "", False
    if not selectors.is_today(request.org, signup.shift):
        notice, failed = "This sign-up is not on one of today's shifts.", True
    else:
        try:
            if action == "in":
                signups.check_in(**service_args(request), signup=signup)
                notice = f"Welcome, {signup.volunteer.first_name}! You are checked in."
            else:
                entry = signups.check_out(**service_args(request), signup=signup)
                notice = f"Thank you, {signup.volunteer.first_name}!" + (
                    f" {entry.hours} h logged, waiting for approval." if entry else ""
                )
        except ServiceError as exc:
            notice, failed = error_text(exc), True
    if is_htmx_partial(request):
        fresh = SignUp.objects.select_related("volunteer", "role", "hours_entry").get(pk=signup.pk)
        # A 200 even for a refusal: HTMX swaps only successful answers, and the row shows why.
        return render(
            request,
            "volunteers/kiosk/_signup.html",
            {"signup": fresh, "notice": notice, "failed": failed},
        )
    (messages.error if failed else messages.success)(request, notice)
    return _kiosk(request)


@login_required
def kiosk_check_in(request: OrgRequest, org_slug: str, signup_id: int) -> HttpResponseBase:
    return _tap(request, signup_id, "in")


@login_required
def kiosk_check_out(request: OrgRequest, org_slug: str, signup_id: int) -> HttpResponseBase:
    return _tap(request, signup_id, "out")


@login_required
def kiosk_walk_in(request: OrgRequest, org_slug: str, shift_id: int) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    shift = get_or_404(Shift.objects.select_related("opportunity"), shift_id, "shift")
    if not selectors.is_today(request.org, shift):
        messages.error(request, "Walk-ins join one of today's shifts.")
        return _kiosk(request)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signup = services.walk_in(
                **service_args(request),
                shift=shift,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Welcome, {signup.volunteer.first_name}! You are on {shift.opportunity.title} "
                "and checked in.",
            )
            return _kiosk(request)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "volunteers/kiosk/walk_in.html",
        _context(request, form=form, shift=shift),
        status=status,
    )


@login_required
def kiosk_start(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    if request.method == "POST":
        session.start(request, request.org, request.user)
        messages.success(request, "Kiosk mode is on: this device shows only the check-in kiosk.")
        return _kiosk(request)
    return render(request, "volunteers/kiosk/start.html", _context(request))


@login_required
def kiosk_exit(request: OrgRequest, org_slug: str) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    if session.kiosk_of(request) is None:
        return _kiosk(request)
    form = ExitForm(request.POST or None)
    locked = session.failed_attempts(request) >= session.MAX_EXIT_ATTEMPTS
    if request.method == "POST" and form.is_valid() and not locked:
        if session.exit_with_password(
            request, request.org, request.user, form.cleaned_data["password"]
        ):
            messages.success(request, "Kiosk mode is off on this device.")
            return _kiosk(request)
        locked = session.failed_attempts(request) >= session.MAX_EXIT_ATTEMPTS
        form.add_error("password", "That is not the password.")
    status = 403 if locked else (422 if request.method == "POST" else 200)
    return render(
        request,
        "volunteers/kiosk/exit.html",
        _context(request, form=form, locked=locked),
        status=status,
    )
