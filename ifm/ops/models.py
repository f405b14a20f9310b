from __future__ import annotations

from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class JobFailure(models.Model):
    """One failed attempt of a background job.

    The job's own row keeps only the last error; this keeps each attempt's, so a job that
    failed three times for three different reasons shows all three.
    """

    job = models.ForeignKey(DBTaskResult, on_delete=models.CASCADE, related_name="failures")
    attempt = models.PositiveIntegerField()
    worker_id = models.CharField(max_length=64, blank=True)
    exception_class_path = models.TextField()
    message = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(default=timezone.now)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "attempt"]
        indexes = [models.Index(fields=["job", "attempt"])]

    def __str__(self) -> str:
        return f"{self.job_id} attempt {self.attempt}: {self.exception_class_path}"


class WorkerBeat(models.Model):
    """A running `ifm worker`'s lease: renewed every few seconds while the process lives.

    A job RUNNING on a worker whose beat is older than JOB_LEASE_SECONDS was abandoned (the
    process was killed or its machine lost): the reaper in ifm.ops.jobs fails it, and the
    retry policy takes over.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host} (pid {self.pid})"
