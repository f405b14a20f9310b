"""Every failure of /api/v1 is an RFC 9457 problem document with the right status."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.http import HttpRequest
from ninja.testing import TestClient

from ifm.core.api import ProblemNinjaAPI
from ifm.core.org_context import all_organizations, org_context
from ifm.core.tests.api_helpers import (
    api_client_for,
    assert_problem,
    send_json,
)
from ifm.tenancy.models import Membership


@pytest.fixture
def admin_api(cast: dict[str, Any], org_a: Any) -> Any:
    return api_client_for(cast["admin"], org_a)


def _fresh(m: Membership) -> Membership:
    with all_organizations():
        return Membership.all_orgs.get(pk=m.pk)


def _membership(user: Any, org: Any) -> Membership:
    with org_context(org):
        return Membership.objects.get(user=user)


def test_malformed_json_is_400(admin_api: Any, cast: dict[str, Any], org_a: Any) -> None:
    m = _membership(cast["staff"], org_a)
    response = send_json(admin_api, "PATCH", f"/api/v1/members/{m.pk}", '{"role": "viewer",')
    problem = assert_problem(response, 400)
    assert problem["detail"] == "The request body is not valid JSON."
    assert problem["instance"] == f"/api/v1/members/{m.pk}"


def test_unknown_field_is_422_naming_it(admin_api: Any, cast: dict[str, Any], org_a: Any) -> None:
    m = _membership(cast["staff"], org_a)
    response = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": m.version, "colour": "red"}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"] == [{"field": "colour", "message": "Unknown field: remove it."}]
    assert "colour" in problem["detail"]
    m = _fresh(m)
    assert m.version == 1


def test_invalid_value_is_422_naming_each_field(
    admin_api: Any, cast: dict[str, Any], org_a: Any
) -> None:
    m = _membership(cast["staff"], org_a)
    response = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"role": "emperor", "is_active": "maybe"}
    )
    problem = assert_problem(response, 422)
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"role", "is_active", "version"}


def test_invalid_query_parameter_is_422(admin_api: Any) -> None:
    problem = assert_problem(admin_api.get("/api/v1/members?limit=0"), 422)
    assert [e["field"] for e in problem["errors"]] == ["limit"]


def test_other_organizations_membership_is_404(
    admin_api: Any, cast: dict[str, Any], org_b: Any
) -> None:
    theirs = _membership(cast["other_admin"], org_b)
    assert_problem(admin_api.get(f"/api/v1/members/{theirs.pk}"), 404)
    response = send_json(
        admin_api, "PATCH", f"/api/v1/members/{theirs.pk}", {"version": 1, "role": "viewer"}
    )
    assert_problem(response, 404)
    theirs = _fresh(theirs)
    assert theirs.role == "admin"


def test_unknown_endpoint_is_404_problem(admin_api: Any) -> None:
    problem = assert_problem(admin_api.get("/api/v1/no/such/thing"), 404)
    assert problem["instance"] == "/api/v1/no/such/thing"


def test_missing_token_is_401_with_challenge(cast: dict[str, Any]) -> None:
    from django.test import Client

    response = Client().get("/api/v1/me")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_role_is_403(cast: dict[str, Any], org_a: Any) -> None:
    viewer = api_client_for(cast["viewer"], org_a)
    problem = assert_problem(viewer.get("/api/v1/members"), 403)
    assert "members" in problem["detail"]


def test_stale_version_is_409(admin_api: Any, cast: dict[str, Any], org_a: Any) -> None:
    m = _membership(cast["staff"], org_a)
    first = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": m.version, "role": "viewer"}
    )
    assert first.status_code == 200
    second = send_json(
        admin_api, "PATCH", f"/api/v1/members/{m.pk}", {"version": m.version, "role": "finance"}
    )
    problem = assert_problem(second, 409)
    assert "reload" in problem["detail"]
    m = _fresh(m)
    assert m.role == "viewer"


def test_service_error_is_422_with_its_field(
    admin_api: Any, cast: dict[str, Any], org_a: Any
) -> None:
    me = _membership(cast["admin"], org_a)
    response = send_json(
        admin_api, "PATCH", f"/api/v1/members/{me.pk}", {"version": me.version, "role": "viewer"}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "role"
    assert "at least one active admin" in problem["detail"]


def test_unexpected_error_is_500_without_internals(caplog: pytest.LogCaptureFixture) -> None:
    boom_api = ProblemNinjaAPI(urls_namespace="test-boom")

    @boom_api.get("/boom")
    def boom(request: HttpRequest) -> None:
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR, logger="ifm.api"):
        response = TestClient(boom_api).get("/boom")
    problem = assert_problem(response, 500)
    assert "secret" not in response.content.decode()
    assert problem["title"] == "Internal Server Error"
    assert any("secret internal detail" in (r.exc_text or "") for r in caplog.records)
