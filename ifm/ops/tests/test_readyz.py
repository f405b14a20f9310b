"""/readyz: the database, the file storage and the job queue, each with its own status. Only
the database makes it 503; a failing storage or a queue nobody works off says "degraded"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ifm.ops.tests import tasks


def test_all_well(db: Any, client: Client, tmp_path: Path, settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["storage"] == "ok"
    assert response["Cache-Control"] == "no-store"
    # The probe file is gone again.
    assert list((tmp_path / "readyz").iterdir()) == []


def test_a_storage_that_cannot_write_is_reported(
    db: Any, client: Client, tmp_path: Path, settings: Any
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage wants a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker)},
        },
    }
    assert default_storage.path("x") == str(blocker / "x")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["storage"] in {"NotADirectoryError", "FileExistsError"}


def test_the_age_of_the_oldest_waiting_job(db: Any, client: Client, settings: Any) -> None:
    settings.JOB_QUEUE_MAX_AGE_SECONDS = 600
    first = tasks.flaky.enqueue(label="one")
    tasks.flaky.enqueue(label="two")
    DBTaskResult.objects.filter(pk=first.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=300)
    )
    # Scheduled for later: not waiting yet, whatever its age.
    later = tasks.flaky.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(label="3")
    DBTaskResult.objects.filter(pk=later.id).update(enqueued_at=timezone.now() - timedelta(days=1))
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["jobs"]["status"] == "ok"
    assert body["jobs"]["waiting"] == 2
    assert 299 <= body["jobs"]["oldest_waiting_seconds"] <= 330

    settings.JOB_QUEUE_MAX_AGE_SECONDS = 120
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["jobs"]["status"] == "behind"

    # A retry due since a minute ago counts from its run_after, not from its first enqueue.
    DBTaskResult.objects.filter(pk=first.id).update(
        run_after=timezone.now() - timedelta(seconds=60)
    )
    DBTaskResult.objects.exclude(pk__in=[first.id, later.id]).delete()
    body = client.get("/readyz").json()
    assert body["jobs"]["waiting"] == 1
    assert 59 <= body["jobs"]["oldest_waiting_seconds"] <= 90
    assert body["jobs"]["status"] == "ok"
