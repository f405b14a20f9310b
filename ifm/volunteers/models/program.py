"""The program's settings per organization, coordinators' messages and volunteer imports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel

# Independent Sector's published national value of an hour of volunteer time (2024 figure,
# released in 2025); each organization may set its own.
NATIONAL_HOURLY_VALUE = Decimal("34.79")


class VolunteerSettings(TenantModel, VersionedModel):
    """One row per organization, made on first use."""

    hourly_value = models.DecimalField(
        max_digits=8, decimal_places=2, default=NATIONAL_HOURLY_VALUE
    )
    public_signup_enabled = models.BooleanField(default=True)
    # Shown on the public page and in confirmations: who to write to.
    contact_email = models.EmailField(max_length=254, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="volunteers_settings_one")
        ]
        verbose_name_plural = "volunteer settings"

    def __str__(self) -> str:
        return f"Volunteer settings of {self.organization_id}"


class VolunteerMessage(TenantModel):
    """A coordinator's email to the volunteers of a shift or an opportunity, sent by a job to
    those not unsubscribed."""

    subject = models.CharField(max_length=200)
    body = models.TextField()
    shift = models.ForeignKey(
        "volunteers.Shift", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opportunity = models.ForeignKey(
        "volunteers.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(default=0)
    skipped_unsubscribed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class VolunteerImport(TenantModel):
    """A volunteer file through the import wizard: uploaded, mapped, checked (dry run), then
    committed all or nothing."""

    file_name = models.CharField(max_length=255, blank=True)
    data = models.BinaryField(blank=True, default=b"", editable=False)
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(max_length=10, default="uploaded")
    created_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Volunteer import {self.pk}"
