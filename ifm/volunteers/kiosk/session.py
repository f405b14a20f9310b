"""Kiosk mode: a coordinator turns a browser (the tablet at the door) into a kiosk for one
organization. From then on that browser's session reaches only the kiosk's pages of that
organization (`KioskMiddleware`); leaving needs the coordinator's password again, or signing
out (which ends the session)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.tenancy.models import Organization

SESSION_KEY = "volunteers_kiosk"
FAILED_KEY = "volunteers_kiosk_failed"
MAX_EXIT_ATTEMPTS = 5


def kiosk_of(request: HttpRequest) -> dict[str, Any] | None:
    """The kiosk this browser is locked to ({"org": slug, "user": id}), or None."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    value = session.get(SESSION_KEY)
    return value if isinstance(value, dict) else None


def kiosk_home(slug: str) -> str:
    return reverse("volunteers:kiosk", kwargs={"org_slug": slug})


def start(request: HttpRequest, organization: Organization, user: Any) -> None:
    # A fresh session key: nothing from before kiosk mode is carried into it.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "org": organization.slug,
        "user": user.pk,
        "since": timezone.now().isoformat(),
    }
    request.session.pop(FAILED_KEY, None)
    audit_record(action="volunteer_kiosk.start", actor=user, organization=organization)


def failed_attempts(request: HttpRequest) -> int:
    return int(request.session.get(FAILED_KEY, 0))


def exit_with_password(
    request: HttpRequest, organization: Organization, user: Any, password: str
) -> bool:
    """Leave kiosk mode when `password` is the signed-in coordinator's. After five wrong tries
    only signing out ends it."""
    if failed_attempts(request) >= MAX_EXIT_ATTEMPTS:
        return False
    if not password or not user.check_password(password):
        request.session[FAILED_KEY] = failed_attempts(request) + 1
        audit_record(action="volunteer_kiosk.exit_refused", actor=user, organization=organization)
        return False
    request.session.pop(SESSION_KEY, None)
    request.session.pop(FAILED_KEY, None)
    request.session.cycle_key()
    audit_record(action="volunteer_kiosk.stop", actor=user, organization=organization)
    return True
