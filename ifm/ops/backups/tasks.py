"""The worker's backups: one a day, a verified restore of the newest one a week.

`ifm worker` calls `backups_enqueue_due` about once a minute; it queues a backup when the last
good one started BACKUP_EVERY_HOURS ago or more (no attempt in the last hour, so a failing
backup is retried hourly, not every minute), and a verification when none succeeded in
BACKUP_VERIFY_EVERY_DAYS (no attempt in the last day). Several workers may call it at once:
the check and the enqueue are one transaction under a lock (PostgreSQL: an advisory lock;
SQLite: the write lock its IMMEDIATE transactions take), so a backup is queued once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from ifm.core.tasks import retry_policy
from ifm.ops.backups.files import BackupError
from ifm.ops.backups.models import BackupRun
from ifm.ops.backups.services import backup_create, backup_resolve, backup_verify

# pg_advisory_xact_lock key: "ifm backups" as a number, any constant unique in the app.
ADVISORY_LOCK = 0x1F3B_AC0F
RETRY_BACKUP_AFTER = timedelta(hours=1)
RETRY_VERIFY_AFTER = timedelta(days=1)


@retry_policy(max_attempts=1)
@task()
def backup_job() -> str:
    return backup_create().name


@retry_policy(max_attempts=1)
@task()
def backup_verify_job() -> str:
    """Verify the newest backup; fails (and so shows on the jobs page) when it differs."""
    try:
        destination, name = backup_resolve("latest")
    except BackupError as exc:
        now = timezone.now()
        BackupRun.objects.create(
            kind=BackupRun.Kind.VERIFY,
            started_at=now,
            finished_at=now,
            ok=False,
            location=str(settings.BACKUP_DESTINATION),
            message=str(exc),
        )
        raise
    result = backup_verify(destination=destination, name=name)
    if not result.ok:
        raise BackupError(
            f"Restore check of {name}: {len(result.mismatches)} table(s) differ from the manifest."
        )
    return name


def _last(kind: str, **filters: object) -> datetime | None:
    found = BackupRun.objects.filter(kind=kind, **filters).aggregate(last=Max("started_at"))
    return found["last"]


def _queued(task_obj: Task) -> bool:
    return DBTaskResult.objects.filter(
        task_path=task_obj.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def _due(kind: str, every: timedelta, retry_after: timedelta, now: datetime) -> bool:
    if not every:
        return False
    last_ok = _last(kind, ok=True)
    if last_ok and now - last_ok < every:
        return False
    last_try = _last(kind)
    return not (last_try and now - last_try < retry_after)


def backups_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Queue the backup and the verification that are due; returns their kinds."""
    now = now or timezone.now()
    queued: list[str] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        backup_every = timedelta(hours=settings.BACKUP_EVERY_HOURS)
        if _due(BackupRun.Kind.BACKUP, backup_every, RETRY_BACKUP_AFTER, now) and not _queued(
            backup_job
        ):
            backup_job.enqueue()
            queued.append(BackupRun.Kind.BACKUP)
        verify_every = timedelta(days=settings.BACKUP_VERIFY_EVERY_DAYS)
        has_backup = _last(BackupRun.Kind.BACKUP, ok=True) is not None
        if (
            has_backup
            and _due(BackupRun.Kind.VERIFY, verify_every, RETRY_VERIFY_AFTER, now)
            and not _queued(backup_verify_job)
        ):
            backup_verify_job.enqueue()
            queued.append(BackupRun.Kind.VERIFY)
    return queued
