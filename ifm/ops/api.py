"""/api/v1/jobs/{job_uuid}/retry: queue a failed background job of the organization again,
through the service of the platform jobs page (`services.job_retry`), with its rule: only
IFM platform staff retry jobs.

Jobs are rows of the job queue, not tenant rows: a job belongs to the organization its
arguments name (`organization_id`), and another organization's job, like a missing one, is a
404. The path parameter is a UUID, named `job_uuid`: no tenant model stands behind it for
the isolation suite, so ifm/ops/tests/test_jobs_api.py proves the 404 itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import Http404
from django_tasks_db.models import DBTaskResult
from ninja import Field, Router, Schema

from ifm.accounts.http import OrgRequest
from ifm.ops import selectors, services

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: str
    task: str = Field(..., description="The job's task, e.g. import_commit_job.")
    status: str = Field(..., description="ready, running, successful or failed.")
    attempts: int
    run_after: datetime | None
    enqueued_at: datetime


def _job_out(job: DBTaskResult) -> dict[str, Any]:
    row = selectors.job_rows([job])[0]
    return {
        "id": str(job.pk),
        "task": row.task_name,
        "status": row.status,
        "attempts": row.attempts,
        "run_after": row.run_after,
        "enqueued_at": job.enqueued_at,
    }


@router.post(
    "/jobs/{uuid:job_uuid}/retry",
    response=JobOut,
    summary="Queue a failed job of the organization to run once more (IFM platform staff)",
)
def job_retry(request: OrgRequest, job_uuid: uuid.UUID) -> Any:
    if not selectors.job_list(organization_id=request.org.pk).filter(pk=job_uuid).exists():
        raise Http404
    job = services.job_retry(job_id=job_uuid, actor=request.user)
    return _job_out(job)
