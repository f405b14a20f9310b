"""Usage counted from real requests (active users, features, tasks), real users' page loads from
the beacon, and the rollout metrics computed from them, against figures worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.ops import requests as request_counts
from ifm.ops import usage
from ifm.ops.models import PageLoadDay, UsageDay
from ifm.ops.usage_metrics import usage_metrics
from ifm.orgs.modules import organization_modules_set
from ifm.tenancy import modules
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db

DONOR = {"kind": "individual", "first_name": "Ana", "last_name": "Reyes", "country": "US"}


@pytest.fixture(autouse=True)
def _fresh_counts(settings: Any) -> Iterator[None]:
    settings.REQUEST_FLUSH_SECONDS = 3600  # written when the test says so
    request_counts.discard_buffer()
    yield
    request_counts.discard_buffer()


def _view_names(patterns: list[Any], prefix: tuple[str, ...] = ()) -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*prefix, entry.namespace) if entry.namespace else prefix
            yield from _view_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join((*prefix, entry.name))


def test_every_feature_names_real_routes_and_keys_are_unique() -> None:
    names = set(_view_names(get_resolver().url_patterns))
    seen: set[str] = set()
    for module in modules.all_modules():
        assert module.features, f"module {module.key} declares no features"
        for feature in module.features:
            assert feature.key not in seen, feature.key
            seen.add(feature.key)
            for spec in (*feature.routes, *feature.starts):
                method, route = usage._parse(spec)
                assert method in {"*", "GET", "POST", "PUT", "PATCH", "DELETE"}, spec
                assert route in names, f"{module.key}.{feature.key}: no route {route!r}"


def counted() -> dict[tuple[int, str], int]:
    request_counts.flush()
    return {(r.user_id, r.feature): r.count for r in UsageDay.objects.all()}


def test_requests_count_active_users_features_and_tasks(
    cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    admin, fundraiser = cast["admin"], cast["fundraising"]
    page = client_for(admin)
    new = f"/o/{org_a.slug}/donors/new/"
    assert page.get(new).status_code == 200  # opens the task
    assert page.post(new, DONOR).status_code == 302
    assert page.post(new, {}).status_code == 200  # the form again, with its errors: no use
    assert page.get(new).status_code == 200  # opened again, left
    assert client_for(fundraiser).get(f"/o/{org_a.slug}/donors/").status_code == 200
    api = api_client_for(fundraiser, org_a)
    assert (
        send_json(
            api,
            "POST",
            "/api/v1/donors",
            {"kind": "individual", "first_name": "Bo", "last_name": "Lee"},
        ).status_code
        == 201
    )
    assert client_for(cast["other_admin"]).get(f"/o/{org_b.slug}/donors/").status_code == 200
    Client().get("/accounts/login/")  # nobody signed in: nothing to count

    rows = counted()
    assert rows == {
        (admin.pk, "active"): 4,
        (admin.pk, "donor_create:start"): 2,
        (admin.pk, "donor_create"): 1,
        (fundraiser.pk, "active"): 2,
        (fundraiser.pk, "donor_search"): 1,
        (fundraiser.pk, "donor_create"): 1,
        (cast["other_admin"].pk, "active"): 1,
        (cast["other_admin"].pk, "donor_search"): 1,
    }
    assert set(UsageDay.objects.values_list("organization_id", flat=True)) == {org_a.pk, org_b.pk}
    assert set(UsageDay.objects.values_list("day", flat=True)) == {timezone.localdate()}

    # Counted again the next flush: the rows add up, they are not replaced.
    page.get(new)
    assert counted()[(admin.pk, "donor_create:start")] == 3


def beacon(client: Client, body: Any, **headers: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/rum/page-load", data, content_type="text/plain", **headers)


def test_the_beacon_counts_a_page_load_by_its_url_name(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["viewer"])
    for lcp in (400, 900, 1800):
        assert beacon(client, {"path": f"/o/{org_a.slug}/donors/", "lcp": lcp}).status_code == 204
    request_counts.flush()
    row = PageLoadDay.objects.get()
    assert (row.route, row.organization_id, row.count, row.lcp_ms_sum) == (
        "donors:donor_list",
        org_a.pk,
        3,
        3100,
    )
    assert (row.le_500, row.le_1000, row.le_2000) == (1, 1, 1)


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        ({"path": "/o/alpha/donors/", "lcp": 900}, {"HTTP_SEC_FETCH_SITE": "cross-site"}, 403, ""),
        ({"path": "/o/alpha/donors/", "lcp": 900}, {"HTTP_ORIGIN": "https://evil.test"}, 403, ""),
        ("x" * 5000, {}, 413, "at most"),
        ("{not json", {}, 400, "JSON object"),
        ("[1, 2]", {}, 400, "JSON object"),
        ({"path": "donors", "lcp": 900}, {}, 400, "path"),
        ({"path": "/o/alpha/donors/", "lcp": -5}, {}, 400, "between"),
        ({"path": "/o/alpha/donors/", "lcp": 10**9}, {}, 400, "between"),
        ({"path": "/o/alpha/donors/", "lcp": True}, {}, 400, "number"),
        ({"path": "/o/alpha/donors/", "lcp": "fast"}, {}, 400, "number"),
        ('{"path": "/o/alpha/donors/", "lcp": NaN}', {}, 400, "number"),
        ({"path": "/no/such/page/", "lcp": 900}, {}, 400, "not a page"),
        ({"path": "/api/v1/donors", "lcp": 900}, {}, 400, "not a page"),
        ({"path": "/rum/page-load", "lcp": 900}, {}, 400, "not a page"),
    ],
)
def test_a_bad_beacon_is_refused_and_nothing_counted(
    cast: dict[str, Any], org_a: Any, body: Any, headers: dict[str, str], status: int, says: str
) -> None:
    response = beacon(client_for(cast["viewer"]), body, **headers)
    assert response.status_code == status
    assert says in response.json()["detail"]
    request_counts.flush()
    assert not PageLoadDay.objects.exists()


def test_the_beacon_needs_a_signed_in_post(org_a: Any) -> None:
    assert beacon(Client(), {"path": "/o/alpha/donors/", "lcp": 900}).status_code == 401
    assert Client().get("/rum/page-load").status_code == 405
    request_counts.flush()
    assert not PageLoadDay.objects.exists()


def test_a_page_of_another_organization_counts_for_no_organization(
    cast: dict[str, Any], org_b: Any
) -> None:
    beacon(client_for(cast["viewer"]), {"path": f"/o/{org_b.slug}/donors/", "lcp": 700})
    request_counts.flush()
    assert PageLoadDay.objects.get().organization_id == 0


def test_signed_in_pages_carry_the_beacon_script(cast: dict[str, Any], org_a: Any) -> None:
    html = client_for(cast["viewer"]).get(f"/o/{org_a.slug}/donors/").content.decode()
    assert 'data-rum="/rum/page-load"' in html
    assert "/static/ifm/app.js" in html  # which sends it
    assert "data-rum" not in Client().get("/accounts/login/").content.decode()


def test_the_metrics_match_the_counted_traffic(
    cast: dict[str, Any], org_a: Any, org_b: Any, settings: Any
) -> None:
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_org_failing"
    organization_modules_set(organization=org_a, module_keys=["ledger", "donors"])
    org_a.refresh_from_db()
    admin, fundraiser = cast["admin"], cast["fundraising"]
    page = client_for(admin)
    new = f"/o/{org_a.slug}/donors/new/"
    page.get(new)
    page.post(new, DONOR)
    page.post(new, {})
    page.get(new)
    client_for(fundraiser).get(f"/o/{org_a.slug}/donors/")
    api = api_client_for(fundraiser, org_a)
    send_json(
        api,
        "POST",
        "/api/v1/donors",
        {"kind": "individual", "first_name": "Bo", "last_name": "Lee"},
    )
    failing = client_for(admin)
    failing.raise_request_exception = False
    assert failing.get(f"/o/{org_a.slug}/test-failure/").status_code == 500
    for lcp in (400, 900, 1800):
        beacon(client_for(cast["viewer"]), {"path": f"/o/{org_a.slug}/donors/", "lcp": lcp})
    request_counts.flush()

    today = timezone.localdate()
    data = usage_metrics(organization_ids=[org_a.pk], start=today, end=today)
    (a,) = data["organizations"]
    with all_organizations():
        members = Membership.all_orgs.filter(organization=org_a, is_active=True).count()
    assert a["active_members"] == members
    # Two people used the platform today: the admin and the fundraiser.
    assert a["daily_active"] == {"value": round(2 / members, 4), "part": 2.0, "whole": members}
    assert a["monthly_active"]["part"] == 2
    # Ledger and donors are enabled: 6 + 7 features; donor_create and donor_search were used.
    enabled = [f.key for key in ("ledger", "donors") for f in modules.get_module(key).features]
    assert a["feature_usage"] == {"value": round(2 / 13, 4), "part": 2.0, "whole": 13.0}
    assert len(enabled) == 13
    assert sorted(a["features_used"]) == ["donor_create", "donor_search"]
    # The form was opened twice and saved once; the API's gift had no page to open.
    assert a["tasks"] == {"donor_create": {"value": 0.5, "part": 1.0, "whole": 2.0}}
    assert a["task_completion"]["value"] == 0.5
    # Seven requests in the organization (four pages, a list, the API and the failure): one 5xx.
    assert a["error_rate"] == {"value": round(1 / 7, 4), "part": 1.0, "whole": 7.0}
    assert a["api_p95_ms"] is not None
    assert a["api_p95_ms"] > 0
    # LCPs of 400, 900 and 1800 ms: the p75 (rank 2.25) falls in the 1500 to 2000 ms bucket, a
    # quarter of the way in: 1625 ms.
    assert a["page_load_p75_ms"] == 1625.0
    assert data["pages"] == [{"page": "donors:donor_list", "lcp_p75_ms": 1625.0, "loads": 3}]
    assert data["overall"]["error_rate"]["value"] == round(1 / 7, 4)
    assert data["daily"] == [{"day": today.isoformat(), "active_users": 2}]

    # Organization B did nothing: its figures are no data or zero, never another's.
    (b,) = usage_metrics(organization_ids=[org_b.pk], start=today, end=today)["organizations"]
    assert b["daily_active"]["part"] == 0
    assert b["error_rate"]["value"] is None
    assert b["task_completion"]["value"] is None
    assert b["page_load_p75_ms"] is None


def test_a_window_is_checked() -> None:
    today = timezone.localdate()
    with pytest.raises(ValueError, match="after its end"):
        usage_metrics(start=today, end=today - timedelta(days=1))
    with pytest.raises(ValueError, match="at most"):
        usage_metrics(start=today - timedelta(days=900), end=today)


def test_usage_older_than_two_years_is_purged(org_a: Any) -> None:
    today = timezone.localdate()
    old = today - timedelta(days=usage.KEEP_DAYS + 1)
    for day in (old, today):
        UsageDay.objects.create(
            day=day, organization_id=org_a.pk, user_id=1, feature="active", count=1
        )
        PageLoadDay.objects.create(day=day, organization_id=org_a.pk, route="donors:donor_list")
    assert usage.purge_old(today=today) == 2
    assert list(UsageDay.objects.values_list("day", flat=True)) == [today]
    assert list(PageLoadDay.objects.values_list("day", flat=True)) == [today]
