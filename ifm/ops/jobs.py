"""Automatic retries of failed background jobs, and job ids in the worker's log lines.

django-tasks marks a job FAILED when its function raises and then sends `task_finished`.
Here, if the task's retry policy (ifm.core.tasks.retry_policy) allows another attempt, the
same row goes back to READY with a later `run_after`, so one job keeps one id and its
attempts add up in `worker_ids`. Every failed attempt is kept as a JobFailure; the row keeps
the exception and traceback of the last one. After the last attempt the job stays FAILED
and shows on the jobs pages, where platform staff can retry it. A job its organization may not
run (`JobRefused`: its module is not enabled) fails once, with that reason, and is not
retried. Either way `job_failed`
(ifm.core.tasks) tells the app that owns the job.

A worker that dies mid-job (killed, out of memory, machine lost) cannot mark its job failed.
`ifm worker` renews a lease (`WorkerBeat`) every few seconds; `reap_abandoned_jobs`, which
every such worker runs at start and then periodically, fails the RUNNING jobs of workers
whose lease ran out (`JOB_LEASE_SECONDS`) as if they had raised `WorkerLost`, so the
same retry policy applies.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.core.tasks import JobRefused, job_failed, job_lease_seconds, policy_for
from ifm.ops.logging import request_id_var
from ifm.ops.models import JobFailure, WorkerBeat

log = logging.getLogger("ifm.jobs")

MAX_KEPT_TRACEBACK = 20_000
REFUSED = f"{JobRefused.__module__}.{JobRefused.__qualname__}"


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
def record_failure(job: DBTaskResult, *, retry_now: bool = False) -> JobFailure:
    """Keep this attempt's error and, when the policy allows, queue the job again (after the
    policy's wait, or at once with `retry_now`: its worker died, the job did not fail)."""
    attempts = len(job.worker_ids)
    policy = policy_for(job.task_path)
    now = timezone.now()
    retry_at = None
    # A refused job (its module not enabled) would be refused again: it is not retried.
    refused = job.exception_class_path == REFUSED
    if attempts < policy.max_attempts and not refused:
        retry_at = now + timedelta(seconds=0 if retry_now else policy.delay_after(attempts))
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
    args_kwargs = job.args_kwargs if isinstance(job.args_kwargs, dict) else {}
    job_failed.send(
        sender=DBTaskResult,
        task_path=job.task_path,
        args=list(args_kwargs.get("args") or []),
        kwargs=dict(args_kwargs.get("kwargs") or {}),
        message=failure.message,
        final=retry_at is None,
    )
    return failure


class WorkerLost(Exception):
    """What a job abandoned by its worker is recorded as having raised."""


def worker_beat(*, worker_id: str, host: str = "", pid: int = 0) -> None:
    """Renew this worker's lease (create it on the first beat)."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            worker_id=worker_id, defaults={"host": host, "pid": pid, "beat_at": now}
        )


def worker_gone(*, worker_id: str) -> None:
    """A stopping worker ends its lease at once: should a job of it still be RUNNING, the next
    reaper run fails it (and removes the lease)."""
    WorkerBeat.objects.filter(worker_id=worker_id).update(
        beat_at=timezone.now() - timedelta(days=1)
    )


def process_space() -> str:
    """Where a worker's pid means something: the host name and, on Linux, the boot and the pid
    namespace (two containers may share a host name but not a pid namespace)."""
    host = socket.gethostname()
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return host[:255]
    return f"{host} (boot {boot}, pid namespace {namespace})"[-255:]


def _pid_gone(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _dead_here() -> dict[str, Any]:
    """Leases of workers on this machine (same boot, same pid namespace) whose process is gone:
    dead now, whatever their lease says (a worker restarted after kill -9 takes its job back
    at once instead of after JOB_LEASE_SECONDS). A reused pid only delays this to the lease."""
    here = process_space()
    if "pid namespace" not in here:
        return {}
    return {
        worker_id: beat_at
        for worker_id, pid, beat_at in WorkerBeat.objects.filter(host=here).values_list(
            "worker_id", "pid", "beat_at"
        )
        if pid != os.getpid() and _pid_gone(pid)
    }


def reap_abandoned_jobs(*, lease_seconds: int | None = None) -> list[str]:
    """Fail every RUNNING job whose worker's lease ran out, or whose worker process on this
    machine is gone; the retry policy then queues it again (at once: the job did not fail, its
    worker vanished) or gives up, and `job_failed` tells its app. Returns the ids of the jobs
    failed.

    Only jobs claimed by a worker that keeps a lease (`ifm worker`) are judged: a job of a
    plain `db_worker` has no lease and is left alone."""
    lease = lease_seconds if lease_seconds is not None else job_lease_seconds()
    now = timezone.now()
    expired = dict(
        WorkerBeat.objects.filter(beat_at__lt=now - timedelta(seconds=lease)).values_list(
            "worker_id", "beat_at"
        )
    )
    expired.update(_dead_here())
    if not expired:
        return []
    reaped: list[str] = []
    for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids"
    ):
        worker_id = str(job.worker_ids[-1]) if job.worker_ids else ""
        if worker_id not in expired:
            continue
        silent = int((now - expired[worker_id]).total_seconds())
        message = (
            f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: the worker running this job "
            f"({worker_id}) stopped renewing its lease {silent} s ago (the lease is {lease} s): "
            "it was probably killed or its machine lost."
        )
        with transaction.atomic():
            # Only if still RUNNING: a worker that was merely slow may have finished it since.
            if not DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=message,
            ):
                continue
            record_failure(DBTaskResult.objects.get(pk=job.pk), retry_now=True)
        log.error("Job %s was abandoned by worker %s", job.pk, worker_id)
        reaped.append(str(job.pk))
    # The leases judged above, unless renewed since (a worker that was merely slow).
    for worker_id, beat_at in expired.items():
        WorkerBeat.objects.filter(worker_id=worker_id, beat_at=beat_at).delete()
    return reaped


def last_line(traceback: str) -> str:
    """The "ExceptionClass: message" line a formatted traceback ends with."""
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
