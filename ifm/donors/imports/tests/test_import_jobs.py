"""An import whose worker died mid-write: the lease runs out, the job is retried or failed,
the run says so and can be run again, and the file does not count as imported."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.conftest import client_for
from ifm.core.tasks import job_lease_seconds, policy_for
from ifm.core.tests.api_helpers import api_client_for
from ifm.donors.imports.services import import_start
from ifm.donors.imports.tasks import import_commit_job
from ifm.donors.imports.tests.test_imports import DONORS_CSV
from ifm.donors.models import Donor, ImportRun, ImportStatus
from ifm.ops.jobs import reap_abandoned_jobs
from ifm.ops.models import JobFailure, WorkerBeat

pytestmark = pytest.mark.django_db

DEAD = "worker-killed-mid-import"


def _start(fundraiser: dict[str, Any], capture: Any) -> tuple[Any, ImportRun | None, bool]:
    with capture(execute=True):
        return import_start(
            **fundraiser, kind="donors", data=DONORS_CSV, filename="donors.csv", dry_run=False
        )


def _killed_mid_write(run: ImportRun) -> DBTaskResult:
    """What `kill -9` of a worker leaves: its job RUNNING, the run writing, and a lease that
    was last renewed longer ago than JOB_LEASE_SECONDS."""
    job = DBTaskResult.objects.get(task_path=import_commit_job.module_path)
    job.claim(DEAD)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, phase="writing", started_at=timezone.now()
    )
    stale = timezone.now() - timedelta(seconds=job_lease_seconds() + 5)
    WorkerBeat.objects.update_or_create(worker_id=DEAD, defaults={"beat_at": stale})
    return job


def test_an_import_whose_worker_died_is_retried_then_failed_and_can_run_again(
    fundraiser: dict[str, Any],
    cast: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    run_jobs: Any,
) -> None:
    _result, run, _ = _start(fundraiser, django_capture_on_commit_callbacks)
    assert run is not None
    job = _killed_mid_write(run)

    # The problem as found: while nobody reaps, the same file answers with the stuck run.
    _r, same, earlier = _start(fundraiser, django_capture_on_commit_callbacks)
    assert same is not None
    assert (same.pk, earlier, same.status) == (run.pk, True, ImportStatus.RUNNING)

    # A live worker's lease is not touched, nor a job of a worker that keeps none.
    WorkerBeat.objects.create(worker_id="alive", beat_at=timezone.now())
    assert reap_abandoned_jobs() == [str(job.pk)]

    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == TaskResultStatus.READY  # the retry policy queued it again
    failure = JobFailure.objects.get(job=job)
    assert failure.exception_class_path == "ifm.ops.jobs.WorkerLost"
    assert DEAD in failure.message
    assert (run.status, run.phase) == (ImportStatus.QUEUED, "waiting to try again")
    assert not WorkerBeat.objects.filter(worker_id=DEAD).exists()
    assert WorkerBeat.objects.filter(worker_id="alive").exists()
    assert reap_abandoned_jobs() == []  # nothing left to reap

    # It dies on every attempt: after the last one the job and the run are failed.
    for _attempt in range(2, policy_for(import_commit_job.module_path).max_attempts + 1):
        DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now())
        _killed_mid_write(run)
        assert reap_abandoned_jobs() == [str(job.pk)]
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert run.status == ImportStatus.FAILED
    assert "Run it again" in run.errors[0]["message"]
    assert Donor.objects.count() == 0  # nothing was written

    # The page says so and offers to run it again; the API too.
    page = client_for(cast["fundraising"]).get(
        f"/o/{run.organization.slug}/donors/imports/{run.pk}/"
    )
    assert b"Run it again" in page.content
    assert b'id="run-again"' in page.content
    api = api_client_for(cast["fundraising"], run.organization)
    body = api.get(f"/api/v1/imports/{run.pk}").json()
    assert (body["status"], body["can_run_again"]) == ("failed", True)

    # The file was never imported: uploading it again queues a new import.
    _r, fresh, earlier = _start(fundraiser, django_capture_on_commit_callbacks)
    assert fresh is not None
    assert (earlier, fresh.pk != run.pk, fresh.status) == (False, True, ImportStatus.QUEUED)
    assert run_jobs() == 1
    fresh.refresh_from_db()
    assert fresh.status == ImportStatus.DONE
    assert Donor.objects.count() == 3


def test_run_again_queues_a_failed_import_and_it_completes(
    fundraiser: dict[str, Any],
    cast: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    run_jobs: Any,
) -> None:
    _result, run, _ = _start(fundraiser, django_capture_on_commit_callbacks)
    assert run is not None
    job = DBTaskResult.objects.get(task_path=import_commit_job.module_path)
    for _attempt in range(policy_for(import_commit_job.module_path).max_attempts):
        DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now())
        _killed_mid_write(run)
        reap_abandoned_jobs()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED

    api = api_client_for(cast["fundraising"], run.organization)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/imports/{run.pk}/again")
    assert answer.status_code == 202, answer.content
    assert (answer.json()["status"], answer.json()["can_run_again"]) == ("queued", False)
    # Twice is refused: it is queued, not failed.
    again = client_for(cast["fundraising"]).post(
        f"/o/{run.organization.slug}/donors/imports/{run.pk}/again/", follow=True
    )
    assert b"only a failed import can be run again" in again.content
    assert api.post(f"/api/v1/imports/{run.pk}/again").status_code == 409
    run_jobs()
    run.refresh_from_db()
    assert (run.status, run.created_count) == (ImportStatus.DONE, 3)
    assert Donor.objects.count() == 3
