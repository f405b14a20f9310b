"""The background job that imports a large statement file (`statement_import_job`).

The job reads the kept file, then stores it with the same service as a small file, all or
nothing, and records its progress on the `StatementImport` row that the progress page polls.
A file with problems fails the run with its problem list. When the job raises something else
or its worker dies, `job_failed` arrives here: the run waits for the next attempt, or after
the last one is failed with a message. Nothing is half-stored either way, and a second run of
the same file adds nothing (its lines are duplicates).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ifm.banking.imports.services import (
    StatementImportError,
    problem_dicts,
    statement_import_parsed,
    statement_read,
)
from ifm.banking.models import ImportStatus, StatementImport
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.core.tasks import org_task
from ifm.tenancy.models import Organization

STOPPED_MESSAGE = (
    "The import stopped before it finished and stored nothing ({reason}). Upload the file "
    "again; if it stops again, tell your administrator."
)


def _progress(run: StatementImport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    StatementImport.objects.filter(pk=run.pk).update(**fields)


def _fail(run: StatementImport, errors: list[dict[str, str]]) -> dict[str, Any]:
    _progress(
        run,
        status=ImportStatus.FAILED,
        phase="",
        errors=errors,
        finished_at=timezone.now(),
        data=b"",
    )
    return {"status": "failed"}


@task()
@org_task
def statement_import_job(*, organization_id: int, statementimport_id: int) -> dict[str, Any]:
    run = (
        StatementImport.objects.select_related("bank_account", "profile", "created_by")
        .filter(pk=statementimport_id)
        .first()
    )
    if run is None or run.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return {"status": "skipped"}
    organization = Organization.objects.get(pk=organization_id)
    _progress(run, status=ImportStatus.RUNNING, phase="reading", done=0, started_at=timezone.now())
    try:
        parsed = statement_read(bytes(run.data), filename=run.filename, profile=run.profile)
        _progress(run, phase="saving", total=len(parsed.lines))
        with transaction.atomic():
            result = statement_import_parsed(
                organization=organization,
                actor=run.created_by,  # type: ignore[arg-type]  # None: refused just below
                bank_account=run.bank_account,
                parsed=parsed,
                filename=run.filename,
                sha256=run.sha256,
                profile=run.profile,
            )
            _progress(
                run,
                status=ImportStatus.DONE,
                phase="",
                done=len(parsed.lines),
                statement=result.statement,
                finished_at=timezone.now(),
                data=b"",
            )
    except StatementImportError as exc:
        return _fail(run, problem_dicts(exc.problems))
    except PermissionDenied:
        return _fail(
            run,
            [
                {
                    "where": "file",
                    "field": "",
                    "message": "The person who uploaded the file may no longer import "
                    "statements: nothing was imported.",
                }
            ],
        )
    except ServiceError as exc:
        return _fail(run, [{"where": "file", "field": "", "message": exc.message}])
    return {"status": "done", "statement_id": result.statement.pk, "imported": result.imported}


def on_job_failed(
    sender: Any, *, task_path: str, kwargs: dict[str, Any], message: str, final: bool, **_: Any
) -> None:
    if task_path != statement_import_job.module_path:
        return
    run_id, organization_id = kwargs.get("statementimport_id"), kwargs.get("organization_id")
    if not isinstance(run_id, int) or not isinstance(organization_id, int):
        return
    with org_context(organization_id):
        runs = StatementImport.objects.filter(
            pk=run_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
        )
        if final:
            reason = message or "no reason given"
            runs.update(
                status=ImportStatus.FAILED,
                phase="",
                finished_at=timezone.now(),
                data=b"",
                errors=[
                    {
                        "where": "file",
                        "field": "",
                        "message": STOPPED_MESSAGE.format(reason=reason),
                    }
                ],
            )
        else:
            runs.update(status=ImportStatus.QUEUED, phase="waiting to try again", done=0)
