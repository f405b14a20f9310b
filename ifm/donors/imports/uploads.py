"""The import pages' file between steps: an `ImportUpload` row, so any web process serves the
next step (upload, column mapping, dry run, commit).

Thin: reading, checking, mapping and committing are the functions of the modules beside it;
this module only keeps the file, the chosen mapping and the dry run's result until
`import_start` takes them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.donors.imports.check import CheckResult
from ifm.donors.imports.mapping import KIND_DONATIONS, KINDS, clean_mapping, mapping_remember
from ifm.donors.imports.reading import Table, read_table
from ifm.donors.imports.rejected import RejectedRows, rejected_rows
from ifm.donors.imports.services import import_start
from ifm.donors.models import ImportRun, ImportStatus, ImportUpload
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm

# Uploads never committed are dropped after this long (the next upload clears them).
UPLOAD_KEEP = timedelta(days=2)


def _require(access: Access, kind: str) -> None:
    require_perm(access, "donors.import")
    if kind not in KINDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    if kind == KIND_DONATIONS:
        require_perm(access, "donations.record")


def import_upload_create(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    kind: str,
    data: bytes,
    filename: str,
) -> ImportUpload:
    """Keep a file that `read_table` can read; anything else is a ServiceError (field "file")
    and nothing is written."""
    _require(access, kind)
    read_table(data, filename)
    with org_context(organization), transaction.atomic():
        ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_KEEP).delete()
        return ImportUpload.objects.create(
            organization=organization,
            kind=kind,
            file_name=filename[:255],
            data=data,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def import_upload_table(upload: ImportUpload) -> Table:
    return read_table(bytes(upload.data), upload.file_name)


class UploadCheck(NamedTuple):
    """The dry run of an upload: its result, or (result None) the dry-run run of a large file
    whose job is checking it, or stopped without a result (`run.status` failed)."""

    result: CheckResult | None
    run: ImportRun | None = None


def _start(
    organization: Organization,
    actor: User,
    access: Access,
    upload: ImportUpload,
    *,
    dry_run: bool,
    valid_only: bool = False,
) -> Any:
    """`import_start` on the upload's file with its mapping."""
    return import_start(
        organization=organization,
        actor=actor,
        access=access,
        kind=upload.kind,
        data=bytes(upload.data),
        filename=upload.file_name,
        mapping=upload.mapping,
        dry_run=dry_run,
        valid_only=valid_only,
    )


def _dry_run(
    organization: Organization, actor: User, access: Access, upload: ImportUpload
) -> tuple[dict[str, Any], ImportRun | None]:
    """The dry run of the upload's file with its mapping, as kept on the upload: made now for
    a small file; for a large one (`checked_in_request`) `import_start` queues a
    dry-run job, returned, and the upload keeps that run's id until its result is in."""
    result, run, _earlier = _start(organization, actor, access, upload, dry_run=True)
    if result is None:
        return {"mapping": upload.mapping, "run_id": run.pk}, run
    return {**result.summary(), "mapping": upload.mapping}, None


def import_upload_map(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    upload: ImportUpload,
    mapping: dict[str, str],
) -> dict[str, str]:
    """Check the chosen mapping (`clean_mapping`), remember it for files with these headers,
    keep it, and keep the dry run of the file with it (replacing the one of an earlier
    mapping): its result, or for a large file the dry-run job queued to make it."""
    _require(access, upload.kind)
    table = import_upload_table(upload)
    cleaned = clean_mapping(upload.kind, mapping, table.headers)
    with org_context(organization), transaction.atomic():
        mapping_remember(
            organization=organization,
            actor=actor,
            kind=upload.kind,
            headers=table.headers,
            mapping=cleaned,
        )
        upload.mapping = cleaned
        upload.dry_run, _run = _dry_run(organization, actor, access, upload)
        upload.save(update_fields=["mapping", "dry_run"])
    return cleaned


def import_upload_check(
    *, organization: Organization, actor: User, access: Access, upload: ImportUpload
) -> UploadCheck:
    """The dry run of the upload with its mapping: the one kept on the upload (counts and
    problems, without the rows), made when the mapping was saved; made again only when none
    is kept for this mapping. A large file's dry run is a job: while it runs, or once it has
    stopped without a result, this answers its run (result None); when it is done, its
    result is kept on the upload. Writes nothing but that (and a dry-run job it queues)."""
    _require(access, upload.kind)
    kept = upload.dry_run or {}
    run: ImportRun | None = None
    with org_context(organization), transaction.atomic():
        if kept.get("mapping") == upload.mapping and "run_id" in kept:
            run = ImportRun.objects.filter(pk=kept["run_id"], dry_run=True).first()
            if run is None:
                kept = {}  # the dry-run run is gone: check again
            elif run.status == ImportStatus.DONE and run.result:
                kept, run = {**run.result, "mapping": upload.mapping}, None
        if kept.get("mapping") != upload.mapping:
            kept, run = _dry_run(organization, actor, access, upload)
        if kept != upload.dry_run:
            ImportUpload.objects.filter(pk=upload.pk).update(dry_run=kept)
            upload.dry_run = kept
    if run is not None:
        return UploadCheck(None, run)
    return UploadCheck(CheckResult.from_summary(kept))


def import_upload_commit(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    upload: ImportUpload,
    valid_only: bool = False,
) -> tuple[CheckResult | None, ImportRun | None, bool]:
    """`import_start` for the upload, which checks the file again: (result, run, earlier).
    With problems, run is None and nothing is written, unless `valid_only` (the person chose
    to import the rows without problems). `earlier` is import_start's word that
    the run is an earlier import of the same file (it queued nothing new then). Committing
    twice returns the same run (and no result)."""
    _require(access, upload.kind)
    with org_context(organization), transaction.atomic():
        locked = ImportUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.run_id is not None:
            return None, locked.run, True
        result, run, earlier = _start(
            organization, actor, access, locked, dry_run=False, valid_only=valid_only
        )
        if run is None:
            return result, None, False
        locked.run = run
        locked.data = b""
        locked.save(update_fields=["run", "data"])
    return result, run, earlier


def import_upload_rejected(
    *, organization: Organization, actor: User, access: Access, upload: ImportUpload
) -> RejectedRows:
    """The rows of the upload's dry run that have problems, with an error column (nothing
    when the dry run found none, or is not finished)."""
    _require(access, upload.kind)
    if upload.run_id is not None or not upload.data:
        raise ServiceError("This file was imported: download its rejected rows from the import.")
    checked = import_upload_check(
        organization=organization, actor=actor, access=access, upload=upload
    )
    if checked.result is None:
        raise ServiceError("The dry run of this file is not finished yet.")
    return rejected_rows(
        data=bytes(upload.data), filename=upload.file_name, problems=checked.result.problems
    )
