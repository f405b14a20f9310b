"""Helpers for tests that sign in through the real allauth pages."""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from ifm.audit.models import AuditEvent
from ifm.conftest import PASSWORD
from ifm.core.org_context import all_organizations


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def reauthenticate(client: Client, password: str = PASSWORD) -> Any:
    """Confirm the password again, as allauth asks before security settings change."""
    return client.post(reverse("account_reauthenticate"), {"password": password})


def totp_code(secret: str) -> str:
    """The authenticator app's current code, waiting out the last seconds of a period so the
    server checks it within the same period (allauth accepts only the current one)."""
    period = mfa_settings.TOTP_PERIOD
    if period - (time.time() % period) < 2:
        time.sleep(period - (time.time() % period) + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def secret_from_page(html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7=]+)<', html)
    assert match, "the TOTP activation page shows no secret"
    return match.group(1)


def audit_events(**filters: Any) -> list[AuditEvent]:
    """Audit events matching the filters. Sign-in events belong to no organization, and on
    PostgreSQL row-level security shows those only in the cross-organization scope."""
    with all_organizations():
        return list(AuditEvent.objects.filter(**filters).select_related("actor", "organization"))


def one_event(**filters: Any) -> AuditEvent:
    events = audit_events(**filters)
    assert len(events) == 1, f"expected one audit event for {filters}, found {len(events)}"
    return events[0]
