"""Requests counted once (Prometheus and the per-minute table), /metrics behind its token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from ifm.conftest import client_for, make_user
from ifm.ops import requests as request_counts
from ifm.ops import selectors
from ifm.ops.models import RequestMinute
from ifm.ops.tests import tasks

TOKEN = "scrape-token-for-tests"


@pytest.fixture(autouse=True)
def _fresh_counts(settings: Any) -> Iterator[None]:
    settings.METRICS_TOKEN = TOKEN
    settings.REQUEST_FLUSH_SECONDS = 0  # every request writes: the tests read the table at once
    request_counts.discard_buffer()
    yield
    request_counts.discard_buffer()


def scrape(client: Client) -> dict[str, Any]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples: dict[str, Any] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict[str, Any], name: str, **labels: str) -> float:
    return sum(
        s.value
        for s in samples.get(name, [])
        if all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_metrics_is_a_404_without_a_token_setting(db: Any, client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_needs_the_bearer_token(db: Any, client: Client) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 401
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_requests_are_counted_by_route_and_status_class(db: Any, client: Client) -> None:
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/at/all").status_code == 404
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("ifm_http_requests_total", route="healthz", method="GET", status="2xx") == 3
    assert delta("ifm_http_requests_total", route="unmatched", status="4xx") == 1
    assert delta("ifm_http_request_duration_seconds_count", route="healthz", status="2xx") == 3
    assert delta("ifm_http_request_duration_seconds_bucket", route="healthz", le="+Inf") == 3
    # The previous scrape counts too: a scrape is a request like any other.
    assert delta("ifm_http_requests_total", route="metrics", status="2xx") == 1


def test_request_minutes_keep_route_org_and_latency(
    db: Any, cast: dict[str, Any], org_a: Any
) -> None:
    admin = client_for(cast["admin"])
    page = reverse("ops:org_jobs", kwargs={"org_slug": org_a.slug})
    assert admin.get(page).status_code == 200
    assert admin.get(page).status_code == 200
    row = RequestMinute.objects.get(route="ops:org_jobs")
    assert (row.method, row.status_class, row.organization_id, row.count) == (
        "GET",
        "2xx",
        org_a.pk,
        2,
    )
    assert row.duration_ms_sum > 0
    assert (
        sum(
            getattr(row, f)
            for f in (
                "le_25",
                "le_50",
                "le_100",
                "le_250",
                "le_500",
                "le_1000",
                "le_2500",
                "le_5000",
                "le_inf",
            )
        )
        == 2
    )
    stats = selectors.request_stats(minutes=5, organization_id=org_a.pk)
    assert (stats.count, stats.errors) == (2, 0)
    assert stats.p95_ms > 0
    by_route = dict(selectors.request_stats_by("route"))
    assert by_route["ops:org_jobs"].count == 2


def test_health_checks_and_5xx_answers_do_not_write(db: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_slow"
    client = Client(raise_request_exception=False)
    client.get("/healthz")
    client.get("/test-failure/")
    assert not RequestMinute.objects.exists()
    client.get("/accounts/login/")  # the next ordinary answer writes them all
    assert set(RequestMinute.objects.values_list("route", flat=True)) == {
        "healthz",
        "test_failure",
        "account_login",
    }


def test_buffered_counts_are_written_together(db: Any, client: Client, settings: Any) -> None:
    settings.REQUEST_FLUSH_SECONDS = 3600
    request_counts.flush()
    for _ in range(5):
        client.get("/healthz")
    assert not RequestMinute.objects.filter(route="healthz").exists()
    assert request_counts.flush() == 1  # one row: same minute, route, method, status
    assert RequestMinute.objects.get(route="healthz").count == 5
    for _ in range(2):
        client.get("/healthz")
    request_counts.flush()  # the upsert adds to the row
    assert sum(RequestMinute.objects.filter(route="healthz").values_list("count", flat=True)) == 7


def test_p95_is_interpolated_from_buckets() -> None:
    # 100 requests: 90 under 25 ms, 10 between 1 s and 2.5 s -> p95 halfway into that bucket.
    buckets = [90, 0, 0, 0, 0, 0, 10, 0, 0]
    assert selectors.latency_quantile(buckets, 0.95) == pytest.approx(1750.0)
    assert selectors.latency_quantile([0] * 9, 0.95) == 0.0
    assert selectors.latency_quantile([0, 0, 0, 0, 0, 0, 0, 0, 5], 0.95) == 5000.0


def test_failed_sign_ins_jobs_and_tenants_are_in_the_scrape(
    db: Any, client: Client, run_jobs: Any, org_a: Any, org_b: Any
) -> None:
    make_user("someone@ifm.test")
    before = scrape(client)
    for _ in range(2):
        response = Client().post(
            "/accounts/login/", {"login": "someone@ifm.test", "password": "wrong"}
        )
        assert response.status_code == 200
    tasks.never_retried.enqueue()  # fails for good at once
    tasks.always_fails.enqueue()  # fails, queued again 30 s later
    tasks.flaky.enqueue(label="fine")
    run_jobs()
    after = scrape(client)
    failures = value(after, "ifm_signin_failures_total") - value(
        before, "ifm_signin_failures_total"
    )
    assert failures == 2
    assert value(after, "ifm_jobs_failed_total") == 1
    assert value(after, "ifm_jobs_succeeded_total") == 1
    assert value(after, "ifm_jobs_enqueued_total") == 3
    assert value(after, "ifm_jobs_retried_total") == 1
    assert value(after, "ifm_jobs", status="ready") == 1
    assert value(after, "ifm_job_queue_depth") == 0  # the retry is not due yet
    assert value(after, "ifm_organizations") >= 2
    assert "ifm_active_users" in after
    # No backup recorded: the timestamps are left out rather than reported as 1970.
    assert "ifm_backup_last_success_timestamp_seconds" not in after
