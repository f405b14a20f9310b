"""The load test's 60-second smoke (bench/load, `make loadtest` runs the full 10 minutes): the
seed's people of every role, fewer of them and on a little data, against gunicorn and the
worker with production settings. No request may fail, and no request name's p95 may pass the
seed's 500 ms."""

from __future__ import annotations

import os
from typing import Any

import psycopg
import pytest
from django.db import connection, connections

from bench.load.__main__ import HARD_LIMIT_MS, SMOKE, run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the load test models production, which runs on PostgreSQL "
        "(run with DATABASE_URL=postgres://...)",
    ),
    # Not yet in the default run: 2 of its last 5 runs failed (one connection reset by the
    # server on a page request, one not yet explained), and a flaky test in CI hides real
    # failures. `make loadtest-smoke` runs it until the cause is found.
    pytest.mark.skipif(
        os.environ.get("IFM_LOADTEST_SMOKE") != "1",
        reason="the load smoke runs with `make loadtest-smoke` (IFM_LOADTEST_SMOKE=1) until its "
        "occasional connection resets are explained",
    ),
]


def _load_database(test_database: str) -> str:
    """The smoke's own database beside the test database, kept between runs; made the first
    time as a copy of the migrated test database, which is much quicker than migrating."""
    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    name = f"{test_database}_loadtest"
    connections.close_all()  # a template must have no other session
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{test_database}"')
    return f"{base}/{name}"


def test_the_smoke_load_has_no_errors_and_every_p95_under_the_hard_limit(
    transactional_db: Any,
) -> None:
    database = _load_database(connection.settings_dict["NAME"])
    result = run(SMOKE, database, name="smoke")
    report = "\n".join(
        f"{r.name}: {r.requests} requests, {r.failures} failed, p95 {r.p95:.0f} ms"
        for r in result.rows
    )
    names = {r.name for r in result.rows if r.requests}
    # Every door was used: the sign-in with the second factor, pages, and the API's writes.
    for name in ("sign-in code", "page dashboard", "api POST donations", "api POST expenses"):
        assert name in names, f"no {name!r} in the run:\n{report}"
    assert result.errors == 0, "\n".join(result.failures)
    assert result.worst_p95 < HARD_LIMIT_MS, report
