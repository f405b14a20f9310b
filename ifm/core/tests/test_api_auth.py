"""Who may call /api/v1: bearer tokens (one user in one organization) and browser sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from ifm.accounts.models import ApiToken
from ifm.conftest import client_for
from ifm.core.org_context import all_organizations, org_context
from ifm.core.tests.api_helpers import (
    assert_problem,
    make_api_token,
    send_json,
    token_client,
)
from ifm.tenancy.models import Membership
from ifm.tenancy.permissions import perms_for_role


def _fresh(m: Membership) -> Membership:
    with all_organizations():
        return Membership.all_orgs.get(pk=m.pk)


def _token_row(token: str) -> ApiToken:
    with all_organizations():
        return ApiToken.objects.get(prefix=token[:12])


def test_me_with_a_token(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["finance"], org_a)
    response = token_client(token).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "id": cast["finance"].pk,
        "email": "finance@alpha.test",
        "full_name": "Alpha Finance",
    }
    assert body["organization"] == {"id": org_a.pk, "slug": "alpha", "name": "Alpha Outreach"}
    assert body["role"] == "finance"
    assert body["permissions"] == sorted(perms_for_role("finance"))


def test_token_use_is_recorded_at_most_once_a_minute(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["staff"], org_a)
    client = token_client(token)
    assert client.get("/api/v1/me").status_code == 200
    first = _token_row(token).last_used_at
    assert first is not None
    assert client.get("/api/v1/me").status_code == 200
    assert _token_row(token).last_used_at == first
    with all_organizations():
        ApiToken.objects.filter(prefix=token[:12]).update(
            last_used_at=timezone.now() - timedelta(minutes=5)
        )
    assert client.get("/api/v1/me").status_code == 200
    assert _token_row(token).last_used_at > first  # type: ignore[operator]


def _assert_rejected(response: Any) -> None:
    problem = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="ifm", error="invalid_token"'
    assert problem["detail"].startswith("The API token is missing, invalid or revoked.")


def test_unknown_token_is_401(cast: dict[str, Any]) -> None:
    _assert_rejected(token_client("ifm_not-a-real-token").get("/api/v1/me"))


def test_revoked_token_is_401(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["admin"], org_a, revoked=True)
    _assert_rejected(token_client(token).get("/api/v1/me"))


def test_token_of_inactive_user_is_401(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["staff"], org_a)
    cast["staff"].is_active = False
    cast["staff"].save(update_fields=["is_active"])
    _assert_rejected(token_client(token).get("/api/v1/me"))


def test_token_of_former_member_is_401(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["staff"], org_a)
    with org_context(org_a):
        Membership.objects.filter(user=cast["staff"]).update(is_active=False)
    _assert_rejected(token_client(token).get("/api/v1/me"))


def test_token_is_bound_to_its_organization(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["admin"], org_a)
    # The organization header only matters for sessions; a token always means its own.
    response = token_client(token).get("/api/v1/me", headers={"X-IFM-Organization": "beta"})
    assert response.json()["organization"]["slug"] == "alpha"


def test_token_writes_need_no_csrf(cast: dict[str, Any], org_a: Any) -> None:
    token = make_api_token(cast["admin"], org_a)
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    with org_context(org_a):
        m = Membership.objects.get(user=cast["staff"])
    response = send_json(
        client, "PATCH", f"/api/v1/members/{m.pk}", {"version": 1, "role": "viewer"}
    )
    assert response.status_code == 200


def test_session_with_organization_header(cast: dict[str, Any]) -> None:
    response = client_for(cast["viewer"]).get("/api/v1/me", headers={"X-IFM-Organization": "alpha"})
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_session_falls_back_to_last_opened_organization(cast: dict[str, Any]) -> None:
    client = client_for(cast["other_admin"])
    assert client.get("/o/beta/").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["organization"]["slug"] == "beta"


def test_session_without_organization_is_400(cast: dict[str, Any]) -> None:
    problem = assert_problem(client_for(cast["admin"]).get("/api/v1/me"), 400)
    assert problem["errors"][0]["field"] == "X-IFM-Organization"


def test_session_for_another_organization_is_404(cast: dict[str, Any]) -> None:
    response = client_for(cast["admin"]).get("/api/v1/me", headers={"X-IFM-Organization": "beta"})
    assert_problem(response, 404)


def test_session_write_needs_csrf_token(cast: dict[str, Any], org_a: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["admin"], backend="django.contrib.auth.backends.ModelBackend")
    with org_context(org_a):
        m = Membership.objects.get(user=cast["staff"])
    headers = {"X-IFM-Organization": "alpha"}
    refused = send_json(
        client,
        "PATCH",
        f"/api/v1/members/{m.pk}",
        {"version": 1, "role": "viewer"},
        headers=headers,
    )
    problem = assert_problem(refused, 403)
    assert "CSRF" in problem["detail"]
    m = _fresh(m)
    assert m.role == "staff"

    client.get("/o/alpha/")  # any page sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = send_json(
        client,
        "PATCH",
        f"/api/v1/members/{m.pk}",
        {"version": 1, "role": "viewer"},
        headers={**headers, "X-CSRFToken": csrf},
    )
    assert accepted.status_code == 200, accepted.content
    m = _fresh(m)
    assert m.role == "viewer"


def test_signed_out_session_is_401(cast: dict[str, Any]) -> None:
    response = Client(enforce_csrf_checks=True).post("/api/v1/members/invitations")
    assert_problem(response, 401)


def test_a_token_used_before_stops_at_once_when_revoked_or_its_access_ends(
    cast: dict[str, Any], org_a: Any
) -> None:
    # The process remembers which organization a token belongs to after its first use; every
    # check still runs on each request, so a change takes effect on the very next one.
    revoked, left, off = (make_api_token(cast[r], org_a) for r in ("admin", "staff", "viewer"))
    for token in (revoked, left, off):
        assert token_client(token).get("/api/v1/me").status_code == 200
    with all_organizations():
        ApiToken.objects.filter(prefix=revoked[:12]).update(revoked_at=timezone.now())
    _assert_rejected(token_client(revoked).get("/api/v1/me"))
    with org_context(org_a):
        Membership.objects.filter(user=cast["staff"]).update(is_active=False)
    _assert_rejected(token_client(left).get("/api/v1/me"))
    cast["viewer"].is_active = False
    cast["viewer"].save(update_fields=["is_active"])
    _assert_rejected(token_client(off).get("/api/v1/me"))


def test_a_token_used_before_follows_a_role_change_and_a_closed_organization(
    cast: dict[str, Any], org_a: Any
) -> None:
    token = make_api_token(cast["staff"], org_a)
    assert token_client(token).get("/api/v1/me").json()["role"] == "staff"
    with org_context(org_a):
        Membership.objects.filter(user=cast["staff"]).update(role="viewer")
    assert token_client(token).get("/api/v1/me").json()["role"] == "viewer"
    org_a.is_active = False
    org_a.save(update_fields=["is_active"])
    _assert_rejected(token_client(token).get("/api/v1/me"))
