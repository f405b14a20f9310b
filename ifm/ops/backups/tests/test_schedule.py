"""The worker's daily backup and weekly restore check: when they are queued, and what they
leave behind when they run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ifm.ops.backup_status import last_backup_runs, last_backup_times
from ifm.ops.backups.models import BackupRun
from ifm.ops.backups.tasks import backup_job, backup_verify_job, backups_enqueue_due

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _production_schedule(settings: Any) -> None:
    settings.BACKUP_EVERY_HOURS = 24
    settings.BACKUP_VERIFY_EVERY_DAYS = 7


def ran(kind: str, ago: timedelta, ok: bool | None = True) -> BackupRun:
    started = NOW - ago
    return BackupRun.objects.create(
        kind=kind, started_at=started, finished_at=started + timedelta(minutes=1), ok=ok
    )


def queued(task_obj: Any) -> int:
    return DBTaskResult.objects.filter(
        task_path=task_obj.module_path, status=TaskResultStatus.READY
    ).count()


def test_a_first_backup_is_queued_once_and_no_check_before_it(db: Any) -> None:
    assert backups_enqueue_due(now=NOW) == ["backup"]
    assert backups_enqueue_due(now=NOW) == []  # already waiting
    assert queued(backup_job) == 1
    assert queued(backup_verify_job) == 0


def test_a_backup_is_due_a_day_after_the_last_good_one(db: Any) -> None:
    ran("verify", timedelta(days=1))
    ran("backup", timedelta(hours=23))
    assert backups_enqueue_due(now=NOW) == []
    BackupRun.objects.filter(kind="backup").update(started_at=NOW - timedelta(hours=24, minutes=1))
    assert backups_enqueue_due(now=NOW) == ["backup"]


def test_a_failed_backup_is_tried_again_hourly_not_every_minute(db: Any) -> None:
    ran("verify", timedelta(days=1))
    ran("backup", timedelta(hours=30))
    failed = ran("backup", timedelta(minutes=30), ok=False)
    assert backups_enqueue_due(now=NOW) == []
    failed.started_at = NOW - timedelta(minutes=61)
    failed.save()
    assert backups_enqueue_due(now=NOW) == ["backup"]


def test_the_restore_check_is_weekly(db: Any) -> None:
    ran("backup", timedelta(hours=2))
    assert backups_enqueue_due(now=NOW) == ["verify"]
    DBTaskResult.objects.all().delete()
    ran("verify", timedelta(days=6))
    assert backups_enqueue_due(now=NOW) == []
    BackupRun.objects.filter(kind="verify").update(started_at=NOW - timedelta(days=7, hours=1))
    assert backups_enqueue_due(now=NOW) == ["verify"]


def test_zero_turns_the_schedule_off(db: Any, settings: Any) -> None:
    settings.BACKUP_EVERY_HOURS = 0
    settings.BACKUP_VERIFY_EVERY_DAYS = 0
    ran("backup", timedelta(days=30))
    assert backups_enqueue_due(now=NOW) == []


@pytest.mark.django_db(transaction=True)
def test_the_jobs_back_up_and_verify_and_leave_records(
    run_jobs: Any, settings: Any, tmp_path: Path, org_a: Any
) -> None:
    settings.BACKUP_DESTINATION = str(tmp_path / "backups")
    assert backups_enqueue_due() == ["backup"]
    run_jobs()
    backup = last_backup_runs()["backup"]
    assert backup is not None
    assert backup.ok is True
    assert list((tmp_path / "backups").glob(f"{backup.name}.*"))
    assert backups_enqueue_due() == ["verify"]
    run_jobs()
    times = last_backup_times()
    assert times["verify"] is not None
    assert times["backup"] == backup.finished_at
    verify = last_backup_runs()["verify"]
    assert verify is not None
    assert verify.ok is True
    assert verify.name == backup.name


@pytest.mark.django_db(transaction=True)
def test_a_check_with_no_backup_to_check_is_a_failed_run(
    run_jobs: Any, settings: Any, tmp_path: Path
) -> None:
    settings.BACKUP_DESTINATION = str(tmp_path / "nothing-here")
    backup_verify_job.enqueue()
    run_jobs()
    job = DBTaskResult.objects.get(task_path=backup_verify_job.module_path)
    assert job.status == TaskResultStatus.FAILED
    verify = last_backup_runs()["verify"]
    assert verify is not None
    assert verify.ok is False
    assert "no backup" in verify.message
