"""Reads of the ops pages: background jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from ifm.core.tasks import policy_for
from ifm.ops.jobs import last_line
from ifm.ops.models import JobFailure
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
