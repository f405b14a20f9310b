"""Maintenance mode: while it is on everyone gets 503 with Retry-After (a page, or a problem
document from the API) except platform staff, health checks, metrics, static files and the
sign-in pages; a planned window is announced by a banner; the page, the API and
`ifm maintenance` change the same row, which other processes see within a second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from ifm.accounts.services import membership_set
from ifm.audit.models import AuditEvent
from ifm.conftest import client_for, make_user
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ops.maintenance import services, state
from ifm.ops.models import MaintenanceMode
from ifm.tenancy.roles import Role


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    state.forget()
    yield
    state.forget()


@pytest.fixture
def staff(org_a: Any) -> Any:
    user = make_user("support@ifm.test", is_platform_staff=True)
    membership_set(organization=org_a, user=user, role=Role.ADMIN)
    return user


def _on(**kwargs: Any) -> None:
    call_command("maintenance", "on", stdout=_Null(), **kwargs)


class _Null:
    def write(self, text: str) -> None:
        pass


def test_everyone_gets_a_503_page_with_retry_after(cast: Any) -> None:
    admin = client_for(cast["admin"])
    assert admin.get("/o/alpha/").status_code == 200
    _on(retry_after=120, message="Moving to a bigger server.")
    for client, path in [
        (admin, "/o/alpha/"),
        (admin, "/o/alpha/donors/"),
        (Client(), "/"),
        (Client(), "/o/alpha/"),
    ]:
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "120"
        assert response["Cache-Control"] == "no-store"
        page = response.content.decode()
        assert "Down for maintenance" in page
        assert "Moving to a bigger server." in page
    # Writes too: nothing reaches a view.
    assert admin.post("/o/alpha/donors/new/", {"first_name": "X"}).status_code == 503


def test_the_api_answers_a_problem_document(cast: Any, org_a: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    assert client.get("/api/v1/me").status_code == 200
    _on(retry_after=90)
    response = client.get("/api/v1/me")
    body = assert_problem(response, 503)
    assert body["type"].endswith("/maintenance")
    assert response["Retry-After"] == "90"
    assert "90 seconds" in body["detail"]


def test_health_metrics_static_and_sign_in_stay_up(db: Any) -> None:
    _on()
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code != 503
    assert client.get("/static/ifm/favicon.svg").status_code == 200
    sign_in = client.get("/accounts/login/")
    assert sign_in.status_code == 200
    assert "Only IFM platform staff can sign in now" in sign_in.content.decode()


def test_platform_staff_get_through_with_a_banner(staff: Any, org_a: Any) -> None:
    _on()
    response = client_for(staff).get("/o/alpha/")
    assert response.status_code == 200
    assert "Maintenance mode is on." in response.content.decode()
    # And by API token.
    assert api_client_for(staff, org_a).get("/api/v1/me").status_code == 200


def test_a_revoked_token_of_platform_staff_does_not_get_through(staff: Any, org_a: Any) -> None:
    from ifm.core.tests.api_helpers import make_api_token, token_client

    token = make_api_token(staff, org_a, revoked=True)
    _on()
    assert token_client(token).get("/api/v1/me").status_code == 503


def test_the_banner_announces_a_planned_window(cast: Any) -> None:
    admin = client_for(cast["admin"])
    starts = timezone.now() + timedelta(hours=30)
    call_command(
        "maintenance",
        "schedule",
        start=starts,
        end=starts + timedelta(hours=2),
        announce_hours=24,
        stdout=_Null(),
    )
    assert "Planned maintenance" not in admin.get("/o/alpha/").content.decode()
    MaintenanceMode.objects.update(window_starts_at=timezone.now() + timedelta(hours=20))
    state.forget()
    page = admin.get("/o/alpha/").content.decode()
    assert "Planned maintenance" in page
    # Signed-out visitors see it too, on the sign-in page.
    assert "Planned maintenance" in Client().get("/accounts/login/").content.decode()
    call_command("maintenance", "unschedule", stdout=_Null())
    assert "Planned maintenance" not in admin.get("/o/alpha/").content.decode()


def test_another_process_change_is_seen_within_the_cache_time(cast: Any) -> None:
    """Another process changes the row; this one sees it within CACHE_SECONDS, and reads the
    row at most once per CACHE_SECONDS (not once per request)."""
    admin = client_for(cast["admin"])
    assert admin.get("/o/alpha/").status_code == 200
    assert state.current().is_on is False
    MaintenanceMode.objects.update_or_create(pk=1, defaults={"is_on": True})
    assert state.current().is_on is False  # the cached "off", read a moment ago
    time.sleep(state.CACHE_SECONDS + 0.05)
    assert admin.get("/o/alpha/").status_code == 503
    MaintenanceMode.objects.filter(pk=1).update(is_on=False)
    time.sleep(state.CACHE_SECONDS + 0.05)
    assert admin.get("/o/alpha/").status_code == 200


def test_the_platform_page_turns_it_on_and_off(staff: Any, cast: Any) -> None:
    client = client_for(staff)
    page = client.get("/platform/maintenance/")
    assert page.status_code == 200
    response = client.post(
        "/platform/maintenance/on", {"message": "Back at noon.", "retry_after_seconds": "600"}
    )
    assert response.status_code == 302
    assert state.read().is_on
    blocked = client_for(cast["admin"]).get("/o/alpha/")
    assert blocked.status_code == 503
    assert blocked["Retry-After"] == "600"
    assert "Back at noon." in blocked.content.decode()
    client.post("/platform/maintenance/off")
    assert not state.read().is_on
    assert client_for(cast["admin"]).get("/o/alpha/").status_code == 200
    with all_organizations():
        actions = list(
            AuditEvent.objects.filter(action__startswith="maintenance.")
            .order_by("pk")
            .values_list("action", "actor")
        )
    assert actions == [("maintenance.on", staff.pk), ("maintenance.off", staff.pk)]


def test_the_platform_page_shows_errors_beside_the_fields(staff: Any) -> None:
    client = client_for(staff)
    response = client.post("/platform/maintenance/on", {"retry_after_seconds": "0"})
    assert response.status_code == 422
    assert not state.read().is_on
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/platform/maintenance/window", {"starts_at": past, "announce_hours": "24"}
    )
    assert response.status_code == 422
    assert "already over" in response.content.decode()


def test_only_platform_staff_reach_the_page_and_the_api(cast: Any, org_a: Any) -> None:
    assert client_for(cast["admin"]).get("/platform/maintenance/").status_code == 404
    assert client_for(cast["admin"]).post("/platform/maintenance/on").status_code == 404
    client = api_client_for(cast["admin"], org_a)
    assert_problem(client.get("/api/v1/platform/maintenance"), 403)
    assert_problem(send_json(client, "PUT", "/api/v1/platform/maintenance", {"on": True}), 403)
    assert not state.read().is_on


def test_the_api_twin(staff: Any, org_a: Any, cast: Any) -> None:
    client = api_client_for(staff, org_a)
    response = send_json(
        client,
        "PUT",
        "/api/v1/platform/maintenance",
        {"on": True, "message": "Upgrading.", "retry_after_seconds": 60},
    )
    assert response.status_code == 200, response.content
    assert response.json()["on"] is True
    assert client.get("/api/v1/platform/maintenance").json()["message"] == "Upgrading."
    assert client_for(cast["admin"]).get("/o/alpha/").status_code == 503
    starts = timezone.now() + timedelta(hours=2)
    response = send_json(
        client,
        "PUT",
        "/api/v1/platform/maintenance/window",
        {"starts_at": starts.isoformat(), "announce_hours": 4},
    )
    assert response.json()["announced"] is True
    bad = send_json(
        client,
        "PUT",
        "/api/v1/platform/maintenance/window",
        {"starts_at": starts.isoformat(), "ends_at": starts.isoformat()},
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "ends_at"
    assert client.delete("/api/v1/platform/maintenance/window").json()["announced"] is False
    response = send_json(client, "PUT", "/api/v1/platform/maintenance", {"on": False})
    assert response.json()["on"] is False
    assert client_for(cast["admin"]).get("/o/alpha/").status_code == 200


def test_the_command_refuses_bad_input(db: Any) -> None:
    with pytest.raises(CommandError, match="Retry-After"):
        _on(retry_after=0)
    with pytest.raises(CommandError, match="needs --start"):
        call_command("maintenance", "schedule", stdout=_Null())
    assert not state.read().is_on


def test_the_retry_after_counts_down_to_the_planned_end(db: Any) -> None:
    services.maintenance_turn_on(actor=None, retry_after_seconds=30)
    now = timezone.now()
    MaintenanceMode.objects.update(
        window_starts_at=now - timedelta(minutes=5), window_ends_at=now + timedelta(minutes=20)
    )
    assert 1190 <= state.read().retry_after() <= 1200
