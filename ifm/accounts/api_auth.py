"""How the API knows who is calling and for which organization.

Two ways in, tried in this order (the default auth of /api/v1):

* ``Authorization: Bearer <token>``: an API token is one user in one organization.
* The browser session (with CSRF on unsafe methods): the organization comes from the
  ``X-IFM-Organization`` header, else from the organization last opened in the pages.

Both set ``request.user``, ``request.org``, ``request.access`` and the organization context
(ifm.core.org_context).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ifm.accounts.models import ApiToken
from ifm.accounts.twofactor import enrolment_required_message, must_enrol_2fa
from ifm.core import org_context
from ifm.core.api import ApiError
from ifm.tenancy import http as tenant_http
from ifm.tenancy.models import Membership
from ifm.tenancy.selectors import access_for

ORG_HEADER = "X-IFM-Organization"
LAST_USED_RESOLUTION = timedelta(minutes=1)
INVALID_TOKEN = "The API token is missing, invalid or revoked."  # noqa: S105  (a message)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _enter(request: HttpRequest, user: Any, org: Any, access: Any) -> Any:
    if must_enrol_2fa(org, access, user):
        # The organization's two-factor rule holds for every door: a session, and tokens made
        # before the rule was turned on, work again once the member has enrolled.
        raise ApiError(
            403,
            enrolment_required_message(org),
            problem="second-factor-required",
            errors=[{"field": "Authorization", "message": "Two-factor enrolment is required."}],
        )
    request.user = user
    tenant_http.enter(request, org, access)
    org_context.set_current_org(org)
    return user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer ifm_...``: an API token of one user in one organization."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token or len(token) > 200:
            raise AuthenticationError(message=INVALID_TOKEN)
        # The token's organization is unknown until it is found: look across organizations.
        with org_context.all_organizations():
            api_token = (
                ApiToken.objects.select_related("user", "organization")
                .filter(token_hash=token_hash(token))
                .first()
            )
            membership = None
            if (
                api_token is not None
                and api_token.revoked_at is None
                and api_token.user.is_active
                and api_token.organization.is_active
            ):
                membership = Membership.all_orgs.filter(
                    organization=api_token.organization, user=api_token.user, is_active=True
                ).first()
            if api_token is None or membership is None:
                raise AuthenticationError(message=INVALID_TOKEN)
            now = timezone.now()
            last = api_token.last_used_at
            if last is None or now - last >= LAST_USED_RESOLUTION:
                ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return _enter(request, api_token.user, api_token.organization, membership)


class OrganizationSessionAuth(APIKeyCookie):
    """The signed-in browser session; CSRF is checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        slug = request.headers.get(ORG_HEADER) or request.session.get("org_slug")
        if not slug:
            raise ApiError(
                400,
                f"Say which organization: send the {ORG_HEADER} header with its slug.",
                errors=[{"field": ORG_HEADER, "message": "This header is required."}],
            )
        org, access = access_for(user, str(slug))
        if org is None or access is None:
            raise Http404("No such organization.")
        return _enter(request, user, org, access)


api_auth = [BearerTokenAuth(), OrganizationSessionAuth(csrf=True)]
