from __future__ import annotations

from typing import Any

from django.test import Client

from ifm.audit.models import AuditEvent
from ifm.conftest import PASSWORD, client_for
from ifm.core.org_context import all_organizations


def test_profile_shows_organizations_roles_and_sign_ins(cast: dict[str, Any]) -> None:
    client = Client()
    client.post(
        "/accounts/login/", {"login": cast["finance"].email, "password": "wrong-password-1"}
    )
    assert (
        client.post(
            "/accounts/login/", {"login": cast["finance"].email, "password": PASSWORD}
        ).status_code
        == 302
    )
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha Outreach" in html
    assert "Finance" in html
    assert "Signed in" in html
    assert "Failed attempt" in html
    assert "Beta Shelter" not in html


def test_profile_saves_the_name_and_audits_it(cast: dict[str, Any]) -> None:
    client = client_for(cast["staff"])
    response = client.post("/accounts/profile/", {"full_name": "  Ada   Lovelace "})
    assert response.status_code == 302
    cast["staff"].refresh_from_db()
    assert cast["staff"].full_name == "Ada Lovelace"
    with all_organizations():
        event = AuditEvent.objects.filter(action="user.update", actor=cast["staff"]).get()
    assert event.changes == {"full_name": {"before": "Alpha Staff", "after": "Ada Lovelace"}}


def test_profile_refuses_a_too_long_name_and_keeps_the_old_one(cast: dict[str, Any]) -> None:
    response = client_for(cast["staff"]).post("/accounts/profile/", {"full_name": "x" * 201})
    assert response.status_code == 422
    cast["staff"].refresh_from_db()
    assert cast["staff"].full_name == "Alpha Staff"


def test_profile_needs_sign_in(client: Client, db: Any) -> None:
    assert client.get("/accounts/profile/").status_code == 302
