from __future__ import annotations

from django.db import models
from django.utils import timezone


class BackupRun(models.Model):
    """One backup or one verification of a restore, as it ran: the operations page, the
    metrics and the alerts read these (ifm.ops.backup_status)."""

    class Kind(models.TextChoices):
        BACKUP = "backup", "Backup"
        VERIFY = "verify", "Restore verification"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # None while running (or when the process died before it could say).
    ok = models.BooleanField(null=True)
    size = models.BigIntegerField(null=True, blank=True)
    location = models.TextField(blank=True)
    name = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "ok", "-finished_at"])]

    def __str__(self) -> str:
        state = {True: "ok", False: "failed", None: "running"}[self.ok]
        return f"{self.kind} {self.name or '?'} {state}"
