from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ifm.accounts.lockout import is_locked_out, lockout_clear, lockout_unlocks_at
from ifm.accounts.tests.auth_helpers import audit_events, one_event, sign_in
from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def fail(client: Client, email: str, times: int, ip: str = "127.0.0.1") -> Any:
    response = None
    for _ in range(times):
        response = sign_in(client, email, "wrong-password-123", REMOTE_ADDR=ip)
    return response


def membership_of(user: Any) -> Membership:
    with all_organizations():
        return Membership.all_orgs.get(user=user)


def assert_lockout_page(response: Any) -> None:
    html = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in html
    assert "You can try again at" in html
    assert int(response["Retry-After"]) > 0


def test_axes_counts_failures_through_the_allauth_form(cast: dict[str, Any]) -> None:
    client = Client()
    response = fail(client, "admin@alpha.test", LIMIT - 1)
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get(username="admin@alpha.test")
    assert attempt.failures_since_start == LIMIT - 1
    assert "wrong-password-123" not in attempt.post_data
    assert not is_locked_out("admin@alpha.test")


def test_lockout_after_limit_shows_when_it_unlocks(cast: dict[str, Any]) -> None:
    client = Client()
    before = timezone.now()
    response = fail(client, "admin@alpha.test", LIMIT)
    assert_lockout_page(response)
    assert is_locked_out("admin@alpha.test")
    assert is_locked_out("ADMIN@alpha.test")
    unlocks_at = lockout_unlocks_at(email="admin@alpha.test", ip_address=None)
    assert unlocks_at is not None
    cool_off = settings.AXES_COOLOFF_TIME
    assert before + cool_off <= unlocks_at <= timezone.now() + cool_off
    assert f"{unlocks_at:%H:%M} UTC" in response.content.decode()
    # The right password does not get through while locked.
    blocked = sign_in(Client(), "admin@alpha.test", REMOTE_ADDR="10.9.9.9")
    assert_lockout_page(blocked)
    assert SESSION_KEY not in client.session
    assert audit_events(action="auth.locked_out", actor_label="admin@alpha.test")
    assert len(audit_events(action="auth.sign_in_failed")) >= LIMIT


def test_lockout_does_not_reveal_whether_the_account_exists(cast: dict[str, Any]) -> None:
    known = fail(Client(), "admin@alpha.test", LIMIT, ip="10.0.0.1")
    unknown = fail(Client(), "ghost@alpha.test", LIMIT, ip="10.0.0.2")
    assert_lockout_page(known)
    assert_lockout_page(unknown)
    assert fail(Client(), "ghost@alpha.test", LIMIT - 1, ip="10.0.0.3").status_code == 429
    # Before the limit, both give the same form error.
    first_known = fail(Client(), "finance@alpha.test", 1, ip="10.0.0.4")
    first_unknown = fail(Client(), "nobody-here@alpha.test", 1, ip="10.0.0.5")
    assert first_known.status_code == first_unknown.status_code == 200
    assert "not correct" in first_known.content.decode()
    assert "not correct" in first_unknown.content.decode()


def test_lockout_per_ip_address(cast: dict[str, Any]) -> None:
    client = Client()
    for i in range(LIMIT):
        sign_in(client, f"guess{i}@alpha.test", "wrong-password-123", REMOTE_ADDR="10.1.1.1")
    blocked = sign_in(Client(), "staff@alpha.test", REMOTE_ADDR="10.1.1.1")
    assert_lockout_page(blocked)
    allowed = sign_in(Client(), "staff@alpha.test", REMOTE_ADDR="10.1.1.2")
    assert allowed.status_code == 302


def test_unlock_time_counts_from_the_last_failure(cast: dict[str, Any]) -> None:
    fail(Client(), "viewer@alpha.test", LIMIT)
    attempt = AccessAttempt.objects.get(username="viewer@alpha.test")
    last = timezone.now() - timedelta(minutes=10)
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=last)
    unlocks_at = lockout_unlocks_at(email="viewer@alpha.test", ip_address=None)
    assert unlocks_at == last + settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert lockout_unlocks_at(email="viewer@alpha.test", ip_address=None) is None
    assert not is_locked_out("viewer@alpha.test")


def test_admin_unlocks_member_of_same_org(cast: dict[str, Any]) -> None:
    fail(Client(), "staff@alpha.test", LIMIT)
    assert is_locked_out("staff@alpha.test")
    membership = membership_of(cast["staff"])
    admin = client_for(cast["admin"])
    response = admin.post(
        reverse("orgs:member_unlock", kwargs={"org_slug": "alpha", "membership_id": membership.pk})
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/o/alpha/")
    assert not is_locked_out("staff@alpha.test")
    page = admin.get(response["Location"])
    assert "staff@alpha.test can sign in again." in page.content.decode()
    event = one_event(action="user.unlock")
    assert event.actor == cast["admin"]
    assert event.organization is not None
    assert event.organization.slug == "alpha"
    assert event.object_id == str(cast["staff"].pk)
    assert event.changes["locked_out"] == {"before": True, "after": False}
    assert sign_in(Client(), "staff@alpha.test").status_code == 302


def test_unlock_by_admin_of_other_org_is_404(cast: dict[str, Any]) -> None:
    fail(Client(), "staff@alpha.test", LIMIT)
    membership = membership_of(cast["staff"])
    other = client_for(cast["other_admin"])
    response = other.post(
        reverse("orgs:member_unlock", kwargs={"org_slug": "alpha", "membership_id": membership.pk})
    )
    assert response.status_code == 404
    # Through their own organization's URL the membership of A does not exist either.
    response = other.post(
        reverse("orgs:member_unlock", kwargs={"org_slug": "beta", "membership_id": membership.pk})
    )
    assert response.status_code == 404
    assert is_locked_out("staff@alpha.test")
    assert not audit_events(action="user.unlock")


def test_unlock_by_non_admin_is_403(cast: dict[str, Any]) -> None:
    fail(Client(), "staff@alpha.test", LIMIT)
    membership = membership_of(cast["staff"])
    finance = client_for(cast["finance"])
    response = finance.post(
        reverse("orgs:member_unlock", kwargs={"org_slug": "alpha", "membership_id": membership.pk})
    )
    assert response.status_code == 403
    assert is_locked_out("staff@alpha.test")


def test_unlock_needs_post(cast: dict[str, Any]) -> None:
    membership = membership_of(cast["staff"])
    response = client_for(cast["admin"]).get(
        reverse("orgs:member_unlock", kwargs={"org_slug": "alpha", "membership_id": membership.pk})
    )
    assert response.status_code == 405


def test_lockout_clear_service_checks_permission(cast: dict[str, Any], org_a: Any) -> None:
    from django.core.exceptions import PermissionDenied

    fail(Client(), "viewer@alpha.test", LIMIT)
    target = membership_of(cast["viewer"])
    with pytest.raises(PermissionDenied):
        lockout_clear(
            organization=org_a,
            membership=target,
            actor=cast["staff"],
            actor_access=membership_of(cast["staff"]),
        )
    cleared = lockout_clear(
        organization=org_a,
        membership=target,
        actor=cast["admin"],
        actor_access=membership_of(cast["admin"]),
    )
    assert cleared == 1
    assert not is_locked_out("viewer@alpha.test")
