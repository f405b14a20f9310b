"""Reads of imports for other apps (the onboarding checklist)."""

from __future__ import annotations

from django.db.models import QuerySet

from ifm.donors.models.imports import ImportKind, ImportRun, ImportStatus


def import_runs_done(kind: str = ImportKind.DONORS) -> QuerySet[ImportRun]:
    """Imports of `kind` that wrote their rows (not dry runs), oldest first."""
    return ImportRun.objects.filter(kind=kind, dry_run=False, status=ImportStatus.DONE).order_by(
        "finished_at", "pk"
    )
