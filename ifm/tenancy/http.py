"""The request as the tenancy middleware and the API auth leave it, typed.

Pages under ``/o/<slug>/`` and API calls resolve the organization once per request and set
``org`` and ``access`` on it. Views of the ground floor below accounts annotate their request
as ``TenantRequest``; the apps above use ``ifm.accounts.http.OrgRequest``, which builds on it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access


def enter(request: HttpRequest, org: Organization | None, access: Access | None) -> None:
    """Set what ``TenantRequest`` declares: the organization and the person's access in it, or
    None outside an organization's pages. The middleware and the API auth both call this."""
    vars(request).update(org=org, access=access)


class TenantRequest(HttpRequest):
    """A request inside one organization: a page under ``/o/<slug>/`` or an API call."""

    org: Organization
    access: Access
    user_orgs: list[Organization]
    htmx: HtmxDetails
