"""The import pages' file between steps: an `ImportUpload` row, so any web process serves the
next step (upload, column mapping, dry run, commit).

Thin: reading, checking, mapping and committing are the functions of `ifm.donors.imports`;
this module only keeps the file and the chosen mapping until `import_start` takes them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.donors import imports
from ifm.donors.models import ImportRun, ImportUpload
from ifm.tenancy.context import org_context
from ifm.tenancy.permissions import require_perm

# Uploads never committed are dropped after this long (the next upload clears them).
UPLOAD_KEEP = timedelta(days=2)


def _require(access: Any, kind: str) -> None:
    require_perm(access, "donors.import")
    if kind not in imports.KINDS:
        raise ServiceError(f"Unknown import kind {kind!r}: use donors or donations.", field="kind")
    if kind == imports.KIND_DONATIONS:
        require_perm(access, "donations.record")


def import_upload_create(
    *, organization: Any, actor: Any, access: Any, kind: str, data: bytes, filename: str
) -> ImportUpload:
    """Keep a file that `read_table` can read; anything else is a ServiceError (field "file")
    and nothing is written."""
    _require(access, kind)
    imports.read_table(data, filename)
    with org_context(organization), transaction.atomic():
        ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_KEEP).delete()
        return ImportUpload.objects.create(
            organization=organization,
            kind=kind,
            file_name=filename[:255],
            data=data,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def import_upload_table(upload: ImportUpload) -> imports.Table:
    return imports.read_table(bytes(upload.data), upload.file_name)


def import_upload_map(
    *, organization: Any, actor: Any, access: Any, upload: ImportUpload, mapping: dict[str, str]
) -> dict[str, str]:
    """Check the chosen mapping (`clean_mapping`), remember it for files with these headers and
    keep it for the dry run."""
    _require(access, upload.kind)
    table = import_upload_table(upload)
    cleaned = imports.clean_mapping(upload.kind, mapping, table.headers)
    with org_context(organization), transaction.atomic():
        imports.mapping_remember(
            organization=organization,
            actor=actor,
            kind=upload.kind,
            headers=table.headers,
            mapping=cleaned,
        )
        upload.mapping = cleaned
        upload.save(update_fields=["mapping"])
    return cleaned


def import_upload_check(
    *, organization: Any, access: Any, upload: ImportUpload
) -> tuple[imports.Table, imports.CheckResult]:
    """The dry run of the upload with its mapping. Writes nothing."""
    _require(access, upload.kind)
    table = import_upload_table(upload)
    result = imports.import_check(
        organization=organization, kind=upload.kind, table=table, mapping=upload.mapping
    )
    return table, result


def import_upload_commit(
    *, organization: Any, actor: Any, access: Any, upload: ImportUpload
) -> tuple[imports.CheckResult | None, ImportRun | None, bool]:
    """`import_start` for the upload: (result, run, earlier). With problems, run is None and
    nothing is written. `earlier` is True when the run is an earlier import of the same file
    (import_start creates nothing new then). Committing twice returns the same run."""
    _require(access, upload.kind)
    with org_context(organization), transaction.atomic():
        locked = ImportUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.run_id is not None:
            return None, locked.run, True
        started = timezone.now()
        result, run = imports.import_start(
            organization=organization,
            actor=actor,
            access=access,
            kind=locked.kind,
            data=bytes(locked.data),
            filename=locked.file_name,
            mapping=locked.mapping,
            dry_run=False,
        )
        if run is None:
            return result, None, False
        locked.run = run
        locked.data = b""
        locked.save(update_fields=["run", "data"])
    return result, run, run.created_at < started
