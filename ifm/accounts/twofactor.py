"""Two-factor authentication required by the organization for its admin and finance roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ifm.tenancy.roles import Role

ROLES_REQUIRING_2FA = frozenset({Role.ADMIN, Role.FINANCE})

# Pages a person must still reach while being sent to enrol: two-factor setup, sign-out.
_ALLOWED_URL_NAMES_PREFIXES = ("mfa_", "account_logout", "account_reauthenticate")


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_enrol_2fa(org: Any, access: Any, user: Any) -> bool:
    """True when this organization requires two-factor for the role and the user has none yet."""
    if org is None or access is None or not org.require_2fa_for_admin_finance:
        return False
    if access.role not in ROLES_REQUIRING_2FA:
        return False
    return not has_totp(user)


class TwoFactorRequiredMiddleware:
    """Send admin and finance members without an authenticator app to enrol one first.

    Runs after TenantMiddleware.process_view, so request.org and request.access are known.
    Only organization pages (/o/<slug>/...) are affected; the API authenticates by token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        org = getattr(request, "org", None)
        if org is None:
            return None
        match = request.resolver_match
        url_name = (match.url_name or "") if match is not None else ""
        if url_name.startswith(_ALLOWED_URL_NAMES_PREFIXES):
            return None
        if not must_enrol_2fa(org, getattr(request, "access", None), request.user):
            return None
        messages.warning(
            request,
            f"{org.name} requires two-factor authentication for admin and finance roles. "
            "Set up an authenticator app to continue.",
        )
        target = reverse("mfa_activate_totp")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
