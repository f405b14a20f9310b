"""The rollout metrics day by day over a window, for the charts of the rollout console: requests,
5xx answers and the error rate, the API's p95 and real users' page-load p75, each day of the
window for the given organizations. One query per source (request counts, page loads; the
request counts shared with the per-organization figures, ifm.ops.request_days): never a query
per day or per organization.

A day with nothing to divide by has None ("no data"), never zero; request counts are kept 35
days, so an older day's requests are None too, not zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ifm.ops.alerts import KEEP_MINUTES_FOR
from ifm.ops.models import BUCKET_FIELDS, PAGE_LOAD_EDGES_MS, PAGE_LOAD_FIELDS, PageLoadDay
from ifm.ops.request_days import RequestDays, read_request_days
from ifm.ops.selectors import latency_quantile
from ifm.ops.usage_metrics import window


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def page_load_days(
    organization_ids: Iterable[int], start: date, end: date
) -> dict[date, list[int]]:
    """Per day with page loads: the LCP bucket counts over the organizations' pages."""
    sums: dict[str, Any] = {name: Coalesce(Sum(name), 0) for name in PAGE_LOAD_FIELDS}
    rows: Any = (
        PageLoadDay.objects.filter(
            day__gte=start, day__lte=end, organization_id__in=list(organization_ids)
        )
        .order_by()
        .values("day")
        .annotate(**sums)
    )
    return {row["day"]: [int(row[name]) for name in PAGE_LOAD_FIELDS] for row in rows}


def daily_series(
    *,
    organization_ids: list[int],
    start: date | None = None,
    end: date | None = None,
    request_days: RequestDays | None = None,
) -> list[dict[str, Any]]:
    """Each day of the window, oldest first: `day`, `requests`, `errors_5xx`, `error_rate`,
    `api_p95_ms` and `page_load_p75_ms` (None where nothing was counted to give it).
    `request_days`: the same window's request counts when the caller has read them already."""
    start, end = window(start, end)
    if request_days is None or not request_days.covers(organization_ids, start, end):
        request_days = read_request_days(organization_ids, start, end)
    requests = request_days.per_day()
    loads = page_load_days(organization_ids, start, end)
    kept_from = (timezone.now() - KEEP_MINUTES_FOR).date() + timedelta(days=1)
    out = []
    for day in _days(start, end):
        counted = requests.get(day)
        if counted is None and day >= kept_from:
            counted = {"requests": 0, "errors": 0, "api_buckets": [0] * len(BUCKET_FIELDS)}
        buckets = loads.get(day)
        api_buckets = counted["api_buckets"] if counted else None
        out.append(
            {
                "day": day.isoformat(),
                "requests": counted["requests"] if counted else None,
                "errors_5xx": counted["errors"] if counted else None,
                "error_rate": round(counted["errors"] / counted["requests"], 4)
                if counted and counted["requests"]
                else None,
                "api_p95_ms": _ms(latency_quantile(api_buckets, 0.95))
                if api_buckets and sum(api_buckets)
                else None,
                "page_load_p75_ms": _ms(latency_quantile(buckets, 0.75, PAGE_LOAD_EDGES_MS))
                if buckets and sum(buckets)
                else None,
            }
        )
    return out
