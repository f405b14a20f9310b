"""What production settings send, checked in a process started with IFM_ENV=production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
SECRET = "p" * 30 + "-production-secret-for-the-header-test-" + "q" * 20

# Runs in the child: a request through the whole middleware stack, answered as JSON.
PROBE = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(SERVER_NAME="ifm.example.org")
out = {}
CASES = [
    ("healthz", "/healthz", True),
    ("readyz", "/readyz", True),
    ("plain_healthz", "/healthz", False),
    ("plain_login", "/accounts/login/", False),
]
for name, path, secure in CASES:
    response = client.get(path, secure=secure)
    out[name] = {"status": response.status_code, "headers": dict(response.headers),
                 "body": response.content.decode()[:500]}
print(json.dumps(out))
"""


def probe(tmp_path: Path, **env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    base.update(
        IFM_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="ifm.example.org",
        IFM_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="ifm.settings",
        LOG_LEVEL="ERROR",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_headers_and_unreachable_database(tmp_path: Path) -> None:
    # Port 1 on localhost refuses connections: the database is down.
    out = probe(tmp_path, DATABASE_URL="postgres://ifm@127.0.0.1:1/ifm?connect_timeout=2")

    healthz = out["healthz"]
    assert healthz["status"] == 200
    headers = healthz["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp

    # The process is up but cannot serve: the load balancer takes it out of rotation.
    assert out["readyz"]["status"] == 503
    assert json.loads(out["readyz"]["body"])["status"] == "unavailable"

    # Plain HTTP is sent to HTTPS, except the health checks a load balancer makes inside.
    assert out["plain_healthz"]["status"] == 200
    assert out["plain_login"]["status"] == 301
    assert out["plain_login"]["headers"]["Location"] == "https://ifm.example.org/accounts/login/"


def test_production_readyz_with_a_database(tmp_path: Path) -> None:
    out = probe(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'ready.sqlite3'}")
    assert out["readyz"]["status"] == 200
    # The database answers, but nobody migrated it: no job queue to read.
    assert json.loads(out["readyz"]["body"]) == {
        "status": "degraded",
        "database": "ok",
        "storage": "ok",
        "jobs": {"status": "unknown", "error": "OperationalError"},
    }
