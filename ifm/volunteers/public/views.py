"""The public pages under /volunteer/<org_slug>/: no account. The shifts open for sign-up, the
sign-up form, the volunteer's own page behind a signed link, a new link by email, the calendar
feed and unsubscribing.

Every view resolves the organization from the slug itself (the tenancy middleware leaves these
pages alone: `public_page`) and answers 404 for an unknown slug or when the organization has
turned public sign-up off. What it shows is read in that organization's context only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.tenancy.middleware import public_page, require_module
from ifm.tenancy.models import Organization
from ifm.volunteers.models import Opportunity, Volunteer
from ifm.volunteers.public import ratelimit, selectors, services
from ifm.volunteers.public.emails import feed_url
from ifm.volunteers.public.forms import LinkRequestForm, SignUpForm
from ifm.volunteers.public.ics import calendar_bytes
from ifm.volunteers.public.links import (
    LINK_MAX_AGE,
    LinkProblem,
    own_page_token,
    volunteer_from_own_page_token,
    volunteer_from_unsubscribe_token,
)
from ifm.volunteers.signups.rules import shift_day

View = Callable[..., HttpResponse]

KNOWN_REFUSAL = (
    "This email address could not be signed up for this shift: it may already be on it or on "
    "another at the same time, or miss something this shift needs. We have emailed a link to "
    "that address to see its shifts."
)


def public_view(view: View) -> View:
    """Resolve the organization (404 when unknown, closed or its module not enabled) and run
    the view in its context and time zone; the view gets it as `org`."""

    @functools.wraps(view)
    def run(request: HttpRequest, org_slug: str, **kwargs: Any) -> HttpResponse:
        org = selectors.public_organization(org_slug)
        if org is None:
            raise Http404("No volunteer sign-up here.")
        # Closed too while the organization has not enabled the volunteers module.
        require_module(request, org)
        with org_context(org), timezone.override(ZoneInfo(org.time_zone)):
            response = view(request, org, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            return response

    return public_page(run)


def _page(
    request: HttpRequest,
    org: Organization,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    context = {"public_org": org, "contact_email": selectors.contact_email(org), **context}
    return render(request, f"volunteers/public/{template}", context, status=status)


def _too_many(request: HttpRequest, org: Organization, retry_after: int) -> HttpResponse:
    response = _page(
        request,
        org,
        "rate_limited.html",
        {"minutes": max(1, -(-retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _start_day(request: HttpRequest) -> date | None:
    try:
        return date.fromisoformat(request.GET.get("from", "")[:10])
    except ValueError:
        return None


def _url_maker(org: Organization, name: str, param: str) -> Callable[[int], str]:
    """The URL of a page by an object's id, from one reverse() (a page lists a hundred)."""
    marker = 987654321
    head, tail = reverse(name, kwargs={"org_slug": org.slug, param: marker}).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _listing(
    request: HttpRequest, org: Organization, opportunity: Opportunity | None
) -> HttpResponse:
    listing = selectors.upcoming_listing(org, opportunity=opportunity, start=_start_day(request))
    shift_url = _url_maker(org, "volunteer_public:shift", "shift_id")
    opportunity_url = _url_maker(org, "volunteer_public:opportunity", "opportunity_id")
    for _day, rows in listing.days:
        for row in rows:
            row.url = shift_url(row.shift.pk)
            row.opportunity_url = opportunity_url(row.shift.opportunity_id)
    return _page(
        request,
        org,
        "listing.html",
        {"listing": listing, "opportunity": opportunity, "zone_name": org.time_zone},
    )


@require_GET
@public_view
def home(request: HttpRequest, org: Organization) -> HttpResponse:
    return _listing(request, org, None)


@require_GET
@public_view
def opportunity_page(request: HttpRequest, org: Organization, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.public_opportunities().filter(pk=opportunity_id).first()
    if opportunity is None:
        raise Http404("No such opportunity.")
    return _listing(request, org, opportunity)


@require_http_methods(["GET", "POST"])
@public_view
def shift_signup(request: HttpRequest, org: Organization, shift_id: int) -> HttpResponse:
    shift = selectors.public_shift(shift_id)
    if shift is None:
        raise Http404("No such shift.")
    row = selectors.shift_rows([shift], ZoneInfo(org.time_zone))[0]
    is_open = not shift.is_cancelled and shift.starts_at > timezone.now()
    day = shift_day(shift)
    form = SignUpForm(request.POST or None, shift=shift, shift_day=day)
    context: dict[str, Any] = {"shift": shift, "row": row, "is_open": is_open, "form": form}
    if request.method != "POST":
        return _page(request, org, "shift.html", context)
    retry_after = ratelimit.hit_ip(ratelimit.SIGNUP_PER_IP, request)
    if retry_after is not None:
        return _too_many(request, org, retry_after)
    if form.is_bot():
        # Nothing is kept; the answer says only that it did not work.
        context["refusal"] = "Your sign-up could not be taken. Please try again."
        return _page(request, org, "shift.html", context, status=400)
    if not is_open:
        context["refusal"] = "This shift is no longer open for sign-up."
        return _page(request, org, "shift.html", context, status=400)
    if not form.is_valid():
        return _page(request, org, "shift.html", context, status=400)
    data = form.cleaned_data
    known = selectors.volunteer_exists(data["email"])
    try:
        placed = services.public_signup_submit(
            organization=org,
            shift=shift,
            role=form.chosen_role(),
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data.get("phone", ""),
            date_of_birth=data.get("date_of_birth"),
            guardian_name=data.get("guardian_name", ""),
            guardian_email=data.get("guardian_email", ""),
            guardian_consent=bool(data.get("guardian_consent")),
        )
    except ServiceError as exc:
        context["refusal"] = exc.message
        if known:
            # The rule's message would tell whoever typed this address about the person behind
            # it (their name, their other shifts): it goes to them, with their link, instead.
            context["refusal"] = KNOWN_REFUSAL
            email = data["email"].strip().lower()
            if ratelimit.hit(ratelimit.LINK_PER_EMAIL, email) is None:
                services.link_request(organization=org, email=email)
        return _page(request, org, "shift.html", context, status=400)
    return _page(
        request,
        org,
        "signed_up.html",
        {"shift": shift, "row": row, "placed": placed, "email": data["email"]},
    )


def _link_problem(request: HttpRequest, org: Organization, problem: LinkProblem) -> HttpResponse:
    return _page(
        request,
        org,
        "link_problem.html",
        {"problem": problem.message, "form": LinkRequestForm()},
        status=problem.status,
    )


def _own_url(org: Organization, token: str) -> str:
    return reverse("volunteer_public:own_page", kwargs={"org_slug": org.slug, "token": token})


def _own(
    request: HttpRequest, org: Organization, volunteer: Volunteer, token: str, **extra: Any
) -> HttpResponse:
    mine = selectors.own_signups(volunteer)
    return _page(
        request,
        org,
        "own_page.html",
        {
            "volunteer": volunteer,
            "token": token,
            "upcoming": mine["upcoming"],
            "past": mine["past"],
            "now": timezone.now(),
            "feed_url": feed_url(org, volunteer),
            "link_days": LINK_MAX_AGE.days,
            # The page where a volunteer logs their own hours, once the hours area offers one.
            "log_hours_url": None,
            **extra,
        },
        status=400 if extra.get("refusal") else 200,
    )


@require_GET
@public_view
def own_page(request: HttpRequest, org: Organization, token: str) -> HttpResponse:
    try:
        volunteer = volunteer_from_own_page_token(org, token)
    except LinkProblem as problem:
        return _link_problem(request, org, problem)
    response = _own(request, org, volunteer, token)
    # The link is a key: keep it out of caches and of other sites' Referer. Not "no-referrer":
    # under it browsers send "Origin: null" with the page's own forms (cancel, new links),
    # which the CSRF check refuses.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
@public_view
def own_cancel(request: HttpRequest, org: Organization, token: str) -> HttpResponse:
    try:
        volunteer = volunteer_from_own_page_token(org, token)
    except LinkProblem as problem:
        return _link_problem(request, org, problem)
    try:
        signup_id = int(request.POST.get("signup_id", ""))
    except ValueError:
        return _own(request, org, volunteer, token, refusal="Choose a shift to cancel.")
    try:
        services.own_signup_cancel(organization=org, volunteer=volunteer, signup_id=signup_id)
    except ServiceError as exc:
        return _own(request, org, volunteer, token, refusal=exc.message)
    return redirect(_own_url(org, token) + "?cancelled=1")


@require_POST
@public_view
def own_reset(request: HttpRequest, org: Organization, token: str) -> HttpResponse:
    try:
        volunteer = volunteer_from_own_page_token(org, token)
    except LinkProblem as problem:
        return _link_problem(request, org, problem)
    volunteer = services.volunteer_secret_reset(organization=org, volunteer=volunteer)
    return redirect(_own_url(org, own_page_token(volunteer)) + "?reset=1")


@require_http_methods(["GET", "POST"])
@public_view
def link_request(request: HttpRequest, org: Organization) -> HttpResponse:
    form = LinkRequestForm(request.POST or None)
    if request.method != "POST":
        return _page(request, org, "link_request.html", {"form": form})
    retry_after = ratelimit.hit_ip(ratelimit.LINK_PER_IP, request)
    if retry_after is not None:
        return _too_many(request, org, retry_after)
    if not form.is_valid():
        return _page(request, org, "link_request.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip().lower()
    # Over the per-address limit, or a script: the same answer, and nothing sent.
    if not form.is_bot() and ratelimit.hit(ratelimit.LINK_PER_EMAIL, email) is None:
        services.link_request(organization=org, email=email)
    return _page(request, org, "link_sent.html", {"email": email})


@require_GET
@public_view
def calendar_feed(request: HttpRequest, org: Organization, token: str) -> HttpResponse:
    volunteer = Volunteer.objects.filter(calendar_token=token).first() if len(token) < 80 else None
    if volunteer is None:
        raise Http404("No such calendar.")
    body = calendar_bytes(
        org, selectors.feed_signups(volunteer), name=f"Volunteering at {org.name}"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="volunteering.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# Mail programs send RFC 8058's one-click unsubscribe as a POST without a CSRF token: the
# signed link is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@public_view
def unsubscribe(request: HttpRequest, org: Organization, token: str) -> HttpResponse:
    try:
        volunteer = volunteer_from_unsubscribe_token(org, token)
    except LinkProblem as problem:
        return _page(
            request, org, "unsubscribe.html", {"problem": problem.message}, status=problem.status
        )
    if request.method == "POST":
        services.volunteer_unsubscribe(organization=org, volunteer=volunteer)
        return _page(request, org, "unsubscribe.html", {"done": True})
    return _page(request, org, "unsubscribe.html", {"volunteer": volunteer, "token": token})
