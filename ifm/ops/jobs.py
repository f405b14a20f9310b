"""Automatic retries of failed background jobs, and job ids in the worker's log lines.

django-tasks marks a job FAILED when its function raises and then sends `task_finished`.
Here, if the task's retry policy (ifm.core.tasks.retry_policy) allows another attempt, the
same row goes back to READY with a later `run_after`, so one job keeps one id and its
attempts add up in `worker_ids`. Every failed attempt is kept as a JobFailure; the row keeps
the exception and traceback of the last one. After the last attempt the job stays FAILED
and shows on the jobs pages, where platform staff can retry it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.core.tasks import policy_for
from ifm.ops.logging import request_id_var
from ifm.ops.models import JobFailure

log = logging.getLogger("ifm.jobs")

MAX_KEPT_TRACEBACK = 20_000


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    request_id_var.set(f"job-{task_result.id}")


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    try:
        db_result = getattr(task_result, "db_result", None)
        if task_result.status == TaskResultStatus.FAILED and isinstance(db_result, DBTaskResult):
            record_failure(db_result)
    except Exception:
        # The worker runs signal receivers unguarded: a failure here must not stop it.
        log.exception("Could not record the failure of job %s", task_result.id)
    finally:
        request_id_var.set("-")


@transaction.atomic
def record_failure(job: DBTaskResult) -> JobFailure:
    """Keep this attempt's error and, when the policy allows, queue the job again."""
    attempts = len(job.worker_ids)
    policy = policy_for(job.task_path)
    now = timezone.now()
    retry_at = None
    if attempts < policy.max_attempts:
        retry_at = now + timedelta(seconds=policy.delay_after(attempts))
    failure = JobFailure.objects.create(
        job=job,
        attempt=attempts,
        worker_id=str(job.worker_ids[-1]) if job.worker_ids else "",
        exception_class_path=job.exception_class_path,
        message=last_line(job.traceback)[:2000],
        traceback=job.traceback[-MAX_KEPT_TRACEBACK:],
        failed_at=job.finished_at or now,
        retry_at=retry_at,
    )
    extra = {
        "job_id": str(job.pk),
        "task": job.task_path,
        "attempt": attempts,
        "max_attempts": policy.max_attempts,
    }
    if retry_at is not None:
        DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=retry_at, finished_at=None
        )
        log.warning(
            "Job %s failed (attempt %s of %s); retrying at %s",
            job.pk,
            attempts,
            policy.max_attempts,
            retry_at.isoformat(),
            extra=extra,
        )
    else:
        log.error(
            "Job %s failed on its last attempt (%s of %s)",
            job.pk,
            attempts,
            policy.max_attempts,
            extra=extra,
        )
    return failure


def last_line(traceback: str) -> str:
    """The "ExceptionClass: message" line a formatted traceback ends with."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
