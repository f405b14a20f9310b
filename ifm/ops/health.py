"""Is the database answering? For /readyz, which a load balancer polls every few seconds.

On PostgreSQL the probe opens its own short connection with a connect timeout and a statement
timeout, and is abandoned after READY_TIMEOUT_SECONDS, so a database that accepts connections but
never answers makes /readyz say 503 within about two seconds instead of hanging the worker.
"""

from __future__ import annotations

import threading
from typing import Any

import psycopg
from django.db import connections

READY_TIMEOUT_SECONDS = 2
_DJANGO_ONLY_PARAMS = {"cursor_factory", "context", "prepare_threshold"}


def _postgresql_probe(alias: str) -> None:
    wrapper: Any = connections[alias]
    params = {
        k: v for k, v in wrapper.get_connection_params().items() if k not in _DJANGO_ONLY_PARAMS
    }
    timeout_ms = READY_TIMEOUT_SECONDS * 1000
    params["options"] = f"{params.get('options', '')} -c statement_timeout={timeout_ms}".strip()
    # libpq's smallest connect timeout is 2 seconds.
    params["connect_timeout"] = max(2, READY_TIMEOUT_SECONDS)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute("SELECT 1").fetchone()


def _default_probe(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def database_problem(alias: str = "default") -> str | None:
    """None when the database answers `SELECT 1` in time, else the name of what went wrong."""
    if connections[alias].vendor != "postgresql":
        try:
            _default_probe(alias)
        except Exception as exc:
            return exc.__class__.__name__
        return None

    outcome: list[str | None] = []

    def run() -> None:
        try:
            _postgresql_probe(alias)
        except Exception as exc:
            outcome.append(exc.__class__.__name__)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, name="readyz-probe", daemon=True)
    worker.start()
    worker.join(READY_TIMEOUT_SECONDS + 0.5)
    return outcome[0] if outcome else "Timeout"
