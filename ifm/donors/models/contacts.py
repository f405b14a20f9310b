"""A donor's emails, phone numbers and postal addresses, beyond one of each.

The Donor's own columns (email, phone, address_*) stay the primary contact: receipts, exports
and the list read them. The services (ifm.donors.people.contacts) keep them in step: a
donor with emails has exactly one primary DonorEmail, equal to `Donor.email`; the same for
phones and addresses. The normalized values (email_norm, phone_norm) serve duplicate matching;
secondary values are also written into the donor's search_text, so search finds them through
the donor's trigram index.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ifm.core.models import TenantModel

from .donors import Donor

__all__ = ["ContactLabel", "DonorAddress", "DonorContact", "DonorEmail", "DonorPhone"]


class ContactLabel(models.TextChoices):
    HOME = "home", "Home"
    WORK = "work", "Work"
    MOBILE = "mobile", "Mobile"
    OTHER = "other", "Other"


class DonorContact(TenantModel):
    """What every contact row has besides its values. Each kind declares its `donor` foreign
    key (its related name: emails, phones, addresses) and its constraints, named after the
    kind (`_one_primary`, `_by_donor`)."""

    donor: models.ForeignKey[Donor, Donor]
    label = models.CharField(max_length=10, choices=ContactLabel.choices, default="home")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        base_manager_name = "all_orgs"
        ordering = ["-is_primary", "id"]


def _one_primary(kind: str) -> models.UniqueConstraint:
    """At most one primary contact of the kind per donor."""
    return models.UniqueConstraint(
        fields=["donor"], condition=Q(is_primary=True), name=f"donors_{kind}_one_primary"
    )


def _by_donor(kind: str) -> models.Index:
    return models.Index(fields=["organization", "donor"], name=f"donors_{kind}_donor")


class DonorEmail(DonorContact):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(max_length=254)
    email_norm = models.CharField(max_length=254, editable=False)

    class Meta(DonorContact.Meta):
        constraints = [
            _one_primary("email"),
            models.UniqueConstraint(fields=["donor", "email_norm"], name="donors_email_once"),
        ]
        indexes = [
            models.Index(fields=["organization", "email_norm"], name="donors_email_norm"),
            _by_donor("email"),
        ]

    def __str__(self) -> str:
        return self.email


class DonorPhone(DonorContact):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="phones")
    phone = models.CharField(max_length=40)
    phone_norm = models.CharField(max_length=20, blank=True, editable=False)

    class Meta(DonorContact.Meta):
        constraints = [_one_primary("phone")]
        indexes = [
            models.Index(fields=["organization", "phone_norm"], name="donors_phone_norm"),
            _by_donor("phone"),
        ]

    def __str__(self) -> str:
        return self.phone


class DonorAddress(DonorContact):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="addresses")
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")

    class Meta(DonorContact.Meta):
        constraints = [_one_primary("address")]
        indexes = [_by_donor("address")]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_line1, self.city, self.postal_code) if p)

    @property
    def lines(self) -> list[str]:
        city_line = " ".join(
            p for p in (f"{self.city}," if self.city else "", self.state, self.postal_code) if p
        ).strip()
        return [x for x in (self.address_line1, self.address_line2, city_line) if x]
