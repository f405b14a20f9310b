"""The request as pages and API functions see it, typed.

The tenancy middleware (pages under ``/o/<slug>/``) and the API auth (tokens and sessions)
resolve the organization once per request and set ``org`` and ``access`` on it; sign-in has
set ``user``. Views and API functions annotate their request as ``OrgRequest`` and read
those attributes directly, so mypy checks them and nothing is ignored.
"""

from __future__ import annotations

from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from ifm.accounts.models import User
from ifm.tenancy.http import TenantRequest
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access


class UserRequest(HttpRequest):
    """A request of a signed-in person (behind ``login_required`` or the API auth)."""

    user: User
    user_orgs: list[Organization]
    htmx: HtmxDetails


class OrgRequest(TenantRequest, UserRequest):
    """A request of a signed-in person inside one organization: ``org``, ``access``, ``user``."""


def signed_in_user(request: HttpRequest) -> User:
    """The person behind a request that sign-in guards (``login_required``, the staff admin)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class ServiceArgs(TypedDict):
    organization: Organization
    actor: User
    access: Access


def service_args(request: OrgRequest) -> ServiceArgs:
    """organization, actor and access: the keyword arguments every service takes."""
    return {"organization": request.org, "actor": request.user, "access": request.access}
