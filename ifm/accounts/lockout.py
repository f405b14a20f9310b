"""Sign-in lockout (django-axes): who is locked, until when, the lockout page, the admin unlock.

Axes counts failures per account (the email tried) and per client IP address. The answer
is the same for an email that has no account, so the lockout reveals nothing about who exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import Access, require_perm


def normalize_email(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    return value.strip().lower()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account axes counts a failure against.

    allauth authenticates with {"email": ..., "password": ...} while its form field is named
    "login", and axes itself passes {"login": ...}; read whichever is there, lowercased, so
    "Admin@x.org" and "admin@x.org" are one account.
    """
    if credentials:
        for key in ("email", settings.AXES_USERNAME_FORM_FIELD, "username"):
            if credentials.get(key):
                return normalize_email(credentials[key])
    data = getattr(request, "POST", None) or {}
    return normalize_email(data.get(settings.AXES_USERNAME_FORM_FIELD))


def _live_attempts() -> Any:
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gt=threshold)


def _unlock_time(attempts: Iterable[AccessAttempt]) -> datetime | None:
    """When the oldest attempts have aged out far enough that the failures drop below the limit.

    Axes forgets each attempt row once its last failure is older than the cool-off, and locks
    while the failures still remembered reach the limit.
    """
    rows = sorted(attempts, key=lambda a: a.attempt_time)
    total = sum(a.failures_since_start for a in rows)
    if total < settings.AXES_FAILURE_LIMIT:
        return None
    unlocks_at = None
    for row in rows:
        total -= row.failures_since_start
        unlocks_at = row.attempt_time + settings.AXES_COOLOFF_TIME
        if total < settings.AXES_FAILURE_LIMIT:
            break
    return unlocks_at


def lockout_unlocks_at(*, email: str | None, ip_address: str | None) -> datetime | None:
    """When sign-in opens again for this email and IP address, or None when it is not locked."""
    live = _live_attempts()
    times = []
    if email:
        times.append(_unlock_time(live.filter(username=normalize_email(email))))
    if ip_address:
        times.append(_unlock_time(live.filter(ip_address=ip_address)))
    found = [t for t in times if t is not None]
    return max(found) if found else None


def is_locked_out(email: str) -> bool:
    """True while failed sign-ins for this email have reached the limit within the cool-off."""
    failures = (
        _live_attempts()
        .filter(username=normalize_email(email))
        .aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return failures >= settings.AXES_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page shown instead of the sign-in form while locked (axes' AXES_LOCKOUT_CALLABLE)."""
    email = axes_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    unlocks_at = lockout_unlocks_at(email=email, ip_address=ip_address)
    if unlocks_at is None:
        unlocks_at = timezone.now() + settings.AXES_COOLOFF_TIME
    response = render(
        request,
        "accounts/locked_out.html",
        {
            "unlocks_at": unlocks_at,
            "minutes": max(1, -(-int((unlocks_at - timezone.now()).total_seconds()) // 60)),
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, int((unlocks_at - timezone.now()).total_seconds())))
    return response


@transaction.atomic
def lockout_clear(
    *,
    organization: Organization,
    membership: Membership,
    actor: Any,
    actor_access: Access | None,
) -> int:
    """An admin lifts the sign-in lockout of a member of their organization.

    Clears the failed attempts recorded against the member's email (from every address);
    returns how many attempt records were removed.
    """
    require_perm(actor_access, "members.manage")
    if membership.organization_id != organization.pk:
        raise ValueError("membership of another organization")
    email = normalize_email(membership.user.email) or ""
    was_locked = is_locked_out(email)
    cleared = axes_reset(username=email)
    audit_record(
        action="user.unlock",
        actor=actor,
        organization=organization,
        obj=membership.user,
        changes={
            "locked_out": {"before": was_locked, "after": False},
            "attempt_records_cleared": cleared,
        },
    )
    return cleared
