"""The rollout's tables: phases and waves (platform tables, no organization), and each
organization's place in them with its module overrides and onboarding sign-offs.

`OrganizationRollout` and `OnboardingSignOff` carry an `organization` foreign key, so on
PostgreSQL row-level security covers them like every tenant table: the organization's own
pages see its rows, and the platform console reads them inside `all_organizations()`. They
are not `TenantModel`s: nearly every read is the console's, across organizations, and each
query names its organization explicitly (see selectors.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

# A phase's module set: every module (also those registered later), the core modules (the
# pilot's "core features only"), or a list of module keys.
ALL = "all"
CORE = "core"


class Phase(models.Model):
    """One phase of the rollout plan (internal testing, pilot, limited release, production)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField(blank=True)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    # "all", "core" or a list of module keys (ifm.tenancy.modules).
    modules = models.JSONField(default=list)
    # How many organizations the plan puts in this phase (none: not counted, the dev team).
    target_organizations = models.PositiveIntegerField(null=True, blank=True)
    success_criteria = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="rollout_phase_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Wave(models.Model):
    """A group of organizations onboarded together within a phase, with its dates."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(max_length=100)
    kickoff_on = models.DateField(null=True, blank=True)
    training_on = models.DateField(null=True, blank=True)
    go_live_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phase__order", "go_live_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "name"], name="rollout_wave_phase_name"),
        ]

    def __str__(self) -> str:
        return f"{self.phase.name}: {self.name}"


class OrganizationRollout(models.Model):
    """Where one organization stands: its phase and wave, and the modules it has beside (or
    without) its phase's set. Its enabled modules are (phase set | enabled) - disabled."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    modules_enabled = models.JSONField(default=list, blank=True)
    modules_disabled = models.JSONField(default=list, blank=True)
    # The organization's own dates, where they differ from its wave's.
    kickoff_on = models.DateField(null=True, blank=True)
    training_on = models.DateField(null=True, blank=True)
    go_live_on = models.DateField(null=True, blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.organization_id} in {self.phase or 'no phase'}"

    def date(self, name: str) -> date | None:
        """The organization's own date, else its wave's (`name`: kickoff_on, training_on,
        go_live_on)."""
        own: date | None = getattr(self, name)
        if own is None and self.wave is not None:
            wave_date: date | None = getattr(self.wave, name)
            return wave_date
        return own


class SignOffItem(models.TextChoices):
    TRAINING = "training", "Training attended"
    DATA_MIGRATION = "data_migration", "Data migration signed off"


class OnboardingSignOff(models.Model):
    """A manual item of the onboarding checklist, recorded by a person."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    item = models.CharField(max_length=32, choices=SignOffItem.choices)
    done_at = models.DateTimeField(default=timezone.now)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "item"], name="rollout_signoff_org_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.item}"


class GoNoGoSignOff(models.Model):
    """A person's decision on one of a phase's Go/No-Go criteria that no data decides
    ("Support team confident"), by the criterion's text; deciding again replaces it."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="gonogo_signoffs")
    criterion = models.CharField(max_length=300)
    met = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "criterion"], name="rollout_gonogo_phase_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase_id}: {self.criterion[:40]} ({'met' if self.met else 'not met'})"
