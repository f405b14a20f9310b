"""A production-like server for benchmarks: fresh database, demo data, gunicorn on a free port."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_EMAIL = "admin@hope-kitchen.demo"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (the documented demo sign-in)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout


class Session:
    """One keep-alive connection with cookies, like one browser tab."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = self.cookie_header()
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closes a keep-alive connection left idle: open a new one, once.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, data

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def sign_in(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        form = {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password}
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            urllib.parse.urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status in (302, 303), f"sign-in failed with {status}"


@dataclass
class App:
    port: int
    token: str
    database: str

    def session(self) -> Session:
        return Session(self.port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def app_server(
    workers: int = 2, threads: int = 4, settings_module: str = "ifm.settings"
) -> Iterator[App]:
    """Serve the app with gunicorn. BENCH_REUSE_DB=1 with a DATABASE_URL skips the migrate and
    demo data steps (a database seeded by an earlier run)."""
    tmp = tempfile.mkdtemp(prefix="ifm-bench-")
    env = dict(os.environ)
    # Production settings (compressed, hashed static files; DEBUG off), served over plain HTTP
    # on loopback, so the HTTPS redirect is off; the bench clients send cookies themselves.
    env.update(
        IFM_VAR_DIR=tmp,
        IFM_ENV="production",
        SECRET_KEY="bench-" + secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    ifm = str(BIN / "ifm")
    if not (os.environ.get("BENCH_REUSE_DB") == "1" and "DATABASE_URL" in os.environ):
        run([ifm, "migrate", "--noinput", "-v0"], env)
        run([ifm, "seed_demo"], env)
    run([ifm, "collectstatic", "--noinput", "-v0"], env)
    token = run(
        [ifm, "create_api_token", "--email", DEMO_EMAIL, "--org", "hope-kitchen"], env
    ).strip()
    port = free_port()
    gunicorn = [str(BIN / "gunicorn"), "ifm.wsgi", "-b", f"127.0.0.1:{port}"]
    gunicorn += ["-w", str(workers), "--threads", str(threads), "--log-level", "warning"]
    server_env = {**env, "DJANGO_SETTINGS_MODULE": settings_module}
    server = subprocess.Popen(gunicorn, env=server_env, cwd=ROOT)
    try:
        for _ in range(150):
            try:
                if Session(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield App(port=port, token=token, database=env["DATABASE_URL"].split("@")[-1])
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # A loaded machine can keep gunicorn's workers from stopping in time.
            server.kill()
            server.wait()
