"""Starting an import: the entry point the pages, the API and the uploads call."""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.donors.imports.check import CheckResult, import_check
from ifm.donors.imports.mapping import (
    KIND_DONATIONS,
    KINDS,
    clean_mapping,
    mapping_for,
    mapping_remember,
)
from ifm.donors.imports.reading import checked_in_request, read_table
from ifm.donors.imports.rejected import RejectedRows, rejected_rows
from ifm.donors.imports.tasks import import_check_job, import_commit_job
from ifm.donors.models import ImportRun, ImportStatus
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm


class ImportStarted(NamedTuple):
    """What import_start did: the check's result (None when a job checks the file), the run
    (None for a dry run or a file with problems checked in the request), and whether that run
    is an earlier import of the same file (nothing was queued this time)."""

    result: CheckResult | None
    run: ImportRun | None
    earlier: bool = False


def import_start(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    kind: str,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    valid_only: bool = False,
) -> ImportStarted:
    """Read and check a file. A small file is checked here: a dry run (or a file with
    problems) writes nothing and returns (result, None, False). A large file is not checked in
    the request: a dry run queues a dry-run ImportRun whose job checks it and keeps the result
    on the run: (None, run, False). Otherwise the mapping is remembered and an ImportRun is
    queued for the background job, which checks the file again and writes it:
    (result or None, run, False). The same file queued, running or imported before queues
    nothing and returns that earlier run: (result or None, run, True).

    All or nothing by default: a file with problems is not imported. With `valid_only` (the
    person's explicit choice after a dry run) the rows without problems are imported and the
    others left out; the run keeps them for the rejected-rows file."""

    require_perm(access, "donors.import")
    if kind not in KINDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    if kind == KIND_DONATIONS:
        require_perm(access, "donations.record")
    table = read_table(data, filename)
    if mapping is None:
        mapping = mapping_for(organization=organization, kind=kind, headers=table.headers)
    result: CheckResult | None = None
    if checked_in_request(len(data)):
        result = import_check(organization=organization, kind=kind, table=table, mapping=mapping)
        if dry_run or (result.problems and not valid_only):
            return ImportStarted(result, None)
        if result.problems and not result.rows:
            raise ServiceError(
                "No row of the file is valid: nothing can be imported. Correct the file "
                "(download the rejected rows) and upload it again.",
                field="file",
            )
    mapping = clean_mapping(kind, mapping, table.headers)
    with org_context(organization), transaction.atomic():
        if not dry_run:
            earlier = (
                ImportRun.objects.filter(kind=kind, file_hash=table.file_hash, dry_run=False)
                .exclude(status=ImportStatus.FAILED)
                .first()
            )
            if earlier is not None:
                return ImportStarted(result, earlier, earlier=True)
            mapping_remember(
                organization=organization,
                actor=actor,
                kind=kind,
                headers=table.headers,
                mapping=mapping,
            )
        run = ImportRun.objects.create(
            kind=kind,
            dry_run=dry_run,
            file_name=filename[:255],
            file_hash=table.file_hash,
            data=data,
            mapping=mapping,
            total=result.total if result is not None else 0,
            valid_only=valid_only and not dry_run,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if not dry_run:
            audit_record(
                action="donors.import_start",
                actor=actor,
                organization=organization,
                obj=run,
                changes={
                    "kind": kind,
                    "file": filename,
                    "rows": run.total,
                    "valid_only": run.valid_only,
                },
            )
        job = import_check_job if dry_run else import_commit_job
        organization_id = organization.pk
        transaction.on_commit(lambda: job.enqueue(organization_id=organization_id, run_id=run.pk))
    return ImportStarted(result, run)


def import_rejected(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    kind: str,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
) -> RejectedRows:
    """The dry run of a file, as its rows with problems and an error column. Writes nothing.
    Only a file checked in the request (`checked_in_request`): a larger one's rejected rows
    come from its valid-only import."""
    require_perm(access, "donors.import")
    if kind not in KINDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    if kind == KIND_DONATIONS:
        require_perm(access, "donations.record")
    if not checked_in_request(len(data)):
        raise ServiceError(
            "The file is too large to check here: import its valid rows (valid_only), then "
            "download the rows left out from the import.",
            field="file",
        )
    table = read_table(data, filename)
    if mapping is None:
        mapping = mapping_for(organization=organization, kind=kind, headers=table.headers)
    result = import_check(organization=organization, kind=kind, table=table, mapping=mapping)
    return rejected_rows(data=data, filename=filename, problems=result.problems)
