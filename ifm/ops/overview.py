"""The operations page's data, one selector for the page and its JSON twin: requests, error
rate and p95, failed sign-ins, jobs, the database, uptime over 30 days, alerts, backups.

Uptime counts minutes with evidence: a minute is up when the platform's own check passed
(PlatformCheck, written by the alert evaluation every minute) or requests were answered
with at most half of them 5xx; it is down when the check failed or more than half of its
requests were 5xx. Minutes with neither (no worker and no traffic) are reported apart as
"no data" rather than guessed either way.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.ops import selectors
from ifm.ops.alerts import alert_list
from ifm.ops.dbstats import database_load
from ifm.ops.models import Alert, PlatformCheck, RequestMinute
from ifm.tenancy.models import Organization

UPTIME_DAYS = 30


def uptime(*, days: int = UPTIME_DAYS, now: datetime | None = None) -> dict[str, Any]:
    end = (now or timezone.now()).replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(days=days)
    minutes: dict[datetime, bool] = {}
    per_minute = (
        RequestMinute.objects.filter(minute__gte=start, minute__lt=end)
        .order_by()
        .values("minute")
        .annotate(n=Sum("count"), errors=Sum("count", filter=Q(status_class="5xx")))
    )
    for row in per_minute:
        minutes[row["minute"]] = (row["errors"] or 0) * 2 <= row["n"]
    for minute, ok in PlatformCheck.objects.filter(minute__gte=start, minute__lt=end).values_list(
        "minute", "database_ok"
    ):
        minutes[minute] = minutes.get(minute, True) and ok
    observed = len(minutes)
    down = sum(1 for ok in minutes.values() if not ok)
    return {
        "days": days,
        "observed_minutes": observed,
        "down_minutes": down,
        "no_data_minutes": days * 24 * 60 - observed,
        "percent": round(100 * (observed - down) / observed, 3) if observed else None,
    }


def _jobs() -> dict[str, Any]:
    counts = selectors.job_status_counts()
    now = timezone.now()
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after__lte=now) | Q(run_after__isnull=True)
    )
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("enqueued_at"))
    oldest = summary["oldest"]
    return {
        **counts,
        "queue_depth": summary["n"],
        "oldest_waiting_seconds": round((now - oldest).total_seconds()) if oldest else 0,
    }


def _alert(alert: Alert) -> dict[str, Any]:
    return {
        "key": alert.key,
        "rule": alert.rule,
        "severity": alert.severity,
        "summary": alert.summary,
        "opened_at": alert.opened_at,
        "resolved_at": alert.resolved_at,
        "notifications": alert.notifications,
        "delivery_error": alert.delivery_error,
    }


def operations_overview(*, now: datetime | None = None) -> dict[str, Any]:
    """Everything the operations page shows, as plain data (the JSON twin answers it)."""
    now = now or timezone.now()
    org_names = dict(Organization.objects.values_list("pk", "name"))
    by_org = selectors.request_stats_by("organization_id", minutes=60, until=now)
    total_1m, _ = selectors.signin_failures(minutes=1, until=now)
    total_1h, by_ip_1h = selectors.signin_failures(minutes=60, until=now)
    series = selectors.request_series(minutes=24 * 60, step_minutes=60, until=now)
    return {
        "generated_at": now,
        "requests": {
            "last_5_minutes": selectors.request_stats(minutes=5, until=now).as_dict(),
            "last_hour": selectors.request_stats(minutes=60, until=now).as_dict(),
            "last_24_hours": selectors.request_stats(minutes=24 * 60, until=now).as_dict(),
        },
        "routes": [
            {"route": route, **stats.as_dict()}
            for route, stats in selectors.request_stats_by("route", minutes=60, until=now)
        ],
        "organizations": [
            {
                "organization_id": org_id or None,
                "organization": org_names.get(int(org_id), "(none)") if org_id else "(none)",
                **stats.as_dict(),
            }
            for org_id, stats in by_org
        ],
        "hourly": [{"hour": hour, **stats.as_dict()} for hour, stats in series],
        "signin_failures": {
            "last_minute": total_1m,
            "last_hour": total_1h,
            "by_address_last_hour": [
                {"address": ip, "count": n} for ip, n in list(by_ip_1h.items())[:10]
            ],
        },
        "jobs": _jobs(),
        "database": asdict(database_load()),
        "uptime": uptime(now=now),
        "alerts": {
            "firing": [_alert(a) for a in alert_list(open_only=True)],
            "recent": [_alert(a) for a in alert_list(limit=20)],
        },
        "backups": selectors.last_backup_times(),
    }
