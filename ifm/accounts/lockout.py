"""Sign-in lockout (django-axes): who is locked, until when, the lockout page, the unlocks.

Axes counts failures (wrong passwords and wrong authenticator codes) per account (the email
tried) and per client address (ifm.core.request_context.client_ip, which reads the proxies'
X-Forwarded-For when TRUSTED_PROXY_COUNT says there are any). The answer is the same for an
email that has no account, so the lockout reveals nothing about who exists.

An organization admin unlocks a member: the member's account and the addresses the member's
failures came from. IFM platform staff can also clear any one address (`ifm clear_lockout`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.request_context import client_ip
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
    ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
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
    actor: User,
    actor_access: Access | None,
) -> int:
    """An admin lifts the sign-in lockout of a member of their organization.

    Clears the failed attempts recorded against the member's email (from every address), and
    the address locks of the addresses those failures came from, so a member locked out because
    others failed from the same office address can sign in again. Returns how many attempt
    records were removed.
    """
    require_perm(actor_access, "members.manage")
    if membership.organization_id != organization.pk:
        raise ValueError("membership of another organization")
    email = normalize_email(membership.user.email) or ""
    was_locked = is_locked_out(email)
    addresses = sorted(
        {
            ip
            for ip in AccessAttempt.objects.filter(username=email).values_list(
                "ip_address", flat=True
            )
            if ip
        }
    )
    cleared = axes_reset(username=email)
    for ip_address in addresses:
        cleared += axes_reset(ip=ip_address)
    audit_record(
        action="user.unlock",
        actor=actor,
        organization=organization,
        obj=membership.user,
        changes={
            "locked_out": {"before": was_locked, "after": False},
            "attempt_records_cleared": cleared,
            "addresses_cleared": addresses,
        },
    )
    return cleared


def is_address_locked(ip_address: str) -> bool:
    failures = (
        _live_attempts()
        .filter(ip_address=ip_address)
        .aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return failures >= settings.AXES_FAILURE_LIMIT


@transaction.atomic
def lockout_clear_address(*, ip_address: str, actor: User) -> int:
    """IFM platform staff lift the lock on one client address (every account tried from it
    keeps its own per-account count). Returns how many attempt records were removed."""
    if not getattr(actor, "is_platform_staff", False):
        raise PermissionDenied("Only IFM platform staff may clear an address lock.")
    was_locked = is_address_locked(ip_address)
    cleared = axes_reset(ip=ip_address)
    audit_record(
        action="auth.address_unlock",
        actor=actor,
        changes={
            "ip_address": ip_address,
            "locked_out": {"before": was_locked, "after": False},
            "attempt_records_cleared": cleared,
        },
    )
    return cleared
