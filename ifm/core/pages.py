"""What every app's page views need beside the typed request (``ifm.accounts.http``): URLs
inside the organization, whether HTMX asked for a fragment, and the text of a refusal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from ifm.core.errors import ServiceError


def org_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    """reverse() of a page inside the request's organization (a page under /o/<slug>/, where the
    tenancy middleware has set the organization: ``ifm.accounts.http.OrgRequest`` types it)."""
    org: Any = getattr(request, "org", None)
    if org is None:
        raise ValueError(f"{name}: org_url needs a request inside an organization.")
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def is_htmx_partial(request: HttpRequest) -> bool:
    """HTMX asked for a fragment (not a boosted navigation or a history restore)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def error_text(exc: Exception) -> str:
    """What to tell a person whose action a service refused."""
    return exc.message if isinstance(exc, ServiceError) else (str(exc) or "You may not do this.")


def get_or_404(queryset: Any, pk: int, what: str) -> Any:
    """The object with this id in a (tenant-scoped) queryset, or 404 naming what was looked for:
    another organization's id answers the same as a missing one."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No such {what}.")
    return obj
