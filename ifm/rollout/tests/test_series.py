"""The rollout metrics day by day (ifm.ops.usage_series through ifm.rollout.metrics) and their
charts, against figures worked out by hand from requests made through the test client and
counts written for earlier days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.ops import requests as request_counts
from ifm.ops.models import PageLoadDay, RequestMinute
from ifm.rollout import services
from ifm.rollout.metrics import rollout_metrics_for
from ifm.rollout.models import Phase
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts(settings: Any) -> Iterator[None]:
    settings.REQUEST_FLUSH_SECONDS = 3600  # written when the test says so
    request_counts.discard_buffer()
    yield
    request_counts.discard_buffer()


def _api_minute(org: Any, day: Any, status_class: str, count: int) -> RequestMinute:
    return RequestMinute.objects.create(
        minute=timezone.make_aware(datetime.combine(day, time(10, 0))),
        route="api:donor_list",
        method="GET",
        status_class=status_class,
        organization_id=org.pk,
        count=count,
        duration_ms_sum=80.0 * count,
        le_100=count,
    )


@pytest.fixture
def counted(staff: Any, cast: dict[str, Any], org_a: Any, org_b: Any, pilot: Phase) -> Any:
    """Today through the test client: two people open the donors' list. Yesterday, written by
    hand: four API requests between 50 and 100 ms, one a 5xx, and four page loads between 750
    and 1000 ms. Two tickets opened today; organization B's requests count for B alone."""
    from ifm.support.tests.factories import ticket

    services.organization_move(organization=org_a, phase=pilot, actor=staff)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    for person in ("admin", "fundraising"):
        assert client_for(cast[person]).get(f"/o/{org_a.slug}/donors/").status_code == 200
    request_counts.flush()
    _api_minute(org_a, yesterday, "2xx", 3)
    _api_minute(org_a, yesterday, "5xx", 1)
    _api_minute(org_b, yesterday, "5xx", 7)
    PageLoadDay.objects.create(
        day=yesterday, organization_id=org_a.pk, route="donors:donor_list", count=4, le_1000=4
    )
    ticket(org_a)
    ticket(org_a)
    return today


def test_each_day_of_the_window(counted: Any, org_a: Any) -> None:
    today = counted
    yesterday, old = today - timedelta(days=1), today - timedelta(days=40)
    data = rollout_metrics_for(organization=org_a, start=old, end=today, daily=True)
    days = {d["day"]: d for d in data["daily"]}
    assert len(days) == 41
    with all_organizations():
        members = Membership.all_orgs.filter(organization=org_a, is_active=True).count()

    now = days[today.isoformat()]
    assert now["active_users"] == 2
    assert now["adoption"] == round(2 / members, 4)
    assert (now["requests"], now["errors_5xx"], now["error_rate"]) == (2, 0, 0.0)
    # No API request and no page load measured today: no data, never zero.
    assert now["api_p95_ms"] is None
    assert now["page_load_p75_ms"] is None
    assert now["tickets"] == 2

    before = days[yesterday.isoformat()]
    assert before["active_users"] == 0
    assert before["adoption"] == 0.0
    assert (before["requests"], before["errors_5xx"], before["error_rate"]) == (4, 1, 0.25)
    # Four requests in the 50 to 100 ms bucket: the p95 (rank 3.8) is 50 + 50 * 3.8 / 4.
    assert before["api_p95_ms"] == 97.5
    # Four loads in the 750 to 1000 ms bucket: the p75 (rank 3) is 750 + 250 * 3 / 4.
    assert before["page_load_p75_ms"] == 937.5
    assert before["tickets"] == 0

    # Request counts are kept 35 days: an older day has no data, not zero requests.
    oldest = days[old.isoformat()]
    assert (oldest["requests"], oldest["error_rate"], oldest["api_p95_ms"]) == (None, None, None)
    assert oldest["active_users"] == 0


def test_the_charts_draw_the_days_with_a_gap_for_no_data(
    counted: Any, staff: Any, org_a: Any
) -> None:
    response = client_for(staff).get(f"/platform/rollout/o/{org_a.slug}/")
    assert response.status_code == 200
    charts = {c.key: c for c in response.context["metrics"]["charts"]}
    assert set(charts) == {
        "org-active",
        "org-adoption",
        "org-requests",
        "org-errors",
        "org-api",
        "org-lcp",
        "org-tickets",
    }
    errors = charts["org-errors"]
    # The error rate in percent beside the pilot's target (below 1%), on each of the 30 days.
    assert [s.name for s in errors.series] == ["Error rate %", "Target < 1%"]
    rates = errors.series[0].values
    assert len(rates) == 30
    assert rates[-2:] == [25, 0]
    assert charts["org-api"].series[0].values[-2:] == [97.5, None]
    html = response.content.decode()
    assert 'id="chart-org-api-table"' in html
    assert "no data" in html  # today's API p95 in the chart's table
    assert "<script" not in html.split('id="ro-time"')[1].split("</section>")[0]
