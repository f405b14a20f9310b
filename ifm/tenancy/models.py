from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel
from ifm.tenancy.roles import Role

EIN_VALIDATOR = RegexValidator(r"^\d{2}-\d{7}$", "An EIN has the form 12-3456789.")
SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use lowercase letters, digits and hyphens (2 to 50 characters), "
    "starting and ending with a letter or digit.",
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (for example America/Chicago).")


class Organization(VersionedModel):
    """A nonprofit: the tenant. Every tenant-owned row points here."""

    slug = models.SlugField(max_length=50, unique=True, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    ein = models.CharField("EIN", max_length=10, blank=True, validators=[EIN_VALIDATOR])
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO code.")],
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    logo = models.ImageField(upload_to="logos/", blank=True)
    require_2fa_for_admin_finance = models.BooleanField(
        "Require two-factor for admin and finance roles", default=False
    )
    is_active = models.BooleanField(default=True)
    # The modules this organization may use (keys of ifm.tenancy.modules); null: all of them.
    enabled_modules = models.JSONField(null=True, blank=True, default=None)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="org_fiscal_month_1_12",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel, VersionedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.STAFF)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_org_user_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization_id} as {self.role}"


class PlatformAccessGrant(TenantModel):
    """Explicit, time-limited access of an IFM platform-staff user to one organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VIEWER)
    reason = models.CharField(max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        indexes = [models.Index(fields=["organization", "user", "expires_at"])]

    def __str__(self) -> str:
        until = f"{self.expires_at:%Y-%m-%d %H:%M}" if self.expires_at else "?"
        return f"{self.user} in {self.organization_id} as {self.role} until {until}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
