"""Each alert fires on real requests, sign-ins and jobs, is delivered to a real SMTP server and
a real HTTP receiver, repeats at most hourly and resolves by itself."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.conftest import make_user
from ifm.ops import alerts
from ifm.ops import requests as request_counts
from ifm.ops import tasks as ops_tasks
from ifm.ops.models import Alert, PlatformCheck
from ifm.ops.tests import tasks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.ALERT_EMAILS = ["oncall@ifm.test"]
    yield handler
    controller.stop()


@pytest.fixture
def hook(settings: Any) -> Iterator[list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.REQUEST_FLUSH_SECONDS = 0
    # A loaded test machine can be slow: only the latency test below looks at the p95.
    settings.ALERT_THRESHOLDS = {"p95_ms": 10**9}
    # The test machine's own load must not fire the host-load alert in every test.
    settings.HOST_LOADAVG_PATH = str(tmp_path / "no-loadavg")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    request_counts.discard_buffer()
    yield
    request_counts.discard_buffer()


def keys(alerts_: list[Alert]) -> set[str]:
    return {a.key for a in alerts_}


def test_error_rate_fires_delivers_and_resolves(
    db: Any, settings: Any, inbox: Inbox, hook: list[dict[str, Any]]
) -> None:
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_slow"
    client = Client(raise_request_exception=False)
    for _ in range(9):
        assert client.get("/healthz").status_code == 200
    assert client.get("/test-failure/").status_code == 500  # 1 in 10: 10% > 2%
    # Neither a health check nor a 5xx answer waits for a database write: flush as the next
    # ordinary request would.
    request_counts.flush()

    outcome = alerts.evaluate_alerts()
    assert keys(outcome.opened) == {"error_rate"}
    alert = Alert.objects.get(key="error_rate")
    assert alert.value == pytest.approx(0.1)
    assert alert.resolved_at is None
    assert inbox.subjects() == ["[IFM critical] FIRING: error_rate (error_rate)"]
    assert "10.0% of 10 requests" in inbox.messages[0].get_payload()
    assert hook[0]["alert"]["status"] == "firing"
    assert "error_rate" in hook[0]["text"]

    # A minute later it still fires: nothing is sent again within the hour.
    again = alerts.evaluate_alerts(now=timezone.now() + timedelta(minutes=1))
    assert (again.opened, again.repeated, again.resolved) == ([], [], [])
    assert len(inbox.messages) == 1

    # Six minutes later the failing request is out of the window: it resolves by itself.
    later = alerts.evaluate_alerts(now=timezone.now() + timedelta(minutes=6))
    assert keys(later.resolved) == {"error_rate"}
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert inbox.subjects()[-1].startswith("[IFM critical] RESOLVED: error_rate")
    assert hook[-1]["alert"]["status"] == "resolved"
    assert PlatformCheck.objects.count() == 3


def test_few_requests_do_not_make_an_error_rate(db: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_slow"
    client = Client(raise_request_exception=False)
    client.get("/test-failure/")
    request_counts.flush()
    assert "error_rate" not in keys(alerts.evaluate_alerts().opened)


def test_slow_responses_fire_the_p95_alert(db: Any, settings: Any, inbox: Inbox) -> None:
    settings.ALERT_THRESHOLDS = {}
    settings.ROOT_URLCONF = "ifm.ops.tests.urls_slow"
    client = Client()
    for _ in range(9):
        client.get("/healthz")
    assert client.get("/test-slow/").status_code == 200
    request_counts.flush()
    outcome = alerts.evaluate_alerts()
    assert keys(outcome.opened) == {"p95_latency"}
    assert outcome.opened[0].value is not None
    assert outcome.opened[0].value > 1.0
    assert "FIRING: p95_latency" in inbox.subjects()[0]


def test_failed_sign_ins_fire_overall_and_per_address(
    db: Any, settings: Any, hook: list[dict[str, Any]]
) -> None:
    # The seed's threshold is 10 a minute; 3 here keeps the sign-ins within one minute on a
    # slow test machine (each is a real request through the whole stack).
    settings.ALERT_THRESHOLDS = {**settings.ALERT_THRESHOLDS, "signins_per_minute": 3}
    make_user("target@ifm.test")
    for i in range(4):
        Client(REMOTE_ADDR="203.0.113.9").post(
            "/accounts/login/", {"login": "target@ifm.test", "password": f"guess-{i}"}
        )
    outcome = alerts.evaluate_alerts()
    assert keys(outcome.opened) == {"failed_signins", "failed_signins_ip:203.0.113.9"}
    assert {h["alert"]["rule"] for h in hook} == {"failed_signins", "failed_signins_ip"}
    # A minute on, the failures are out of the window.
    later = alerts.evaluate_alerts(now=timezone.now() + timedelta(minutes=2))
    assert keys(later.resolved) == {"failed_signins", "failed_signins_ip:203.0.113.9"}


def test_sign_ins_at_the_threshold_or_spread_over_addresses(db: Any, settings: Any) -> None:
    settings.ALERT_THRESHOLDS = {**settings.ALERT_THRESHOLDS, "signins_per_minute": 3}
    for i in range(3):
        Client(REMOTE_ADDR="203.0.113.10").post(
            "/accounts/login/", {"login": f"who{i}@ifm.test", "password": "x"}
        )
    assert alerts.evaluate_alerts().opened == []
    Client(REMOTE_ADDR="203.0.113.11").post(
        "/accounts/login/", {"login": "who@ifm.test", "password": "x"}
    )
    # Four in the minute: too many overall, but no one address sent more than three.
    assert keys(alerts.evaluate_alerts().opened) == {"failed_signins"}


def test_the_seed_thresholds_are_the_defaults() -> None:
    t = alerts.Thresholds()
    assert (t.error_rate, t.p95_ms, t.signins_per_minute) == (0.02, 1000.0, 10)
    assert (t.cpu_load_per_core, t.backup_max_age_hours) == (0.8, 26.0)


def test_a_job_failed_for_good_fires_once(db: Any, run_jobs: Any, inbox: Inbox) -> None:
    result = tasks.never_retried.enqueue()
    run_jobs()
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED
    outcome = alerts.evaluate_alerts()
    assert keys(outcome.opened) == {f"job_failed:{result.id}"}
    assert "never_retried" in outcome.opened[0].summary
    assert "LookupError" in outcome.opened[0].summary
    assert len(inbox.messages) == 1
    later = alerts.evaluate_alerts(now=timezone.now() + timedelta(minutes=61))
    assert keys(later.resolved) == {f"job_failed:{result.id}"}


def test_storage_error_repeats_hourly_then_resolves(
    db: Any, settings: Any, tmp_path: Path, hook: list[dict[str, Any]]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage expects a directory")
    good = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**good, "OPTIONS": {"location": str(blocker / "media")}},
    }
    now = timezone.now()
    assert keys(alerts.evaluate_alerts(now=now).opened) == {"storage_error"}
    assert alerts.evaluate_alerts(now=now + timedelta(minutes=30)).repeated == []
    repeated = alerts.evaluate_alerts(now=now + timedelta(minutes=61)).repeated
    assert keys(repeated) == {"storage_error"}
    assert repeated[0].notifications == 2
    assert [h["alert"]["status"] for h in hook] == ["firing", "firing"]
    assert hook[1]["text"].startswith("*[IFM critical] STILL FIRING")

    settings.STORAGES = {**settings.STORAGES, "default": good}  # the disk is fixed
    resolved = alerts.evaluate_alerts(now=now + timedelta(minutes=62)).resolved
    assert keys(resolved) == {"storage_error"}
    # History: the one alert, opened, repeated once and resolved.
    alert = Alert.objects.get(key="storage_error")
    assert (alert.notifications, alert.resolved_at is not None) == (2, True)
    # It can open again later, as a new row of the history.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**good, "OPTIONS": {"location": str(blocker / "media")}},
    }
    assert keys(alerts.evaluate_alerts(now=now + timedelta(minutes=70)).opened) == {"storage_error"}
    assert Alert.objects.filter(key="storage_error").count() == 2


def test_host_load_fires_the_database_load_alert(db: Any, settings: Any, tmp_path: Path) -> None:
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("64.00 40.00 20.00 9/999 12345\n")
    settings.HOST_LOADAVG_PATH = str(loadavg)
    assert "cpu_load" in keys(alerts.evaluate_alerts().opened)
    loadavg.write_text("0.01 0.01 0.01 1/999 12345\n")
    assert "cpu_load" in keys(alerts.evaluate_alerts().resolved)


def test_a_failed_delivery_is_kept_on_the_alert(db: Any, settings: Any) -> None:
    settings.ALERT_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/nobody-listens"
    loadavg = Path(settings.HOST_LOADAVG_PATH)
    loadavg.write_text("64.00 40.00 20.00 9/999 12345\n")
    alerts.evaluate_alerts()
    assert Alert.objects.get(key="cpu_load").delivery_error.startswith("webhook: ")


def test_the_evaluation_is_a_job_kept_queued_for_the_next_minute(db: Any, run_jobs: Any) -> None:
    now = timezone.now()
    assert ops_tasks.ensure_evaluation_scheduled(now=now) is True
    assert ops_tasks.ensure_evaluation_scheduled(now=now) is False  # one waiting is enough
    job = DBTaskResult.objects.get(task_path=ops_tasks.EVALUATION_TASK)
    assert job.run_after == now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=now)  # its minute has come
    run_jobs()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == {"opened": 0, "repeated": 0, "resolved": 0}
    assert PlatformCheck.objects.exists()
