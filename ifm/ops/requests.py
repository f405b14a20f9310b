"""Every request counted once: the request middleware calls `record_request`, which feeds both
the Prometheus metrics (ifm.ops.metrics) and the per-minute aggregates in the database
(`RequestMinute`) that the operations page, the alerts and the rollout console read.

The database side is buffered in the process: requests add to an in-memory table, and the
first request after REQUEST_FLUSH_SECONDS (default 10) writes the buffer with one upsert per
row (INSERT ... ON CONFLICT DO UPDATE, the same statement on SQLite and PostgreSQL). So a
busy process writes a handful of rows every ten seconds, never one per request. A failed
write keeps the buffer for the next try; what a process holds when it dies (at most one
interval) is lost, which a per-minute view can live with.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from ifm.ops import metrics, usage
from ifm.ops.models import BUCKET_FIELDS, LATENCY_EDGES_MS, RequestMinute

log = logging.getLogger("ifm.ops")

UNMATCHED = "unmatched"
# Answers that must not wait on the database: the health checks (a load balancer polls them
# while the database may be away). Their requests are counted and written by the next other.
NO_FLUSH_ROUTES = frozenset({"healthz", "readyz"})
# (minute, route, method, status class, organization id) -> [count, duration sum, buckets...]
Key = tuple[datetime, str, str, str, int]
_buffer: dict[Key, list[float]] = {}
_lock = threading.Lock()
_last_flush = time.monotonic()


def route_of(request: HttpRequest) -> str:
    """The resolved URL's name with its namespaces (`donors:donor_detail`), never the raw
    path: a bounded set of labels, and no ids or slugs in them."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return str(match.view_name or match.route or UNMATCHED)[:200]


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "5xx"


def _bucket(duration_ms: float) -> int:
    for i, edge in enumerate(LATENCY_EDGES_MS):
        if duration_ms <= edge:
            return i
    return len(LATENCY_EDGES_MS)


def record_request(request: HttpRequest, response: HttpResponseBase, duration_s: float) -> None:
    """Count one request. Never raises: counting must not turn an answer into an error."""
    try:
        route = route_of(request)
        method = request.method if request.method in metrics.METHODS else "other"
        klass = status_class(response.status_code)
        metrics.observe_request(route, method, klass, duration_s)
        org = getattr(request, "org", None)
        org_id = int(getattr(org, "pk", 0) or 0)
        minute = timezone.now().replace(second=0, microsecond=0)
        duration_ms = duration_s * 1000
        key = (minute, route, method, klass, org_id)
        with _lock:
            row = _buffer.get(key)
            if row is None:
                row = _buffer[key] = [0.0] * (2 + len(BUCKET_FIELDS))
            row[0] += 1
            row[1] += duration_ms
            row[2 + _bucket(duration_ms)] += 1
        user = getattr(request, "user", None)
        if org_id and user is not None and user.is_authenticated:
            usage.count_request(
                user_id=int(user.pk),
                organization_id=org_id,
                route=route,
                method=request.method or "",
                status=response.status_code,
                htmx=request.headers.get("HX-Request") == "true",
            )
        # Not from a 5xx answer either: it may be the database that is failing, and the
        # counts wait in memory for a healthy request rather than slowing a failing one.
        if (
            time.monotonic() - _last_flush >= flush_seconds()
            and klass != "5xx"
            and route not in NO_FLUSH_ROUTES
        ):
            flush()
    except Exception:
        log.exception("Could not count a request")


def flush_seconds() -> float:
    return float(getattr(settings, "REQUEST_FLUSH_SECONDS", 10))


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    table = q(RequestMinute._meta.db_table)
    key = ["minute", "route", "method", "status_class", "organization_id"]
    values = ["count", "duration_ms_sum", *BUCKET_FIELDS]
    columns = ", ".join(q(c) for c in key + values)
    marks = ", ".join(["%s"] * (len(key) + len(values)))
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in values)
    # Only our own table and column names, quoted, are put in; the values are parameters.
    conflict = ", ".join(q(c) for c in key)
    insert = f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
    return insert + f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"


def flush() -> int:
    """Write the buffered counts to the database (the usage counts too: ifm.ops.usage);
    returns the request rows written."""
    global _last_flush
    with _lock:
        rows = list(_buffer.items())
        _buffer.clear()
        _last_flush = time.monotonic()
    usage.flush()  # the usage counts of the same requests, in their own tables
    if not rows:
        return 0
    params: list[list[Any]] = []
    for (minute, route, method, klass, org_id), values in rows:
        minute_value = minute if settings.USE_TZ else timezone.make_naive(minute)
        params.append(
            [minute_value, route, method, klass, org_id, int(values[0]), values[1]]
            + [int(v) for v in values[2:]]
        )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(), params)
    except DatabaseError:
        # The database is busy or away: keep the counts for the next flush.
        with _lock:
            for key, values in rows:
                kept = _buffer.setdefault(key, [0.0] * len(values))
                for i, value in enumerate(values):
                    kept[i] += value
        log.warning("Could not write the request counts; kept for the next try")
        return 0
    return len(rows)


def discard_buffer() -> None:
    """Forget unwritten counts, usage included (tests start from nothing)."""
    with _lock:
        _buffer.clear()
    usage.discard_buffer()
