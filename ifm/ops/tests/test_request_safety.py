"""What requests may reveal and how long they may hang: secret links are redacted in logs,
Django's debug pages reach only this machine and mask secrets, every error page carries the
Content-Security-Policy, and /readyz answers 503 quickly when the database hangs."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from ifm.ops.debug import mask_secrets_in
from ifm.ops.logging import JsonFormatter

SECRET_PATHS = [
    (
        "/accounts/password/reset/key/3-c4tvxr-5f1e0a9b8c7d6e5f4a3b2c1d/",
        "c4tvxr-5f1e0a9b8c7d6e5f4a3b2c1d",
    ),
    ("/accounts/invitation/Zq8WnP4uE2sV7kLmX9yT1rA6bC3dF5gH/", "Zq8WnP4uE2sV7kLmX9yT1rA6bC3dF5gH"),
]


# --- Secret links in logs ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "secret"), SECRET_PATHS)
def test_secret_links_are_redacted_in_the_request_log(
    db: Any, client: Client, caplog: pytest.LogCaptureFixture, path: str, secret: str
) -> None:
    with caplog.at_level(logging.INFO):
        client.get(path)
    lines = [r for r in caplog.records if r.name == "ifm.request"]
    assert lines, "the request was not logged"
    for record in caplog.records:
        formatted = JsonFormatter().format(record)
        assert secret not in formatted
        assert secret not in record.getMessage()
    [line] = lines
    prefix = path.rstrip("/").rsplit("/", 1)[0]
    assert vars(line)["path"] == f"{prefix}/[redacted]/"


def test_error_reports_redact_secret_links_in_messages_and_extras() -> None:
    """Django's own "Internal Server Error: <path>" line, its `request` extra and tracebacks."""
    path, secret = SECRET_PATHS[1]
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (path,), None
    )
    record.request = f"<WSGIRequest: GET '{path}?next=/'>"
    line = json.loads(JsonFormatter().format(record))
    assert secret not in json.dumps(line)
    assert line["msg"] == "Internal Server Error: /accounts/invitation/[redacted]/"
    assert line["request"] == "<WSGIRequest: GET '/accounts/invitation/[redacted]/?next=/'>"


# --- Debug pages -------------------------------------------------------------------------------

DB_SECRET = "s3cret-db-pw"
OTHER_SECRET = "0ther-pw"


@pytest.fixture
def debug_on(settings: Any) -> Any:
    settings.DEBUG = True
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_failing"
    settings.DATABASE_URL = f"postgres://ifm:{DB_SECRET}@db.internal.example:5432/ifm"
    settings.BACKUP_TARGET = f"s3://backup:{OTHER_SECRET}@bucket.example/ifm"
    return settings


def _client(remote_addr: str) -> Client:
    return Client(raise_request_exception=False, REMOTE_ADDR=remote_addr)


@pytest.mark.parametrize("remote_addr", ["203.0.113.7", "10.0.0.5", "::ffff:192.0.2.1"])
def test_debug_500_page_is_not_shown_to_other_machines(
    db: Any, debug_on: Any, remote_addr: str
) -> None:
    response = _client(remote_addr).get("/test-failure/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    for leak in ("Traceback", "RuntimeError", "DATABASE_URL", DB_SECRET, "SECRET_KEY"):
        assert leak not in text
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_debug_500_page_for_this_machine_masks_secrets_and_has_a_csp(
    db: Any, debug_on: Any
) -> None:
    response = _client("127.0.0.1").get("/test-failure/", headers={"Accept": "text/html"})
    assert response.status_code == 500
    text = response.content.decode()
    assert "the view failed on purpose" in text  # the technical page
    assert "DATABASE_URL" in text
    for leak in (DB_SECRET, "db.internal.example", OTHER_SECRET):
        assert leak not in text
    assert "bucket.example" in text  # only the password of a URL is masked
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "connect-src" not in policy
    assert "http" not in policy


def test_debug_404_page_is_not_shown_to_other_machines(db: Any, debug_on: Any) -> None:
    outside = _client("203.0.113.7")
    for path in ("/no-such-page/", "/test-missing/"):
        response = outside.get(path)
        assert response.status_code == 404
        text = response.content.decode()
        assert "URLconf" not in text
        assert "nothing here on purpose" not in text
        assert "script-src 'self'" in response["Content-Security-Policy"]
    local = _client("127.0.0.1").get("/test-missing/")
    assert local.status_code == 404
    assert "nothing here on purpose" in local.content.decode()


def test_500_page_without_debug_has_the_csp(db: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_failing"
    response = _client("127.0.0.1").get("/test-failure/")
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgres://ifm:pw@host/db", "postgres://ifm:********************@host/db"),
        (
            "host=db user=ifm password=pw dbname=x",
            "host=db user=ifm password=******************** dbname=x",
        ),
        ("https://example.org/path", "https://example.org/path"),
    ],
)
def test_mask_secrets_in(text: str, masked: str) -> None:
    assert mask_secrets_in(text) == masked


# --- /readyz with a database that never answers -------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        server.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a network database only (SQLite is a local file)"
)
def test_readyz_answers_503_quickly_when_the_database_hangs(
    db: Any, client: Client, silent_server: int
) -> None:
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(silent_server))
    try:
        start = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - start
    finally:
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert elapsed < 3.5
    assert client.get("/readyz").status_code == 200
