"""Can this process serve? For /readyz, which a load balancer polls every few seconds.

Three checks, each with its own status in the answer:

* the database: on PostgreSQL the probe opens its own short connection with a connect timeout
  and a statement timeout, and is abandoned after READY_TIMEOUT_SECONDS, so a database that
  accepts connections but never answers makes /readyz say 503 within about two seconds instead
  of hanging the worker;
* the file storage (`default_storage`, whatever backend it is): a small probe file written, read
  back and deleted, abandoned after READY_TIMEOUT_SECONDS;
* the job queue: how many jobs wait to run and how long the oldest has waited (older than
  JOB_QUEUE_MAX_AGE_SECONDS: the workers are down or behind).

Only the database decides readiness (503): without it the process can serve nothing. Storage
and the queue failing affect every process alike, so taking them all out of rotation would
turn a partial outage into a full one: /readyz then says "degraded" with 200, for monitoring.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

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

    return _within_timeout(lambda: _postgresql_probe(alias), "readyz-probe")


def _within_timeout(probe: Callable[[], None], name: str) -> str | None:
    """Run `probe` in a thread; None when it returned in time, else what went wrong. A probe
    that hangs is abandoned (its daemon thread ends when its own timeout fires)."""
    outcome: list[str | None] = []

    def run() -> None:
        try:
            probe()
        except Exception as exc:
            outcome.append(exc.__class__.__name__)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(READY_TIMEOUT_SECONDS + 0.5)
    return outcome[0] if outcome else "Timeout"


PROBE_CONTENT = b"ifm readiness probe\n"


def _storage_probe() -> None:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    finally:
        default_storage.delete(name)
    if content != PROBE_CONTENT:
        raise OSError("the storage gave back other bytes than were written")


def storage_problem() -> str | None:
    """None when the default storage writes, reads back and deletes a small file in time."""
    return _within_timeout(_storage_probe, "readyz-storage")


@dataclass(frozen=True)
class QueueState:
    waiting: int
    oldest_enqueued_at: datetime | None

    def oldest_age_seconds(self, now: datetime | None = None) -> float | None:
        if self.oldest_enqueued_at is None:
            return None
        return max(0.0, ((now or timezone.now()) - self.oldest_enqueued_at).total_seconds())

    @property
    def behind(self) -> bool:
        age = self.oldest_age_seconds()
        return age is not None and age > settings.JOB_QUEUE_MAX_AGE_SECONDS


def job_queue_state() -> QueueState:
    """Jobs due to run now and since when the oldest has been due (its enqueue time, or its
    `run_after` when it was scheduled for later, as a retry is)."""
    due_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    row = DBTaskResult.objects.ready().aggregate(waiting=Count("pk"), oldest=Min(due_since))
    return QueueState(waiting=row["waiting"], oldest_enqueued_at=row["oldest"])


def readiness() -> tuple[int, dict[str, Any]]:
    """The /readyz answer: its HTTP status and its JSON body."""
    body: dict[str, Any] = {"status": "ok"}
    database = database_problem()
    body["database"] = database or "ok"
    storage = storage_problem()
    body["storage"] = storage or "ok"
    if database is not None:
        # The queue lives in the database: asking would wait for the same timeout again.
        body["jobs"] = {"status": "unknown"}
    else:
        try:
            queue = job_queue_state()
        except DatabaseError as exc:  # the queue's table missing: a database not migrated
            body["jobs"] = {"status": "unknown", "error": exc.__class__.__name__}
        else:
            age = queue.oldest_age_seconds()
            body["jobs"] = {
                "status": "behind" if queue.behind else "ok",
                "waiting": queue.waiting,
                "oldest_waiting_seconds": None if age is None else round(age, 1),
            }
    if database is not None:
        body["status"] = "unavailable"
        return 503, body
    if storage is not None or body["jobs"]["status"] != "ok":
        body["status"] = "degraded"
    return 200, body
