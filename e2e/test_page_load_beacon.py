"""Real users' page loads: Chromium measures a signed-in page's Largest Contentful Paint, the
page's own script sends it when the page is left, and the platform counts it for that page and
organization (docs/usage-metrics.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.ops import requests as request_counts
from ifm.ops.models import PageLoadDay
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _counted(route: str, page: Any) -> bool:
    for _ in range(50):
        request_counts.flush()
        if PageLoadDay.objects.filter(route=route).exists():
            return True
        page.wait_for_timeout(100)
    return False


def test_leaving_a_page_sends_its_lcp_and_it_is_counted(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, beacons=True)
    try:
        _walk(context.new_page())
    finally:
        context.close()


def _walk(page: Any) -> None:
    alpha = organization_create(slug="alpha", name="Alpha Outreach")
    membership_set(
        organization=alpha, user=make_user("dana@alpha.test", full_name="Dana"), role=Role.FINANCE
    )
    sign_in(page, "dana@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.goto("/o/alpha/donors/")
    expect(page.get_by_role("heading", name="Donors")).to_be_visible()
    lcp = page.evaluate(
        """() => new Promise((done) => new PerformanceObserver((list) => {
            const all = list.getEntries(); done(all[all.length - 1].startTime);
        }).observe({type: "largest-contentful-paint", buffered: true}))"""
    )
    assert lcp > 0  # the browser measured it
    page.goto("/o/alpha/ledger/")  # leaving the donor list sends its page load
    expect(page).to_have_url(re.compile(r"/o/alpha/ledger/$"))
    assert _counted("donors:donor_list", page)
    request_counts.flush()
    row = PageLoadDay.objects.get(route="donors:donor_list")
    assert row.organization_id == alpha.pk
    assert row.count == 1
    assert abs(row.lcp_ms_sum - lcp) <= 1  # what the browser measured, rounded to the ms
    # Leave the last page too, so its beacon is served before the test's database is emptied.
    page.goto("about:blank")
    assert _counted("ledger:ledger_home", page)
