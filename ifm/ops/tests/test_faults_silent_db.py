"""Faults survived: a database that accepts connections but never answers. /readyz says 503
within about 2 seconds (test_request_safety); an ordinary request, API or page, gives up after
the connect timeout and answers 503 with Retry-After instead of hanging its worker until
gunicorn kills it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection

from ifm.conftest import client_for
from ifm.ops.tests.test_request_safety import silent_server  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a network database only (SQLite is a file)"
    ),
]


def test_requests_on_a_database_that_never_answers_give_503_within_the_connect_timeout(
    org_a: Any,
    cast: dict[str, Any],
    silent_server: int,  # noqa: F811
) -> None:
    browser = client_for(cast["viewer"])  # signed in: the page reads its session
    browser.raise_request_exception = False
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT")}
    saved_options = dict(settings_dict["OPTIONS"])
    connection.close()
    settings_dict.update(HOST="127.0.0.1", PORT=str(silent_server))
    settings_dict["OPTIONS"]["connect_timeout"] = 2
    try:
        start = time.monotonic()
        api = browser.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ifm_not-a-real-token")
        api_seconds = time.monotonic() - start
        start = time.monotonic()
        page = browser.get(f"/o/{org_a.slug}/")
        page_seconds = time.monotonic() - start
    finally:
        connection.close()
        settings_dict.update(saved)
        settings_dict["OPTIONS"] = saved_options
    assert api.status_code == 503, api.content
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"].endswith("/service-unavailable")
    assert int(api["Retry-After"]) > 0
    assert page.status_code == 503, page.content
    assert int(page["Retry-After"]) > 0
    assert "Back in a moment" in page.content.decode()
    # Each database access the request still makes after the first failure waits for the
    # connect timeout (2 s here) again: a few of them, so 4 to 10 s, but an answer well before
    # gunicorn's 30-s timeout would kill the worker (without a timeout it would hang for good).
    assert api_seconds < 20, api_seconds
    assert page_seconds < 20, page_seconds
    assert browser.get("/healthz").status_code == 200
