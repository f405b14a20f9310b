"""The Prometheus metrics behind /metrics.

Two kinds:
* Counted as things happen, in the process (prometheus-client): requests and their latency by
  route, method and status class (fed by ifm.ops.requests), failed sign-ins. Under gunicorn
  each worker process writes its values to files in PROMETHEUS_MULTIPROC_DIR and a scrape adds
  them up (prometheus-client's multiprocess mode); `gunicorn.conf.py` and `ifm serve` empty
  that directory at start. Without the variable the values live in the one process.
* Read from the database at scrape time, so every web process answers the same and the
  worker's work shows wherever it ran: jobs, queue depth and age, database load, backups,
  organizations and users.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from ifm.accounts.models import User
from ifm.ops.dbstats import database_load
from ifm.ops.models import JobFailure
from ifm.ops.selectors import last_backup_times
from ifm.tenancy.models import Organization

CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; the same edges as the per-minute buckets in the database (ifm.ops.models).
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, float("inf"))
ACTIVE_USER_DAYS = 30

# The in-process metrics live in a registry of their own (not the library's global one), so a
# scrape never mixes in the library's default process metrics twice in multiprocess mode.
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "ifm_http_requests",
    "HTTP requests answered, by route name, method and status class.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "ifm_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
SERVER_ERRORS = Counter(
    "ifm_http_server_errors",
    "HTTP requests answered with a 5xx status, by route name.",
    ["route"],
    registry=REGISTRY,
)
SIGNIN_FAILURES = Counter(
    "ifm_signin_failures",
    "Failed sign-ins (wrong password or wrong authenticator code), by step.",
    ["step"],
    registry=REGISTRY,
)


def observe_request(route: str, method: str, status_class: str, duration_s: float) -> None:
    REQUESTS.labels(route, method, status_class).inc()
    LATENCY.labels(route, method, status_class).observe(duration_s)
    if status_class == "5xx":
        SERVER_ERRORS.labels(route).inc()


def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    step = "second_factor" if credentials.get("step") == "second_factor" else "password"
    SIGNIN_FAILURES.labels(step).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class PlatformCollector:
    """The metrics read from the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from self._jobs()
        yield from self._database()
        yield from self._backups()
        yield from self._tenants()

    def _jobs(self) -> Iterator[Metric]:
        by_status = dict(
            DBTaskResult.objects.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        jobs = GaugeMetricFamily("ifm_jobs", "Background jobs kept, by status.", labels=["status"])
        for status in TaskResultStatus:
            jobs.add_metric([str(status.value).lower()], by_status.get(status.value, 0))
        yield jobs
        # Counters over the jobs kept (pruning old jobs lowers them; rate() copes with resets).
        yield CounterMetricFamily(
            "ifm_jobs_enqueued", "Background jobs enqueued.", value=sum(by_status.values())
        )
        yield CounterMetricFamily(
            "ifm_jobs_succeeded",
            "Background jobs that succeeded.",
            value=by_status.get(TaskResultStatus.SUCCESSFUL.value, 0),
        )
        yield CounterMetricFamily(
            "ifm_jobs_failed",
            "Background jobs that failed for good (no attempt left).",
            value=by_status.get(TaskResultStatus.FAILED.value, 0),
        )
        yield CounterMetricFamily(
            "ifm_jobs_retried",
            "Failed attempts of background jobs that were queued again.",
            value=JobFailure.objects.filter(retry_at__isnull=False).count(),
        )
        now = timezone.now()
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, run_after__lte=now
        ) | DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__isnull=True)
        summary = waiting.aggregate(n=Count("pk"), oldest=Min("enqueued_at"))
        yield GaugeMetricFamily(
            "ifm_job_queue_depth", "Jobs due and waiting for a worker.", value=summary["n"]
        )
        oldest = summary["oldest"]
        yield GaugeMetricFamily(
            "ifm_job_queue_oldest_age_seconds",
            "Age of the oldest job due and waiting for a worker (0 when none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )

    def _database(self) -> Iterator[Metric]:
        load = database_load()
        values = {
            "ifm_db_connections": ("Database connections in use.", load.connections),
            "ifm_db_active_queries": ("Queries running now.", load.active_queries),
            "ifm_db_longest_query_seconds": (
                "How long the longest running query has run.",
                load.longest_query_seconds,
            ),
            "ifm_db_lock_waits": ("Sessions waiting for a lock.", load.lock_waits),
            "ifm_host_cpu_load_per_core": (
                "One-minute load average per core of the host serving this scrape.",
                load.cpu_load_per_core,
            ),
        }
        for name, (doc, value) in values.items():
            if value is not None:  # absent where the database or host does not say
                yield GaugeMetricFamily(name, doc, value=value)

    def _backups(self) -> Iterator[Metric]:
        names = {
            "backup": ("ifm_backup_last_success_timestamp_seconds", "Last successful backup."),
            "verify": (
                "ifm_backup_last_verified_restore_timestamp_seconds",
                "Last restore verification that passed.",
            ),
        }
        for kind, when in last_backup_times().items():
            if when is not None:
                name, doc = names[kind]
                yield GaugeMetricFamily(name, doc + " (Unix time)", value=when.timestamp())

    def _tenants(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "ifm_organizations",
            "Organizations on the platform.",
            value=Organization.objects.count(),
        )
        since = timezone.now() - timedelta(days=ACTIVE_USER_DAYS)
        yield GaugeMetricFamily(
            "ifm_active_users",
            f"Active accounts that signed in within {ACTIVE_USER_DAYS} days.",
            value=User.objects.filter(is_active=True, last_login__gte=since).count(),
        )


def scrape() -> bytes:
    """The whole exposition, in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=True)
    if multiprocess_dir():
        MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    platform = CollectorRegistry(auto_describe=False)  # collected once, at generate_latest
    platform.register(PlatformCollector())
    return text + generate_latest(platform)
