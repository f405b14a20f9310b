"""What happens to an import whose job failed without finishing, and running it again.

`import_commit_job` marks its run failed itself when the file has problems. When the job
raises something else, or its worker dies mid-write (`ifm worker` then fails the job once its
lease runs out), `job_failed` arrives here: with another attempt to come the run waits for it
(queued), after the last one the run is failed with a message and can be run again.
Nothing was written either way: the job writes all or nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError
from ifm.core.org_context import org_context
from ifm.donors.models import ImportRun, ImportStatus
from ifm.tenancy.permissions import require_perm

STOPPED_MESSAGE = (
    "The import stopped before it finished and wrote nothing ({reason}). Run it again; if it "
    "stops again, tell your administrator."
)


def on_job_failed(
    sender: Any, *, task_path: str, kwargs: dict[str, Any], message: str, final: bool, **_: Any
) -> None:
    from ifm.donors.imports import import_check_job, import_commit_job

    if task_path not in (import_commit_job.module_path, import_check_job.module_path):
        return
    run_id, organization_id = kwargs.get("run_id"), kwargs.get("organization_id")
    if not isinstance(run_id, int) or not isinstance(organization_id, int):
        return
    with org_context(organization_id):
        runs = ImportRun.objects.filter(
            pk=run_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
        )
        if final:
            runs.update(
                status=ImportStatus.FAILED,
                phase="",
                finished_at=timezone.now(),
                errors=[
                    {
                        "row": 0,
                        "column": "",
                        "field": "",
                        "message": STOPPED_MESSAGE.format(reason=message or "no reason given"),
                    }
                ],
            )
        else:
            runs.update(status=ImportStatus.QUEUED, phase="waiting to try again", done=0)


def can_run_again(run: ImportRun) -> bool:
    """A failed run whose file is still kept (every failed run: only a done one drops it)."""
    return run.status == ImportStatus.FAILED and bool(run.data)


def import_run_again(*, organization: Any, actor: Any, access: Any, run: ImportRun) -> ImportRun:
    """Queue a failed import again with its file and mapping; the job checks it afresh.
    Refused (409) for a run that is not failed, or was run again already."""
    from ifm.donors.imports import KIND_DONATIONS, import_check_job, import_commit_job

    require_perm(access, "donors.import")
    if run.kind == KIND_DONATIONS:
        require_perm(access, "donations.record")
    with org_context(organization), transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if not can_run_again(locked):
            state = locked.get_status_display().lower()
            raise ConflictError(
                message=f"Import {locked.pk} is {state}: only a failed import can be run again."
            )
        fresh = (
            None
            if locked.dry_run
            else ImportRun.objects.filter(
                kind=locked.kind, file_hash=locked.file_hash, dry_run=False
            )
            .exclude(pk=locked.pk)
            .exclude(status=ImportStatus.FAILED)
            .first()
        )
        if fresh is not None:
            state = "imported" if fresh.status == ImportStatus.DONE else "queued"
            raise ConflictError(message=f"This file is already {state} as import {fresh.pk}.")
        locked.status = ImportStatus.QUEUED
        locked.phase = ""
        locked.done = 0
        locked.errors = []
        locked.started_at = None
        locked.finished_at = None
        locked.save(
            update_fields=["status", "phase", "done", "errors", "started_at", "finished_at"]
        )
        audit_record(
            action="donors.import_run_again",
            actor=actor,
            organization=organization,
            obj=locked,
            changes={"kind": locked.kind, "file": locked.file_name},
        )
        organization_id, run_id = organization.pk, locked.pk
        job = import_check_job if locked.dry_run else import_commit_job
        transaction.on_commit(lambda: job.enqueue(organization_id=organization_id, run_id=run_id))
    return locked
