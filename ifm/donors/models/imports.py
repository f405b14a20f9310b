"""Import models: remembered column mappings, import runs and the keys of imported rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.core.models import TenantModel

__all__ = [
    "ImportKey",
    "ImportKind",
    "ImportMapping",
    "ImportRun",
    "ImportStatus",
    "ImportUpload",
]


class ImportKind(models.TextChoices):
    DONORS = "donors", "Donors"
    DONATIONS = "donations", "Donations"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportMapping(TenantModel):
    """The column mapping an organization last used for files with these headers."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    signature = models.CharField(max_length=64, help_text="SHA-256 of the normalized headers.")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "signature"], name="donors_importmapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.signature[:8]}"


class ImportRun(TenantModel):
    """One committed import: queued, then run by a background job, all or nothing. A dry run
    of a large file is a run too (`dry_run`): its job checks the file, keeps the counts and
    problems in `result`, and writes nothing else."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    dry_run = models.BooleanField(default=False)
    valid_only = models.BooleanField(
        default=False,
        help_text="Import the rows without problems and leave the others out (asked for "
        "explicitly; all or nothing otherwise). The rows left out stay in `errors`.",
    )
    result = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_hash = models.CharField(max_length=64)
    data = models.BinaryField(blank=True, default=b"", editable=False)
    mapping = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(max_length=40, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "file_hash"], name="donors_importrun_hash"),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.kind})"

    @property
    def rejected_rows(self) -> int:
        """How many of the file's rows a valid-only import left out."""
        return len({e.get("row") for e in self.errors or [] if e.get("row")})

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class ImportKey(TenantModel):
    """The key of an imported row (its external id, else a hash of its values) and what it
    became: importing the same row again finds it here and creates nothing."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    key = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="keys")

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "key"], name="donors_importkey_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ImportUpload(TenantModel):
    """A file uploaded on the import pages, kept between the wizard's steps (upload, mapping,
    dry run) in the database, so any web process can serve the next step. Committing hands
    the file to an ImportRun and empties `data`.

    `dry_run` keeps the dry run of the file with `mapping` (CheckResult.summary(): counts and
    problems, and the mapping it was made with), made when the mapping is saved, so the dry
    run's pages do not read and check the file again. The commit checks it again anyway."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255, blank=True)
    data = models.BinaryField(blank=True, default=b"", editable=False)
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Upload {self.pk} ({self.kind})"
