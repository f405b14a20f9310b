from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from ifm.accounts.middleware import IDLE_MESSAGE, LAST_SEEN_KEY
from ifm.accounts.tests.auth_helpers import one_event, sign_in

pytestmark = pytest.mark.django_db


def set_last_seen(client: Client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_sign_in_starts_the_idle_clock(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_active_session_stays_signed_in(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    set_last_seen(client, settings.SESSION_IDLE_TIMEOUT - 60)
    dashboard = reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})
    assert client.get(dashboard).status_code == 200
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_idle_session_is_signed_out_with_a_message(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    set_last_seen(client, settings.SESSION_IDLE_TIMEOUT + 5)
    dashboard = reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})
    response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    html = page.content.decode()
    assert IDLE_MESSAGE in html
    assert 'name="login"' in html
    event = one_event(action="auth.sign_out")
    assert event.actor == cast["staff"]
    assert event.changes == {"reason": "idle_timeout"}
    # Signing in again works and restarts the clock.
    assert sign_in(client, "staff@alpha.test").status_code == 302
    assert client.get(dashboard).status_code == 200
