"""What the metrics, the alerts and the operations page read of backups."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from ifm.ops.backups.models import BackupRun


def last_backup_times() -> dict[str, datetime | None]:
    """When the last successful backup and the last successful restore check finished."""
    found = {
        row["kind"]: row["last"]
        for row in BackupRun.objects.filter(ok=True)
        .values("kind")
        .annotate(last=Max("finished_at"))
        .order_by()
    }
    return {
        "backup": found.get(BackupRun.Kind.BACKUP),
        "verify": found.get(BackupRun.Kind.VERIFY),
    }


def last_backup_runs() -> dict[str, BackupRun | None]:
    """The latest finished run of each kind, good or failed (a failed restore check alerts)."""
    runs: dict[str, BackupRun | None] = {}
    for kind in (BackupRun.Kind.BACKUP, BackupRun.Kind.VERIFY):
        runs[str(kind)] = (
            BackupRun.objects.filter(kind=kind, finished_at__isnull=False)
            .order_by("-finished_at", "-pk")
            .first()
        )
    return runs
