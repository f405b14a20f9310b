"""The usage pages and their API twin: who may see them, what they show, bad windows refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from ifm.accounts.services import membership_set
from ifm.conftest import client_for, make_user
from ifm.core.tests.api_helpers import api_client_for
from ifm.ops import requests as request_counts
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts(settings: Any) -> Iterator[None]:
    settings.REQUEST_FLUSH_SECONDS = 3600
    request_counts.discard_buffer()
    yield
    request_counts.discard_buffer()


@pytest.fixture
def staff(org_a: Any) -> Any:
    user = make_user("support@ifm.test", is_platform_staff=True)
    membership_set(organization=org_a, user=user, role=Role.ADMIN)
    return user


def _some_usage(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["fundraising"])
    assert client.get(f"/o/{org_a.slug}/donors/").status_code == 200
    request_counts.flush()


def test_platform_staff_see_every_organization(
    staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    _some_usage(cast, org_a)
    response = client_for(staff).get("/platform/usage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha Outreach" in html
    assert "Beta Shelter" in html
    assert "Active users per day" in html  # the chart, with its table
    assert "<svg" in html


def test_the_platform_page_is_a_404_for_others(cast: dict[str, Any]) -> None:
    assert client_for(cast["admin"]).get("/platform/usage/").status_code == 404


def test_a_reversed_window_is_explained(staff: Any) -> None:
    response = client_for(staff).get("/platform/usage/?start=2026-03-01&end=2026-02-01")
    assert response.status_code == 400
    assert "start is after its end" in response.content.decode()
    assert client_for(staff).get("/platform/usage/?start=yesterday").status_code == 400


def test_the_api_gives_the_same_figures(staff: Any, cast: dict[str, Any], org_a: Any) -> None:
    _some_usage(cast, org_a)
    api = api_client_for(staff, org_a)
    today = timezone.localdate().isoformat()
    body = api.get(f"/api/v1/platform/usage?org={org_a.slug}&from={today}&to={today}").json()
    (row,) = body["organizations"]
    assert row["organization"] == org_a.slug
    assert row["daily_active"]["part"] == 1
    # Over the last 30 days by default, one person on one day is a small average.
    days = api.get(f"/api/v1/platform/usage?org={org_a.slug}").json()["weekdays"]
    assert days >= 20
    assert row["features_used"] == ["donor_search"]
    assert api.get("/api/v1/platform/usage?org=nope").status_code == 404
    refused = api.get("/api/v1/platform/usage?from=2026-03-01&to=2026-02-01")
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert api.get("/api/v1/platform/usage?from=soon").status_code == 422


def test_the_api_is_for_platform_staff_only(cast: dict[str, Any], org_a: Any) -> None:
    response = api_client_for(cast["admin"], org_a).get("/api/v1/platform/usage")
    assert response.status_code == 403


def test_an_organizations_admin_sees_its_own_usage(
    cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    _some_usage(cast, org_a)
    admin = client_for(cast["admin"])
    response = admin.get(f"/o/{org_a.slug}/usage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Search donors" in html  # used, by its label
    assert "Record a donation" in html  # not used yet
    assert client_for(cast["viewer"]).get(f"/o/{org_a.slug}/usage/").status_code == 403
    assert admin.get(f"/o/{org_b.slug}/usage/").status_code == 404
