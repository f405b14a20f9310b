"""The background jobs of an import: the check of a large file (`import_check_job`), the
commit of a checked one (`import_commit_job`), what happens to a run whose job failed without
finishing, and running it again.

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
from django_tasks import task

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.core.tasks import org_task
from ifm.donors.imports.check import CheckResult, check_table, import_check
from ifm.donors.imports.mapping import KIND_DONATIONS, clean_mapping
from ifm.donors.imports.reading import read_table
from ifm.donors.imports.rejected import RejectedRows, rejected_rows
from ifm.donors.imports.write import write_rows
from ifm.donors.models import ImportRun, ImportStatus
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm

STOPPED_MESSAGE = (
    "The import stopped before it finished and wrote nothing ({reason}). Run it again; if it "
    "stops again, tell your administrator."
)


def _progress(run: ImportRun, **fields: Any) -> None:

    for name, value in fields.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**fields)


@task()
@org_task
def import_commit_job(*, organization_id: int, run_id: int) -> dict[str, Any]:
    """Check the queued file again and write it, all or nothing. Records progress on the run."""

    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ImportStatus.DONE:
        return {"status": "skipped"}
    organization = Organization.objects.get(pk=organization_id)
    actor = run.created_by
    _progress(run, status=ImportStatus.RUNNING, phase="checking", started_at=timezone.now())
    result: CheckResult | None = None
    try:
        table = read_table(bytes(run.data), run.file_name)
        result = CheckResult(kind=run.kind, total=table.count())
        _progress(run, total=result.total)
        table.progress = lambda read: _progress(run, done=read)
        mapping = clean_mapping(run.kind, run.mapping, table.headers)
        check_table(organization=organization, table=table, mapping=mapping, result=result)
        if result.problems and not run.valid_only:
            raise ServiceError(
                f"The file has {len(result.problems)} problems: nothing was imported.",
                errors=[{"field": f"row {p.row}", "message": p.message} for p in result.problems],
            )
        if result.problems and not result.rows:
            raise ServiceError("No row of the file is valid: nothing was imported.")
        _progress(run, phase="writing", done=result.already_imported)
        with transaction.atomic():
            created = write_rows(organization, actor, run, result)
            audit_record(
                action="donors.import",
                actor=actor,
                organization=organization,
                obj=run,
                changes={
                    "kind": run.kind,
                    "created": created,
                    "already_imported": result.already_imported,
                    "matched_existing_donors": result.matched,
                    "rejected_rows": len({p.row for p in result.problems}),
                },
            )
            # A valid-only import keeps its file and the rows it left out, so they can be
            # downloaded to correct (ifm.donors.imports.rejected).
            _progress(
                run,
                status=ImportStatus.DONE,
                phase="",
                done=result.total,
                created_count=created,
                skipped_count=result.total - created,
                finished_at=timezone.now(),
                errors=[p.as_dict() for p in result.problems],
                data=bytes(run.data) if result.problems else b"",
            )
    except ServiceError as exc:
        problems = [p.as_dict() for p in result.problems] if result is not None else []
        field_name = exc.errors[0]["field"] if exc.errors else ""
        _progress(
            run,
            status=ImportStatus.FAILED,
            phase="",
            finished_at=timezone.now(),
            errors=problems
            or [{"row": 0, "column": "", "field": field_name, "message": exc.message}],
        )
        return {"status": "failed"}
    return {"status": "done", "created": run.created_count}


@task()
@org_task
def import_check_job(*, organization_id: int, run_id: int) -> dict[str, Any]:
    """The dry run of a large file: check it, reading its rows as a stream, record progress on
    the run and keep the counts and problems (`CheckResult.summary()`) in `run.result`.
    Writes nothing else; the file is dropped once checked."""

    run = ImportRun.objects.filter(pk=run_id, dry_run=True).first()
    if run is None or run.status == ImportStatus.DONE:
        return {"status": "skipped"}
    organization = Organization.objects.get(pk=organization_id)
    _progress(run, status=ImportStatus.RUNNING, phase="checking", started_at=timezone.now())
    try:
        table = read_table(bytes(run.data), run.file_name)
        _progress(run, total=table.count(), done=0)
        table.progress = lambda read: _progress(run, done=read)
        result = import_check(
            organization=organization, kind=run.kind, table=table, mapping=run.mapping
        )
    except ServiceError as exc:
        field_name = exc.errors[0]["field"] if exc.errors else ""
        _progress(
            run,
            status=ImportStatus.FAILED,
            phase="",
            finished_at=timezone.now(),
            errors=[{"row": 0, "column": "", "field": field_name, "message": exc.message}],
        )
        return {"status": "failed"}
    _progress(
        run,
        status=ImportStatus.DONE,
        phase="",
        done=result.total,
        total=result.total,
        result={
            **result.summary(),
            "mapping": run.mapping,
            "headers": table.headers,
            "header_row": table.header_row,
        },
        finished_at=timezone.now(),
        data=b"",
    )
    return {"status": "done", "problems": len(result.problems)}


def on_job_failed(
    sender: Any, *, task_path: str, kwargs: dict[str, Any], message: str, final: bool, **_: Any
) -> None:
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


def import_run_again(
    *, organization: Organization, actor: User, access: Access, run: ImportRun
) -> ImportRun:
    """Queue a failed import again with its file and mapping; the job checks it afresh.
    Refused (409) for a run that is not failed, or was run again already."""
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


def import_run_rejected(*, access: Access, run: ImportRun) -> RejectedRows:
    """The rows a finished valid-only import left out, with an error column. Refused (409)
    for a run that left none out."""
    require_perm(access, "donors.import")
    if not (run.status == ImportStatus.DONE and run.valid_only and run.errors and run.data):
        raise ConflictError(message=f"Import {run.pk} left no rows out: nothing to download.")
    return rejected_rows(data=bytes(run.data), filename=run.file_name, problems=run.errors)
