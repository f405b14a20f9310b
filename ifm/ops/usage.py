"""Usage counted as requests are answered: which user of which organization used which feature
on which day, and how fast real users' pages painted.

`count_request` is called by `ifm.ops.requests.record_request` (the one place a request is
counted) with the route and status it already worked out. A request by a signed-in user of an
organization adds one to that user's `active` count for the day and, when its route belongs to
a feature of the module registry and it succeeded (`succeeded`), one to the feature (or to the
feature's `:start` for a route that opens a task). The counts wait in memory and are written
with the request counts (`flush`, one upsert per row, the same statement on SQLite and
PostgreSQL), so a request costs a dictionary lookup and an addition, never a query.

Page loads arrive from the browser (`ifm/static/ifm/app.js` posts each page's Largest
Contentful Paint); `record_page_load` adds them to per-day buckets the same way.
"""

from __future__ import annotations

import logging
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ifm.ops.models import PAGE_LOAD_EDGES_MS, PAGE_LOAD_FIELDS, PageLoadDay, UsageDay
from ifm.tenancy import modules

log = logging.getLogger("ifm.ops")

ACTIVE = "active"
START_SUFFIX = ":start"
KEEP_DAYS = 2 * 366  # two years, leap day included

# (day, organization id, user id, feature) -> count
_usage: dict[tuple[date, int, int, str], int] = {}
# (day, organization id, route) -> [count, lcp sum, buckets...]
_loads: dict[tuple[date, int, str], list[float]] = {}
_lock = threading.Lock()
# (method, route) -> the feature keys it counts for; rebuilt when the registry changes.
_index: dict[tuple[str, str], tuple[str, ...]] = {}
_index_of = -1


_today: tuple[date, float] = (date.min, 0.0)  # the local day and when it ends (Unix time)


def today() -> date:
    """The local date, worked out once a day: converting the time to the local zone costs
    more than all the rest of counting a request."""
    global _today
    now = clock.time()
    day, ends = _today
    if now >= ends:
        day = timezone.localdate()
        midnight = datetime.combine(day + timedelta(days=1), time.min)
        ends = timezone.make_aware(midnight).timestamp()
        _today = (day, ends)
    return day


def _parse(spec: str) -> tuple[str, str]:
    method, _, route = spec.strip().rpartition(" ")
    return (method.upper() or "*", route)


def route_index() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every feature route of every registered module, as (method or "*", route) -> the keys
    counted for it (`donation_record`, `donation_record:start`)."""
    global _index, _index_of
    generation = modules.registry_generation()
    if generation == _index_of:
        return _index
    index: dict[tuple[str, str], list[str]] = {}
    for module in modules.all_modules():
        for feature in module.features:
            for spec in feature.routes:
                index.setdefault(_parse(spec), []).append(feature.key)
            for spec in feature.starts:
                index.setdefault(_parse(spec), []).append(feature.key + START_SUFFIX)
    _index = {key: tuple(dict.fromkeys(keys)) for key, keys in index.items()}
    _index_of = generation
    return _index


def features_of(method: str, route: str) -> tuple[str, ...]:
    index = route_index()
    return index.get((method, route), ()) + index.get(("*", route), ())


READS = frozenset({"GET", "HEAD"})


def succeeded(*, method: str, route: str, status: int, htmx: bool = False) -> bool:
    """Did the request do what it was for? A read: a 2xx answer. A write through the API: a
    2xx. A write through a page: a redirect (the form moved on), a 201/204, or any 2xx to an
    HTMX request (which swaps in its result); a plain 200 to a page's POST is the form shown
    again with its errors, so it is not a use."""
    if method in READS or route.startswith("api:"):
        return 200 <= status < 300
    return 300 <= status < 400 or status in (201, 204) or (htmx and 200 <= status < 300)


def count_request(
    *,
    user_id: int,
    organization_id: int,
    route: str,
    method: str,
    status: int,
    htmx: bool = False,
) -> None:
    """Count one answered request of a signed-in user in an organization (no query)."""
    if not user_id or not organization_id:
        return
    day = today()
    keys: tuple[str, ...] = (ACTIVE,)
    if succeeded(method=method, route=route, status=status, htmx=htmx):
        keys += features_of(method, route)
    with _lock:
        for key in keys:
            k = (day, organization_id, user_id, key)
            _usage[k] = _usage.get(k, 0) + 1


def _load_bucket(lcp_ms: float) -> int:
    for i, edge in enumerate(PAGE_LOAD_EDGES_MS):
        if lcp_ms <= edge:
            return i
    return len(PAGE_LOAD_EDGES_MS)


def record_page_load(*, organization_id: int, route: str, lcp_ms: float) -> None:
    """Count one page's Largest Contentful Paint as the browser measured it."""
    key = (today(), organization_id, route[:200])
    with _lock:
        row = _loads.get(key)
        if row is None:
            row = _loads[key] = [0.0] * (2 + len(PAGE_LOAD_FIELDS))
        row[0] += 1
        row[1] += lcp_ms
        row[2 + _load_bucket(lcp_ms)] += 1


def _upsert(table: str, key: list[str], values: list[str]) -> str:
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in key + values)
    marks = ", ".join(["%s"] * (len(key) + len(values)))
    updates = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + excluded.{q(c)}" for c in values)
    conflict = ", ".join(q(c) for c in key)
    # Only our own table and column names, quoted, are put in; the values are parameters.
    insert = f"INSERT INTO {q(table)} ({columns}) VALUES ({marks}) "  # noqa: S608
    return insert + f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"


def flush() -> int:
    """Write what is buffered; returns the rows written. A failed write keeps the counts for
    the next try (the caller already logs and carries on)."""
    with _lock:
        usage = list(_usage.items())
        loads = list(_loads.items())
        _usage.clear()
        _loads.clear()
    if not usage and not loads:
        return 0
    usage_params: list[list[Any]] = [
        [day, org, user, feature, n] for (day, org, user, feature), n in usage
    ]
    load_params: list[list[Any]] = [
        [day, org, route, int(v[0]), v[1], *(int(x) for x in v[2:])]
        for (day, org, route), v in loads
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if usage_params:
                sql = _upsert(
                    UsageDay._meta.db_table,
                    ["day", "organization_id", "user_id", "feature"],
                    ["count"],
                )
                cursor.executemany(sql, usage_params)
            if load_params:
                sql = _upsert(
                    PageLoadDay._meta.db_table,
                    ["day", "organization_id", "route"],
                    ["count", "lcp_ms_sum", *PAGE_LOAD_FIELDS],
                )
                cursor.executemany(sql, load_params)
    except DatabaseError:
        _keep(usage, loads)
        log.warning("Could not write the usage counts; kept for the next try")
        return 0
    return len(usage_params) + len(load_params)


def _keep(usage: list[Any], loads: list[Any]) -> None:
    with _lock:
        for key, n in usage:
            _usage[key] = _usage.get(key, 0) + n
        for key, values in loads:
            kept = _loads.setdefault(key, [0.0] * len(values))
            for i, value in enumerate(values):
                kept[i] += value


def discard_buffer() -> None:
    with _lock:
        _usage.clear()
        _loads.clear()


def purge_old(*, today: date | None = None) -> int:
    """Delete usage and page-load rows older than two years; returns how many."""
    cutoff = (today or timezone.localdate()) - timedelta(days=KEEP_DAYS)
    usage, _ = UsageDay.objects.filter(day__lt=cutoff).delete()
    loads, _ = PageLoadDay.objects.filter(day__lt=cutoff).delete()
    return usage + loads
