"""Opportunities, their shifts (one-off or repeating weekly), roles within a shift, and the
sign-ups that fill them.

A shift's confirmed sign-ups never exceed its capacity (nor a role's its own): the sign-up
service locks the shift's row before counting (`ifm.volunteers.signups.services`), so two
requests for the last place queue behind each other; the rest go on the waitlist in the order
they came.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel
from ifm.volunteers.models.people import QualificationType, Volunteer


class Opportunity(TenantModel, VersionedModel):
    """Work volunteers can sign up for: a food pantry's Saturday distribution, tutoring."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    program = models.ForeignKey(
        "ledger.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(max_length=200, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    required_qualifications = models.ManyToManyField(
        QualificationType, through="OpportunityQualification", blank=True, related_name="+"
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # Listed on the organization's public sign-up page.
    is_public = models.BooleanField(default=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["organization", "is_archived", "title"], name="volunteers_opp")
        ]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title


class OpportunityQualification(TenantModel):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    qualification_type = models.ForeignKey(
        QualificationType, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "qualification_type"], name="volunteers_oppqual_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "opportunity"], name="volunteers_oppqual_opp")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} needs {self.qualification_type_id}"


class ShiftSeries(TenantModel):
    """A weekly pattern: on these weekdays, from `start_time` to `end_time` (the organization's
    time zone), from `first_date` until `until`. Its shifts are made as rows when it is saved."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="series")
    # ISO weekdays, Monday 1 to Sunday 7, as "1,3,5".
    weekdays = models.CharField(max_length=20)
    start_time = models.TimeField()
    end_time = models.TimeField()
    first_date = models.DateField()
    until = models.DateField()
    capacity = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["first_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gte=F("first_date")), name="volunteers_series_until_after_first"
            )
        ]

    def __str__(self) -> str:
        return f"Weekly {self.weekdays} {self.start_time}-{self.end_time}"


class Shift(TenantModel, VersionedModel):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shifts")
    series = models.ForeignKey(
        ShiftSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    notes = models.CharField(max_length=500, blank=True)
    is_cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="volunteers_shift_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "starts_at"], name="volunteers_shift_start"),
            models.Index(
                fields=["organization", "opportunity", "starts_at"], name="volunteers_shift_opp"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftRole(TenantModel):
    """A role within a shift (driver, sorter) with its own places, within the shift's."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField()

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "name"], name="volunteers_role_name_unique")
        ]
        indexes = [models.Index(fields=["organization", "shift"], name="volunteers_role_shift")]

    def __str__(self) -> str:
        return self.name


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"


class SignUpSource(models.TextChoices):
    STAFF = "staff", "Added by staff"
    PUBLIC = "public", "Public sign-up page"
    KIOSK = "kiosk", "Walk-in at the kiosk"
    API = "api", "API"


class SignUp(TenantModel):
    """A volunteer on a shift (and a role of it): confirmed, waitlisted or cancelled. A
    volunteer has at most one sign-up per shift that is not cancelled."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    role = models.ForeignKey(
        ShiftRole, null=True, blank=True, on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(max_length=10, choices=SignUpStatus.choices)
    source = models.CharField(
        max_length=10, choices=SignUpSource.choices, default=SignUpSource.STAFF
    )
    signed_up_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=~Q(status="cancelled"),
                name="volunteers_signup_once_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="volunteers_signup_out_after_in",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "shift", "status"], name="volunteers_signup_shift"
            ),
            models.Index(
                fields=["organization", "volunteer", "status"], name="volunteers_signup_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} on {self.shift} ({self.status})"


class HoursStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class HoursSource(models.TextChoices):
    CHECK_IN = "check_in", "Checked in and out"
    VOLUNTEER = "volunteer", "Logged by the volunteer"
    COORDINATOR = "coordinator", "Logged by a coordinator"


class HoursEntry(TenantModel, VersionedModel):
    """Hours given on a day: from a check-in and check-out, or logged. Only approved hours
    count in reports and milestones."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    signup = models.OneToOneField(
        SignUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="hours_entry"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    description = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=12, choices=HoursSource.choices)
    status = models.CharField(
        max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-id"]
        verbose_name_plural = "hours entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="volunteers_hours_0_24"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="volunteers_hours_rejected_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "date"], name="volunteers_hours_status"),
            models.Index(
                fields=["organization", "volunteer", "date"], name="volunteers_hours_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h by {self.volunteer} on {self.date}"
