"""The request counts of a window of days for some organizations, read in one pass and kept per
organization and day, for the rollout metrics: their per-organization figures (error rate, the
API's p95) and their day-by-day charts come from the same read.

The database groups the window's request minutes by organization, day, whether the route is
the API's and whether the answer was a 5xx, with plain sums (no filtered aggregates, each of
which would test its condition on every row); everything else is added up here from those few
thousand groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ifm.ops.models import BUCKET_FIELDS
from ifm.ops.selectors import WindowStats, request_minutes


class Day(TruncDate):
    """The day of an instant. On SQLite with the UTC clock the database's own date() (Django's
    TruncDate calls back into Python for every row: most of a page's time over 35 days of
    request counts); elsewhere TruncDate."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        if timezone.get_current_timezone_name() != "UTC":
            return super().as_sql(compiler, connection, **extra)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql})", params


@dataclass(frozen=True)
class Cell:
    """One group: an organization's requests of one day, API or not, 5xx or not."""

    organization_id: int
    day: date
    api: bool
    failed: bool
    count: int
    duration_ms_sum: float
    buckets: tuple[int, ...]


def _add(into: dict[Any, list[Any]], key: Any, cell: Cell) -> None:
    acc = into.get(key)
    if acc is None:
        acc = into[key] = [0, 0, 0.0, [0] * len(BUCKET_FIELDS)]
    acc[0] += cell.count
    if cell.failed:
        acc[1] += cell.count
    acc[2] += cell.duration_ms_sum
    buckets = acc[3]
    for i, n in enumerate(cell.buckets):
        buckets[i] += n


def _stats(acc: list[Any]) -> WindowStats:
    return WindowStats(count=acc[0], errors=acc[1], duration_ms_sum=acc[2], buckets=tuple(acc[3]))


@dataclass(frozen=True)
class RequestDays:
    """The window's request counts per organization and day (see the module's docstring)."""

    organization_ids: frozenset[int]
    start: date
    end: date
    cells: tuple[Cell, ...]

    def covers(self, organization_ids: Iterable[int], start: date, end: date) -> bool:
        """Whether these are the counts of exactly these organizations and days."""
        return (self.start, self.end) == (start, end) and self.organization_ids == frozenset(
            int(i) for i in organization_ids
        )

    def per_organization(self) -> tuple[dict[int, WindowStats], dict[int, WindowStats]]:
        """Every route's figures per organization, and the API's alone (organizations with
        API requests only)."""
        every: dict[Any, list[Any]] = {}
        api: dict[Any, list[Any]] = {}
        for cell in self.cells:
            _add(every, cell.organization_id, cell)
            if cell.api:
                _add(api, cell.organization_id, cell)
        return (
            {org: _stats(acc) for org, acc in every.items()},
            {org: _stats(acc) for org, acc in api.items() if acc[0]},
        )

    def per_day(self) -> dict[date, dict[str, Any]]:
        """Per day with requests: `requests`, `errors` (5xx) and the API's latency buckets."""
        every: dict[Any, list[Any]] = {}
        api: dict[Any, list[Any]] = defaultdict(lambda: [0, 0, 0.0, [0] * len(BUCKET_FIELDS)])
        for cell in self.cells:
            _add(every, cell.day, cell)
            if cell.api:
                _add(api, cell.day, cell)
        return {
            day: {"requests": acc[0], "errors": acc[1], "api_buckets": list(api[day][3])}
            for day, acc in every.items()
        }


def read_request_days(organization_ids: Iterable[int], start: date, end: date) -> RequestDays:
    """The request counts of the days `start` to `end` (both included) for the organizations,
    in one query."""
    ids = frozenset(int(i) for i in organization_ids)
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    sums: dict[str, Any] = {
        "n": Coalesce(Sum("count"), 0),
        "duration": Coalesce(Sum("duration_ms_sum"), 0.0),
    }
    for name in BUCKET_FIELDS:
        sums[name] = Coalesce(Sum(name), 0)
    rows = (
        request_minutes(since=since, until=until)
        .filter(organization_id__in=sorted(ids))
        .annotate(
            day=Day("minute"),
            is_api=ExpressionWrapper(Q(route__startswith="api:"), output_field=BooleanField()),
            failed=ExpressionWrapper(Q(status_class="5xx"), output_field=BooleanField()),
        )
        .order_by()
        .values_list("organization_id", "day", "is_api", "failed")
        .annotate(**sums)
    )
    cells = tuple(
        Cell(
            organization_id=int(org),
            day=day,
            api=bool(is_api),
            failed=bool(failed),
            count=int(n),
            duration_ms_sum=float(duration),
            buckets=tuple(int(b) for b in buckets),
        )
        for org, day, is_api, failed, n, duration, *buckets in rows
    )
    return RequestDays(organization_ids=ids, start=start, end=end, cells=cells)
