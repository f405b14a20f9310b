"""One pagination scheme for every list: ?limit=&cursor=, {"items", "next"}, keyset-stable."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.testing import TestClient

from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.api import ProblemNinjaAPI, paginated
from ifm.core.tests.api_helpers import (
    api_client_for,
    assert_problem,
)
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role


def _walk(client: Any, url: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    cursor = None
    sep = "&" if "?" in url else "?"
    while True:
        query = f"{url}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next"}
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return items, pages


@pytest.fixture
def many_members(cast: dict[str, Any], org_a: Any) -> list[Any]:
    users = []
    for i in range(17):
        # Equal names on purpose: the primary key must break ties.
        user = make_user(f"member{i:02d}@alpha.test", full_name="Same Name" if i % 3 else "")
        membership_set(organization=org_a, user=user, role=Role.VIEWER if i % 2 else Role.STAFF)
        users.append(user)
    return users


def test_pages_cover_every_member_once(cast: dict[str, Any], org_a: Any, many_members: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    items, pages = _walk(client, "/api/v1/members", limit=4)
    ids = [m["id"] for m in items]
    assert len(ids) == len(set(ids)) == 6 + 17
    assert pages == 6
    keys = [(m["user"]["full_name"], m["user"]["email"], m["id"]) for m in items]
    assert keys == sorted(keys)
    single, single_pages = _walk(client, "/api/v1/members", limit=200)
    assert single == items
    assert single_pages == 1


def test_default_page_is_fifty(cast: dict[str, Any], org_a: Any) -> None:
    body = api_client_for(cast["admin"], org_a).get("/api/v1/members").json()
    assert len(body["items"]) == 6
    assert body["next"] is None


def test_inserts_during_paging_cause_no_duplicates_or_misses(
    cast: dict[str, Any], org_a: Any, many_members: Any
) -> None:
    client = api_client_for(cast["admin"], org_a)
    first = client.get("/api/v1/members?limit=5").json()
    seen = [m["id"] for m in first["items"]]
    # One row lands before the cursor, one after: neither shifts what comes next.
    early = make_user("aaa@alpha.test", full_name="")
    late = make_user("zzz@alpha.test", full_name="Zed")
    membership_set(organization=org_a, user=early, role=Role.STAFF)
    membership_set(organization=org_a, user=late, role=Role.STAFF)
    rest, _ = _walk(client, f"/api/v1/members?cursor={first['next']}", limit=5)
    seen += [m["id"] for m in rest]
    assert len(seen) == len(set(seen))
    emails = {m["user"]["email"] for m in rest}
    assert "zzz@alpha.test" in emails
    assert "aaa@alpha.test" not in emails
    assert len(seen) == 6 + 17 + 1


def test_filters_combine_with_paging(cast: dict[str, Any], org_a: Any, many_members: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    viewers, _ = _walk(client, "/api/v1/members?role=viewer", limit=3)
    assert {m["role"] for m in viewers} == {"viewer"}
    assert len(viewers) == 8 + 1
    found, _ = _walk(client, "/api/v1/members?q=MEMBER0", limit=3)
    assert sorted(m["user"]["email"] for m in found) == [
        f"member{i:02d}@alpha.test" for i in range(10)
    ]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'["a", "b", "x"]').decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b'["", "", 99999999999999999999999]').decode(),
    ],
)
def test_bad_cursor_is_400(cast: dict[str, Any], org_a: Any, cursor: str) -> None:
    response = api_client_for(cast["admin"], org_a).get(f"/api/v1/members?cursor={cursor}")
    problem = assert_problem(response, 400)
    assert problem["errors"] == [{"field": "cursor", "message": "Invalid cursor."}]


def test_limit_above_maximum_is_422(cast: dict[str, Any], org_a: Any) -> None:
    response = api_client_for(cast["admin"], org_a).get("/api/v1/members?limit=201")
    assert assert_problem(response, 422)["errors"][0]["field"] == "limit"


class _Row(Schema):
    id: int
    created_at: Any


def test_descending_datetime_keys_across_pages(cast: dict[str, Any], org_a: Any) -> None:
    """The helper itself, on a sort key with microseconds and ties, newest first."""
    now = timezone.now().replace(microsecond=123456)
    with_ties = list(Membership.all_orgs.order_by("pk"))
    for i, m in enumerate(with_ties):
        m.created_at = now - timedelta(microseconds=(i // 2))
        m.save(update_fields=["created_at"])

    local = ProblemNinjaAPI(urls_namespace="test-keyset")

    @local.get("/rows", response=list[_Row], auth=None)
    @paginated("-created_at")
    def rows(request: HttpRequest) -> Any:
        return Membership.all_orgs.all()

    client = TestClient(local)
    items, _ = _walk(client, "/rows", limit=2)
    expected = sorted(with_ties, key=lambda m: (m.created_at, m.pk), reverse=True)
    assert [r["id"] for r in items] == [m.pk for m in expected]
