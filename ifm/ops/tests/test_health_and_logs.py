from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ifm.conftest import client_for, make_user
from ifm.ops.logging import JsonFormatter, RequestIdFilter


def test_healthz(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reaches_the_database(db: Any, client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "jobs": {"status": "ok", "waiting": 0, "oldest_waiting_seconds": None},
    }


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ifm.request"]


def test_one_structured_log_line_per_request(
    db: Any, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ifm.request"):
        response = client.get("/healthz", headers={"X-Request-ID": "lb-abc.123"})
    assert response["X-Request-ID"] == "lb-abc.123"
    [record] = request_lines(caplog)
    assert vars(record)["request_id"] == "lb-abc.123"
    assert vars(record)["status"] == 200
    assert vars(record)["method"] == "GET"
    assert vars(record)["path"] == "/healthz"
    assert isinstance(vars(record)["duration_ms"], float)
    assert vars(record)["duration_ms"] >= 0

    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "lb-abc.123"
    assert line["status"] == 200
    assert line["path"] == "/healthz"
    assert line["level"] == "INFO"
    assert "duration_ms" in line


@pytest.mark.parametrize("incoming", [None, "has spaces and ;", "x" * 65])
def test_request_id_is_generated_when_missing_or_unsafe(
    db: Any, client: Client, caplog: pytest.LogCaptureFixture, incoming: str | None
) -> None:
    headers = {"X-Request-ID": incoming} if incoming else {}
    with caplog.at_level(logging.INFO, logger="ifm.request"):
        response = client.get("/healthz", headers=headers)
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [record] = request_lines(caplog)
    assert vars(record)["request_id"] == request_id


def test_log_lines_written_during_a_request_carry_its_id(db: Any, client: Client) -> None:
    """Any logger used while a request is served gets the id, through the filter."""
    seen: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(JsonFormatter().format(record))

    handler = Capture()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("ifm.request")
    logger.addHandler(handler)
    try:
        response = client.get("/healthz")
    finally:
        logger.removeHandler(handler)
    assert json.loads(seen[-1])["request_id"] == response["X-Request-ID"]


def test_json_formatter_includes_exceptions() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("ifm.x", logging.ERROR, __file__, 1, "failed %s", ("x",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "failed x"
    assert "ValueError: boom" in line["exc"]


class InlineCode(HTMLParser):
    """Finds what a strict Content-Security-Policy would refuse to run or apply."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script":
            self._in_script = "src" not in names
            self._script_type = dict(attrs).get("type") or ""
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{name} handler on <{tag}>" for name in names if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip() and "json" not in self._script_type:
            self.problems.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def assert_csp_clean(response: Any) -> None:
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.problems == [], response.request["PATH_INFO"]


def test_pages_are_served_with_csp_and_need_no_inline_code(cast: dict[str, Any]) -> None:
    assert_csp_clean(Client().get(reverse("account_login")))
    admin = client_for(cast["admin"])
    assert_csp_clean(admin.get(reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})))
    assert_csp_clean(admin.get(reverse("ops:org_jobs", kwargs={"org_slug": "alpha"})))
    staff = client_for(make_user("support@ifm.test", is_platform_staff=True))
    assert_csp_clean(staff.get(reverse("platform_ops:platform_jobs")))
