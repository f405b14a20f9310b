"""Reads of the ops pages: background jobs, request statistics over a window (the operations
page, the alerts and the rollout console read the same numbers), failed sign-ins, backups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from ifm.audit.models import AuditEvent
from ifm.core.org_context import all_organizations
from ifm.core.tasks import policy_for
from ifm.ops import backup_status
from ifm.ops.backups.models import BackupRun
from ifm.ops.jobs import last_line
from ifm.ops.models import BUCKET_FIELDS, LATENCY_EDGES_MS, JobFailure, RequestMinute
from ifm.tenancy.models import Organization

JOB_STATUSES: dict[str, str] = {
    "ready": TaskResultStatus.READY,
    "running": TaskResultStatus.RUNNING,
    "successful": TaskResultStatus.SUCCESSFUL,
    "failed": TaskResultStatus.FAILED,
}


@dataclass
class JobRow:
    job: DBTaskResult
    task_name: str
    attempts: int
    max_attempts: int
    organization: Organization | None
    last_error: str
    run_after: datetime | None
    failures: list[JobFailure] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.job.status).lower()

    @property
    def can_retry(self) -> bool:
        return self.job.status == TaskResultStatus.FAILED


def job_list(*, status: str | None = None, organization_id: int | None = None) -> QuerySet:
    """Jobs, newest first; `organization_id` keeps those whose kwargs name that organization."""
    jobs = DBTaskResult.objects.order_by("-enqueued_at", "-pk")
    if status:
        jobs = jobs.filter(status=JOB_STATUSES[status])
    if organization_id is not None:
        # A JSON key lookup: JSON_EXTRACT on SQLite, the -> operator on PostgreSQL.
        jobs = jobs.filter(args_kwargs__kwargs__organization_id=organization_id)
    return jobs


def job_status_counts(*, organization_id: int | None = None) -> dict[str, int]:
    jobs = job_list(organization_id=organization_id)
    by_status = {
        row["status"]: row["n"] for row in jobs.order_by().values("status").annotate(n=Count("pk"))
    }
    return {name: by_status.get(value, 0) for name, value in JOB_STATUSES.items()}


def job_rows(jobs: list[DBTaskResult], *, with_failures: bool = False) -> list[JobRow]:
    """What the jobs tables show for each job of one page."""
    org_ids = {_organization_id(job) for job in jobs} - {None}
    orgs = Organization.objects.in_bulk(org_ids) if org_ids else {}
    failures: dict[Any, list[JobFailure]] = {}
    if with_failures and jobs:
        for failure in JobFailure.objects.filter(job__in=jobs).order_by("attempt", "pk"):
            failures.setdefault(failure.job_id, []).append(failure)
    date_max = get_date_max()
    rows = []
    for job in jobs:
        org_id = _organization_id(job)
        rows.append(
            JobRow(
                job=job,
                task_name=job.task_path.rsplit(".", 1)[-1],
                attempts=len(job.worker_ids),
                max_attempts=policy_for(job.task_path).max_attempts,
                organization=orgs.get(org_id) if org_id is not None else None,
                last_error=last_line(job.traceback) if job.exception_class_path else "",
                run_after=None if job.run_after == date_max else job.run_after,
                failures=failures.get(job.pk, []),
            )
        )
    return rows


def _organization_id(job: DBTaskResult) -> int | None:
    kwargs = (job.args_kwargs or {}).get("kwargs") or {}
    value = kwargs.get("organization_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ---------------------------------------------------------------- requests over a window


@dataclass(frozen=True)
class WindowStats:
    """Requests of a window: how many, how many answered 5xx, and the latency."""

    count: int = 0
    errors: int = 0
    duration_ms_sum: float = 0.0
    buckets: tuple[int, ...] = (0,) * len(BUCKET_FIELDS)

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    @property
    def mean_ms(self) -> float:
        return self.duration_ms_sum / self.count if self.count else 0.0

    @property
    def p95_ms(self) -> float:
        return latency_quantile(self.buckets, 0.95)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "requests": self.count,
            "errors_5xx": self.errors,
            "error_rate": round(self.error_rate, 4),
            "p95_ms": round(self.p95_ms, 1),
            "mean_ms": round(self.mean_ms, 1),
        }


def latency_quantile(
    buckets: tuple[int, ...] | list[int], q: float, edges: tuple[int, ...] = LATENCY_EDGES_MS
) -> float:
    """The q-quantile in milliseconds from per-bucket counts (bucket i up to `edges[i]`, then
    one open bucket), interpolated inside its bucket as Prometheus' histogram_quantile does;
    the open last bucket answers its lower edge."""
    total = sum(buckets)
    if not total:
        return 0.0
    rank = q * total
    seen = 0
    lower = 0.0
    for i, n in enumerate(buckets):
        if i >= len(edges):
            return float(edges[-1])
        upper = float(edges[i])
        if n and seen + n >= rank:
            return lower + (upper - lower) * (rank - seen) / n
        seen += n
        lower = upper
    return lower


def _sums() -> dict[str, Any]:
    sums: dict[str, Any] = {
        "n": Coalesce(Sum("count"), 0),
        "duration": Coalesce(Sum("duration_ms_sum"), 0.0),
        "errors": Coalesce(Sum("count", filter=Q(status_class="5xx")), 0),
    }
    for name in BUCKET_FIELDS:
        sums[name] = Coalesce(Sum(F(name)), 0)
    return sums


def _stats(row: dict[str, Any]) -> WindowStats:
    return WindowStats(
        count=int(row["n"]),
        errors=int(row["errors"]),
        duration_ms_sum=float(row["duration"]),
        buckets=tuple(int(row[name]) for name in BUCKET_FIELDS),
    )


def request_minutes(
    *, since: datetime, until: datetime | None = None, organization_id: int | None = None
) -> QuerySet:
    rows = RequestMinute.objects.filter(minute__gte=since)
    if until is not None:
        rows = rows.filter(minute__lt=until)
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    return rows


def request_stats(
    *, minutes: int = 5, until: datetime | None = None, organization_id: int | None = None
) -> WindowStats:
    """Requests of the last `minutes` whole and current minutes (the current one so far)."""
    since = _window_start(minutes, until)
    rows = request_minutes(since=since, until=until, organization_id=organization_id)
    return _stats(rows.aggregate(**_sums()))


def request_stats_per_organization(
    *,
    since: datetime,
    until: datetime,
    organization_ids: list[int] | None = None,
    api: bool = False,
) -> dict[int, WindowStats]:
    """Requests between two instants per organization (0 for requests with none), all routes
    or the API's alone (`api:*`): what the rollout console's error rate and API p95 read."""
    rows = request_minutes(since=since, until=until)
    if organization_ids is not None:
        rows = rows.filter(organization_id__in=organization_ids)
    if api:
        rows = rows.filter(route__startswith="api:")
    grouped = rows.order_by().values("organization_id").annotate(**_sums())
    return {int(row["organization_id"]): _stats(row) for row in grouped}


def request_stats_by(
    by: str, *, minutes: int = 5, until: datetime | None = None, limit: int = 20
) -> list[tuple[str | int, WindowStats]]:
    """The same, per route (`by="route"`) or per organization (`by="organization_id"`, 0 for
    requests with none), the busiest first."""
    if by not in ("route", "organization_id"):
        raise ValueError(by)
    rows = (
        request_minutes(since=_window_start(minutes, until), until=until)
        .order_by()
        .values(by)
        .annotate(**_sums())
        .order_by("-n")[:limit]
    )
    return [(row[by], _stats(row)) for row in rows]


def request_series(
    *, minutes: int, step_minutes: int, until: datetime | None = None
) -> list[tuple[datetime, WindowStats]]:
    """Consecutive steps of `step_minutes` covering the last `minutes`, oldest first, each
    with its stats (an empty step has zero requests): what the charts draw."""
    end = (until or timezone.now()).replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    steps = [start + timedelta(minutes=step_minutes * i) for i in range(minutes // step_minutes)]
    acc: dict[datetime, dict[str, Any]] = {}
    fields = ["minute", "count", "duration_ms_sum", "status_class", *BUCKET_FIELDS]
    for row in request_minutes(since=start, until=end).values(*fields).iterator():
        offset = int((row["minute"] - start).total_seconds() // 60) // step_minutes
        key = start + timedelta(minutes=step_minutes * offset)
        bucket = acc.setdefault(
            key, {"n": 0, "errors": 0, "duration": 0.0} | dict.fromkeys(BUCKET_FIELDS, 0)
        )
        bucket["n"] += row["count"]
        bucket["duration"] += row["duration_ms_sum"]
        if row["status_class"] == "5xx":
            bucket["errors"] += row["count"]
        for name in BUCKET_FIELDS:
            bucket[name] += row[name]
    return [(key, _stats(acc[key]) if key in acc else WindowStats()) for key in steps]


def _window_start(minutes: int, until: datetime | None) -> datetime:
    end = (until or timezone.now()).replace(second=0, microsecond=0)
    return end - timedelta(minutes=minutes - 1)


# ---------------------------------------------------------------- sign-ins and backups


def signin_failures(
    *, minutes: int = 1, until: datetime | None = None
) -> tuple[int, dict[str, int]]:
    """Failed sign-ins (wrong passwords and codes, as the audit log records them) in the last
    `minutes`: the total and the count per client address, the most first."""
    end = until or timezone.now()
    rows = AuditEvent.objects.filter(
        action="auth.sign_in_failed",
        created_at__gt=end - timedelta(minutes=minutes),
        created_at__lte=end,
    )
    # Sign-in events belong to no organization: on PostgreSQL, row-level security shows them
    # only in the across-organizations scope.
    with all_organizations():
        by_ip = {
            str(row["ip_address"] or "unknown"): row["n"]
            for row in rows.order_by().values("ip_address").annotate(n=Count("pk")).order_by("-n")
        }
    return sum(by_ip.values()), by_ip


def last_backup_times() -> dict[str, datetime | None]:
    """When the last successful backup finished and the last restore verification passed
    (ifm.ops.backups records every run); None where none has yet: /metrics leaves that
    timestamp out and the backup alert stays quiet until backups have started."""
    return backup_status.last_backup_times()


def last_backup_failed_verification() -> bool:
    """Whether the latest finished restore verification failed."""
    latest = backup_status.last_backup_runs()[str(BackupRun.Kind.VERIFY)]
    return latest is not None and not latest.ok
