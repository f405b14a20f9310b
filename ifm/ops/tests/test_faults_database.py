"""Faults survived: PostgreSQL restarts under load. Requests caught by it answer 503 with
Retry-After (never a 500 page), the app recovers by itself within seconds of the database
coming back, and no write is lost or made twice (clients retry with their Idempotency-Key).

A private PostgreSQL cluster (initdb into a temporary directory, its own port), never the
shared server: it gets this test database's schema (pg_dump), an organization, then gunicorn
with production settings serves it while client threads write and read, and the cluster is
restarted (`pg_ctl restart -m fast`) in the middle.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
# The app answers again within this many seconds of PostgreSQL being back (on 2 busy cores).
RECOVERY_SECONDS = 8
INITDB_OPTIONS = ("-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
GUNICORN_OPTIONS = ("-w", "2", "--threads", "2", "--timeout", "30", "--preload")

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="restarts a PostgreSQL cluster (SQLite has none)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [
        p for p in [shutil.which("initdb")] if p
    ]
    return Path(found[-1]).parent if found else None


def _as_owner() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as the postgres user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and no postgres user to run a private cluster as")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser to run a private cluster as postgres")
    return [runuser, "-u", "postgres", "--"]


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    prefix: list[str]

    def ctl(self, *args: str) -> None:
        """pg_ctl; give a starting server `-l` (its output would otherwise hold our pipe)."""
        subprocess.run(  # noqa: S603
            [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def url(self, name: str = "ifm") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, name: str = "ifm") -> str:
        done = subprocess.run(  # noqa: S603
            [str(self.bin / "psql"), self.url(name), "-XAtqc", statement],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout.strip()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("no PostgreSQL server programs (initdb) on this machine")
    prefix = _as_owner()
    # Not under pytest's own temporary directory: the postgres user could not enter it.
    home = Path(tempfile.mkdtemp(prefix="ifm-pg-"))
    if prefix:
        shutil.chown(home, "postgres")
    port = _free_port()
    data = home / "data"
    subprocess.run(  # noqa: S603
        [*prefix, str(pg_bin / "initdb"), "-D", str(data), *INITDB_OPTIONS],
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = (
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    pg = Cluster(bin=pg_bin, data=data, port=port, prefix=prefix)
    try:
        pg.ctl("-o", options, "-l", str(home / "server.log"), "start")
        yield pg
    finally:
        subprocess.run(  # noqa: S603
            [*prefix, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(home, ignore_errors=True)


def _schema_from_test_database(pg: Cluster, dump: Path) -> None:
    """This test database's schema and roles' grants, far faster than running migrations."""
    source = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": source["PASSWORD"] or ""}
    subprocess.run(  # noqa: S603
        [
            str(pg.bin / "pg_dump"),
            *("-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432)),
            *("-U", source["USER"], "-Fc", "-f", str(dump), source["NAME"]),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    role = settings.DB_APP_ROLE
    if role:
        pg.sql(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS', name="postgres")
    pg.sql("CREATE DATABASE ifm", name="postgres")
    restored = subprocess.run(  # noqa: S603
        [str(pg.bin / "pg_restore"), "-d", pg.url(), "--no-owner", str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr[-3000:]


SETUP = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from ifm.accounts.services import membership_set
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import make_api_token
from ifm.ledger.models import Account, Fund
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

org = organization_create(slug="restart", name="Restart Test", ein="33-3333333")
user = get_user_model().objects.create_user(email="admin@restart.test", password="x" * 20)
membership_set(organization=org, user=user, role=Role.STAFF)
browser = Client()
browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
with org_context(org):
    out = {
        "token": make_api_token(user, org),
        "cookie": f"{browser.cookies.keys().__iter__().__next__()}="
        + next(iter(browser.cookies.values())).value,
        "category_id": Account.objects.get(number="8110").pk,
        "fund_id": Fund.objects.get(is_general=True).pk,
    }
print("SETUP " + json.dumps(out))
"""


@dataclass
class Seen:
    """What the clients saw: (seconds since start, kind, status, Retry-After) per answer."""

    start: float = field(default_factory=time.monotonic)
    answers: list[tuple[float, str, int, str | None]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    # The start of each 5xx answer other than 503, to say on failure what the client got.
    bodies: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, retry_after: str | None) -> None:
        with self.lock:
            self.answers.append((time.monotonic() - self.start, kind, status, retry_after))


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, str | None, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Retry-After"), response.read().decode()
    finally:
        conn.close()


def _writer(port: int, name: str, setup: dict[str, Any], seen: Seen, stop: threading.Event):
    """Create expenses one after another; each is retried with its key until it is created."""
    number = 0
    while not stop.is_set():
        number += 1
        key = f"{name}-{number}"
        body = json.dumps(
            {
                "kind": "claim",
                "payee": key,
                "date": date.today().isoformat(),
                "function": "management",
                "amount": "12.50",
                "category_id": setup["category_id"],
                "fund_id": setup["fund_id"],
                "description": "Restart test",
            }
        )
        headers = {
            "Authorization": f"Bearer {setup['token']}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        while True:
            try:
                status, retry_after, text = _request(
                    port, "POST", "/api/v1/expenses", headers, body
                )
            except OSError:
                seen.add("api-write", 0, None)
                time.sleep(0.2)
                continue
            seen.add("api-write", status, retry_after)
            if status == 201:
                seen.created[key] = json.loads(text)["id"]
                break
            time.sleep(0.2)  # a client would wait Retry-After; shorter keeps the test short


def _reader(port: int, setup: dict[str, Any], seen: Seen, stop: threading.Event) -> None:
    api = {"Authorization": f"Bearer {setup['token']}"}
    page = {"Cookie": setup["cookie"]}
    while not stop.is_set():
        for kind, path, headers in (
            ("api-read", "/api/v1/expenses?limit=5", api),
            # A page door (session, not the API) that needs no collected static files.
            ("page", "/o/restart/expenses/export.csv", page),
        ):
            try:
                status, retry_after, text = _request(port, "GET", path, headers)
            except OSError:
                status, retry_after, text = 0, None, ""
            seen.add(kind, status, retry_after)
            if status >= 500 and status != 503:
                with seen.lock:
                    seen.bodies.append(f"{kind} {status}: {text[:500]}")
        time.sleep(0.05)


def _succeeded(seen: Seen) -> set[str]:
    with seen.lock:
        return {kind for _, kind, status, _ in seen.answers if 200 <= status < 300}


def test_postgresql_restarted_under_load_answers_503_then_recovers_and_writes_once(
    db: Any, cluster: Cluster, tmp_path: Path
) -> None:
    _schema_from_test_database(cluster, tmp_path / "schema.dump")
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(),
        "IFM_ENV": "production",
        "IFM_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "restart-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DB_CONNECT_TIMEOUT": "2",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603
        [str(BIN / "ifm"), "shell", "-c", SETUP],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SETUP ")]
    assert lines, done.stdout + done.stderr
    setup = json.loads(lines[-1].removeprefix("SETUP "))

    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "ifm.wsgi", "-b", f"127.0.0.1:{port}", *GUNICORN_OPTIONS],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stop = threading.Event()
    seen = Seen()
    threads = [
        threading.Thread(target=_writer, args=(port, f"w{i}", setup, seen, stop)) for i in (1, 2)
    ] + [threading.Thread(target=_reader, args=(port, setup, seen, stop)) for _ in (1, 2)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _request(port, "GET", "/healthz", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        seen.start = time.monotonic()
        for thread in threads:
            thread.start()
        # Under way: every kind of request has been answered (each process warmed up).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_succeeded(seen)) < 3:
            time.sleep(0.1)
        time.sleep(1)
        restart_at = time.monotonic() - seen.start
        cluster.ctl("-m", "fast", "-l", str(cluster.data.parent / "server.log"), "restart")
        back_at = time.monotonic() - seen.start
        time.sleep(RECOVERY_SECONDS + 2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        server.terminate()
        server.wait(timeout=20)
        log.close()

    logged = (tmp_path / "gunicorn.log").read_text().splitlines()
    errors = [
        line[:3000] for line in logged if "Unhandled" in line or "Internal Server Error" in line
    ] + [
        # gunicorn's own 500 (an exception that left the application): its line and traceback.
        "\n".join(logged[i : i + 40])
        for i, line in enumerate(logged)
        if "Error handling request" in line
    ]
    statuses = {(kind, status) for _, kind, status, _ in seen.answers}
    assert {status for _, status in statuses} <= {200, 201, 503}, (statuses, errors, seen.bodies)
    unavailable = [a for a in seen.answers if a[2] == 503]
    assert unavailable, "no request was caught by the restart"
    assert all(retry_after and int(retry_after) > 0 for *_, retry_after in unavailable)
    assert all(t >= restart_at for t, *_ in unavailable)
    assert not [a for a in seen.answers if a[2] == 0], "a request found no server"
    for kind in ("api-write", "api-read", "page"):
        recovered = [
            t for t, k, status, _ in seen.answers if k == kind and t > back_at and status < 300
        ]
        assert recovered, f"{kind}: nothing succeeded after the restart"
        assert recovered[0] - back_at < RECOVERY_SECONDS, (kind, recovered[0] - back_at)
    # Every expense a client was told of exists once; nothing else was written.
    rows = cluster.sql("SELECT payee, id FROM expenses_expense ORDER BY id")
    stored = dict(line.split("|") for line in rows.splitlines())
    assert {k: int(v) for k, v in stored.items()} == seen.created
    assert len(seen.created) > 2
