"""The operations page and its JSON twin: platform staff only, the same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ifm.conftest import client_for, make_user
from ifm.ops import alerts
from ifm.ops import requests as request_counts
from ifm.ops.models import Alert

PAGE = "platform_monitoring:platform_operations"
JSON = "platform_monitoring:platform_operations_json"


@pytest.fixture(autouse=True)
def _counts(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.REQUEST_FLUSH_SECONDS = 0
    settings.ALERT_THRESHOLDS = {"p95_ms": 10**9}  # a loaded test machine can be slow
    settings.HOST_LOADAVG_PATH = str(tmp_path / "no-loadavg")
    request_counts.discard_buffer()
    yield
    request_counts.discard_buffer()


@pytest.fixture
def staff_client(db: Any) -> Client:
    return client_for(make_user("ops@ifm.test", is_platform_staff=True))


def test_only_platform_staff_see_it(db: Any, cast: dict[str, Any], client: Client) -> None:
    for url in (reverse(PAGE), reverse(JSON)):
        assert client.get(url).status_code == 302  # to the sign-in page
        assert client_for(cast["admin"]).get(url).status_code == 404
        assert client_for(cast["outsider"]).get(url).status_code == 404


def test_page_and_json_show_the_same_numbers(db: Any, staff_client: Client, settings: Any) -> None:
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_slow"
    anonymous = Client(raise_request_exception=False)
    for _ in range(9):
        anonymous.get("/healthz")
    anonymous.get("/test-failure/")
    request_counts.flush()
    for i in range(3):
        Client(REMOTE_ADDR="198.51.100.7").post(
            "/accounts/login/", {"login": "nobody@ifm.test", "password": f"x{i}"}
        )
    alerts.evaluate_alerts()
    assert Alert.objects.filter(key="error_rate", resolved_at__isnull=True).exists()

    data = staff_client.get(reverse(JSON)).json()
    last5 = data["requests"]["last_5_minutes"]
    assert last5["errors_5xx"] == 1
    assert last5["requests"] >= 10
    routes = {r["route"]: r for r in data["routes"]}
    assert routes["healthz"]["requests"] == 9
    assert routes["test_failure"]["errors_5xx"] == 1
    assert data["signin_failures"]["last_hour"] == 3
    assert data["signin_failures"]["by_address_last_hour"] == [
        {"address": "198.51.100.7", "count": 3}
    ]
    assert [a["key"] for a in data["alerts"]["firing"]] == ["error_rate"]
    assert data["uptime"]["observed_minutes"] >= 1
    assert data["uptime"]["percent"] == 100.0
    assert data["backups"] == {"backup": None, "verify": None}
    assert len(data["hourly"]) == 24

    page = staff_client.get(reverse(PAGE))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "error_rate" in html
    assert "198.51.100.7" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
