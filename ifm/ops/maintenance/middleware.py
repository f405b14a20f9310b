"""While maintenance mode is on, every page and API call answers 503 with Retry-After.

Still served: the health checks and /metrics (monitoring must keep seeing the app), static
files, the sign-in pages (so platform staff can sign in), and anything a signed-in platform
staff member asks for, pages and API alike; they see a banner instead. When maintenance is off
this costs one look at a per-process cached value (`state.current`).
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from ifm.accounts.api_auth import token_hash
from ifm.accounts.models import ApiToken
from ifm.core.org_context import all_organizations
from ifm.core.problems import problem_response
from ifm.ops.maintenance.state import Maintenance, current

ALWAYS_SERVED = ("/healthz", "/readyz", "/metrics", "/favicon.ico")
SIGN_IN_PATHS = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/authenticate/",
    "/accounts/2fa/reauthenticate/",
)


def is_always_served(path: str) -> bool:
    return path.startswith(ALWAYS_SERVED) or path.startswith(settings.STATIC_URL)


def _platform_staff_token(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    with all_organizations():
        return ApiToken.objects.filter(
            token_hash=token_hash(token.strip()),
            revoked_at__isnull=True,
            user__is_active=True,
            user__is_platform_staff=True,
        ).exists()


def is_platform_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(getattr(user, "is_platform_staff", False))
    return request.path.startswith("/api/") and _platform_staff_token(request)


def maintenance_response(request: HttpRequest, maintenance: Maintenance) -> HttpResponse:
    retry_after = maintenance.retry_after()
    headers = {"Retry-After": str(retry_after), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return problem_response(
            request,
            HTTPStatus.SERVICE_UNAVAILABLE,
            f"{maintenance.text} Send the request again after {retry_after} seconds.",
            title="Down for maintenance",
            problem="maintenance",
            headers=headers,
        )
    page = render_to_string(
        "ops/maintenance/page.html",
        {"maintenance": maintenance, "retry_minutes": max(1, round(retry_after / 60))},
    )
    response = HttpResponse(page, status=HTTPStatus.SERVICE_UNAVAILABLE)
    for name, value in headers.items():
        response[name] = value
    return response


class MaintenanceMiddleware:
    """After authentication (it asks whether the user is platform staff), before anything
    that reads an organization's data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_always_served(request.path):
            return self.get_response(request)
        maintenance = current()
        if (
            not maintenance.is_on
            or request.path.startswith(SIGN_IN_PATHS)
            or is_platform_staff(request)
        ):
            return self.get_response(request)
        return maintenance_response(request, maintenance)
