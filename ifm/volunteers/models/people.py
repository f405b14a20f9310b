"""Volunteers and their qualifications (background check, food handler card, waiver...)."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel
from ifm.core.storage import private_storage

ADULT_AGE = 18


def new_token() -> str:
    """A secret for a volunteer's calendar feed URL (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day` (someone born on 29 February is a year older on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class VolunteerStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class Volunteer(TenantModel, VersionedModel):
    """A person who gives time. Linked to a donor record when it is the same person: offered on
    an email match, confirmed by a person, never merged silently."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    skills = models.TextField(blank=True)
    interests = models.TextField(blank=True)
    availability = models.TextField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    # A minor (under 18 on the day) needs a guardian's consent before being confirmed on a shift.
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_email = models.EmailField(max_length=254, blank=True)
    guardian_consent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.APPLICANT
    )
    donor = models.ForeignKey(
        "donors.Donor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    # Unsubscribed from coordinators' messages (reminders and confirmations still go out).
    email_opt_out = models.BooleanField(default=False)
    calendar_token = models.CharField(max_length=64, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by the services for duplicate matching and search.
    email_norm = models.CharField(max_length=254, blank=True, editable=False)
    phone_norm = models.CharField(max_length=20, blank=True, editable=False)
    name_norm = models.CharField(max_length=300, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                F("organization"),
                Lower("email"),
                condition=~Q(email=""),
                name="volunteers_volunteer_email_unique",
            ),
            models.UniqueConstraint(
                fields=["calendar_token"], name="volunteers_volunteer_calendar_token"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "last_name", "first_name"], name="volunteers_sort"
            ),
            models.Index(fields=["organization", "status"], name="volunteers_status"),
            models.Index(fields=["organization", "email_norm"], name="volunteers_email_norm"),
            models.Index(fields=["organization", "phone_norm"], name="volunteers_phone_norm"),
            models.Index(fields=["organization", "donor"], name="volunteers_donor"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def sort_name(self) -> str:
        return ", ".join(p for p in (self.last_name, self.first_name) if p)

    @property
    def reference(self) -> str:
        return f"V-{self.pk}"

    def age(self, day: date) -> int | None:
        return age_on(self.date_of_birth, day) if self.date_of_birth else None

    def is_minor(self, day: date) -> bool:
        years = self.age(day)
        return years is not None and years < ADULT_AGE


class QualificationType(TenantModel):
    """A kind of qualification an organization asks for: background check, food handler card,
    signed waiver, a training session."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    # How long one lasts when issued, to propose an expiry date; empty: it does not expire.
    valid_months = models.PositiveSmallIntegerField(null=True, blank=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("name"), name="volunteers_qualtype_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


def qualification_path(instance: Qualification, filename: str) -> str:
    return f"volunteers/{instance.organization_id}/qualifications/{secrets.token_hex(16)}"


class Qualification(TenantModel, VersionedModel):
    """One volunteer's qualification of a type, current from `issued_on` to `expires_on`
    (inclusive; no expiry date: current from its issue on)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="qualifications"
    )
    type = models.ForeignKey(QualificationType, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    # An optional document (a scan of the card, the signed waiver): a private file, its type
    # checked from its content when uploaded.
    document = models.FileField(
        upload_to=qualification_path, storage=private_storage, max_length=255, blank=True
    )
    document_name = models.CharField(max_length=255, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["type__name", "-issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="volunteers_qualification_expires_after_issue",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "volunteer", "type"], name="volunteers_qual_holder"
            ),
            models.Index(fields=["organization", "expires_on"], name="volunteers_qual_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.type} ({self.volunteer})"

    def is_current(self, day: date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)
