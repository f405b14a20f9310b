"""Donors, households, tags and notes; donations, soft credits, pledges, recurring gifts,
gift batches, campaigns and appeals; and the giving summary kept beside every donor.

Donations post to the ledger through ifm.ledger.journal.posting (never written here). A donation
entered into an open gift batch is `pending` and posts only when the batch posts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel

__all__ = [
    "MONEY",
    "NON_CASH_METHODS",
    "Appeal",
    "BatchStatus",
    "Campaign",
    "Donation",
    "DonationStatus",
    "Donor",
    "DonorGivingSummary",
    "DonorKind",
    "DonorNote",
    "Frequency",
    "GiftBatch",
    "Household",
    "Method",
    "Pledge",
    "PledgeInstallment",
    "PledgeStatus",
    "RecurringGift",
    "RecurringStatus",
    "SoftCredit",
    "Tag",
    "donor_name",
]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class DonorKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ORGANIZATION = "organization", "Organization"


class Household(TenantModel, VersionedModel):
    """Donors who give together: a name (\"The Smith Family\") and their shared address."""

    name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Tag(TenantModel):
    name = models.CharField(max_length=60)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="donors_tag_org_name")
        ]

    def __str__(self) -> str:
        return self.name


def donor_name(kind: str, first_name: str, last_name: str, organization_name: str) -> str:
    """A donor's name from its columns (for reads that fetch the columns, not the donor)."""
    if kind == DonorKind.ORGANIZATION:
        return organization_name
    return " ".join(p for p in (first_name, last_name) if p)


class Donor(TenantModel, VersionedModel):
    """A person or an organization that gives. One primary email, phone and postal address."""

    kind = models.CharField(max_length=12, choices=DonorKind.choices, default=DonorKind.INDIVIDUAL)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    organization_name = models.CharField(max_length=200, blank=True)
    salutation = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    no_email = models.BooleanField(default=False)
    no_mail = models.BooleanField(default=False)
    no_phone = models.BooleanField(default=False)
    anonymous = models.BooleanField("Gives anonymously", default=False)
    is_deceased = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="donors")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by the services (ifm.donors.normalize) for duplicate matching and search.
    email_norm = models.CharField(max_length=254, blank=True, editable=False)
    phone_norm = models.CharField(max_length=20, blank=True, editable=False)
    name_norm = models.CharField(max_length=300, blank=True, editable=False)
    postal_norm = models.CharField(max_length=20, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["last_name", "first_name", "organization_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="individual") | ~Q(first_name="", last_name=""),
                name="donors_individual_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind="organization") | ~Q(organization_name=""),
                name="donors_organization_named",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "email_norm"], name="donors_donor_email_norm"),
            models.Index(fields=["organization", "phone_norm"], name="donors_donor_phone_norm"),
            models.Index(
                fields=["organization", "name_norm", "postal_norm"], name="donors_donor_name_norm"
            ),
            models.Index(
                fields=["organization", "last_name", "first_name"], name="donors_donor_sort"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return donor_name(self.kind, self.first_name, self.last_name, self.organization_name)

    @property
    def sort_name(self) -> str:
        if self.kind == DonorKind.ORGANIZATION:
            return self.organization_name
        return ", ".join(p for p in (self.last_name, self.first_name) if p)

    @property
    def greeting(self) -> str:
        return self.salutation or (f"Dear {self.name}" if self.name else "Dear Friend")

    @property
    def reference(self) -> str:
        return f"D-{self.pk}"


class DonorNote(TenantModel, VersionedModel):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note on {self.donor_id}"


class Campaign(TenantModel, VersionedModel):
    name = models.CharField(max_length=200)
    # What the campaign means to raise, and when it runs (all optional): its progress is the
    # live gifts' total against the goal.
    goal = models.DecimalField(**MONEY, null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="donors_campaign_org_name"
            ),
            models.CheckConstraint(
                condition=Q(goal__isnull=True) | Q(goal__gt=0), name="donors_campaign_goal_positive"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="donors_campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Appeal(TenantModel):
    """A solicitation (a letter, an email, an event) within an optional campaign."""

    name = models.CharField(max_length=200)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="donors_appeal_org_name")
        ]

    def __str__(self) -> str:
        return self.name


class Method(models.TextChoices):
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    ONLINE = "online", "Online"
    IN_KIND = "in_kind", "In-kind"
    STOCK = "stock", "Stock"


NON_CASH_METHODS = (Method.IN_KIND, Method.STOCK)


class DonationStatus(models.TextChoices):
    PENDING = "pending", "Pending (in an unposted batch)"
    ACTIVE = "active", "Active"
    VOIDED = "voided", "Voided"


class PledgeStatus(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class Pledge(TenantModel, VersionedModel):
    """A promise to give `total`, on a schedule of installments; donations pay it down."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    total = models.DecimalField(**MONEY)
    date = models.DateField()
    fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=PledgeStatus.choices, default="open")
    notes = models.TextField(blank=True, max_length=2000)
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="donors_pledge_total_positive")
        ]

    def __str__(self) -> str:
        return f"Pledge {self.pk} of {self.total}"

    @property
    def paid(self) -> Decimal:
        total = self.payments.filter(status=DonationStatus.ACTIVE).aggregate(
            s=models.Sum("amount")
        )["s"]
        return total or ZERO

    @property
    def balance_due(self) -> Decimal:
        return max(self.total - self.paid, ZERO)


class PledgeInstallment(TenantModel):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="installments")
    due_date = models.DateField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="donors_installment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} due {self.due_date}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


class RecurringStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    LAPSED = "lapsed", "Lapsed"
    ENDED = "ended", "Ended"


class RecurringGift(TenantModel, VersionedModel):
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="recurring_gifts")
    amount = models.DecimalField(**MONEY)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    method = models.CharField(max_length=14, choices=Method.choices, default=Method.CARD)
    fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    next_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=RecurringStatus.choices, default=RecurringStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["next_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="donors_recurring_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.frequency}"


class BatchStatus(models.TextChoices):
    OPEN = "open", "Open"
    POSTED = "posted", "Posted"


class GiftBatch(TenantModel, VersionedModel):
    """A deposit's worth of gifts: posts (all of them, at once, as one deposit entry) only when
    count and total match. Its date, fund, method, campaign, appeal and deposit account are the
    defaults of every gift added to it."""

    name = models.CharField(max_length=200)
    date = models.DateField()
    expected_count = models.PositiveIntegerField()
    expected_total = models.DecimalField(**MONEY)
    deposit_account = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        "ledger.Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=14, choices=Method.choices, default=Method.CHECK)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The deposit entry made when the batch posted (every gift of the batch points at it too).
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=8, choices=BatchStatus.choices, default="open")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.name


class Donation(TenantModel, VersionedModel):
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations")
    date = models.DateField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=14, choices=Method.choices)
    check_number = models.CharField(max_length=30, blank=True)
    description = models.TextField(
        blank=True, max_length=2000, help_text="What was given (in-kind and stock gifts)."
    )
    fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    designation = models.CharField(max_length=500, blank=True)
    goods_services_description = models.TextField(blank=True, max_length=2000)
    goods_services_value = models.DecimalField(**MONEY, default=ZERO)
    anonymous = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=5000)
    status = models.CharField(
        max_length=8, choices=DonationStatus.choices, default=DonationStatus.ACTIVE
    )
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    # Marked by the user: the gift is more than the pledge still owed, and that is meant.
    pledge_overpayment = models.BooleanField(default=False)
    recurring = models.ForeignKey(
        RecurringGift, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    batch = models.ForeignKey(
        GiftBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    deposit_account = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donors_donation_positive"),
            models.CheckConstraint(
                condition=Q(goods_services_value__gte=0)
                & Q(goods_services_value__lte=models.F("amount")),
                name="donors_donation_goods_le_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(journal_entry__isnull=False),
                name="donors_donation_active_posted",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "donor", "date"], name="donors_donation_donor"),
            models.Index(fields=["organization", "date"], name="donors_donation_date"),
            # The fundraising reports read active gifts only, per donor or per period, and
            # only these columns: PostgreSQL answers them from the index alone.
            models.Index(
                fields=["organization", "donor", "date"],
                include=["amount"],
                condition=Q(status="active"),
                name="donors_donation_giving_donor",
            ),
            models.Index(
                fields=["organization", "date"],
                include=["donor", "amount", "fund", "campaign", "appeal"],
                condition=Q(status="active"),
                name="donors_donation_giving_date",
            ),
            models.Index(
                fields=["organization", "campaign", "donor"],
                include=["amount"],
                condition=Q(status="active"),
                name="donors_donation_giving_camp",
            ),
            models.Index(
                fields=["organization", "appeal", "donor"],
                include=["amount"],
                condition=Q(status="active"),
                name="donors_donation_giving_appeal",
            ),
            # The median gift of a period: its middle gifts are found by walking the period's
            # gifts in amount order to the middle, where a percentile sorts all of them.
            models.Index(
                fields=["organization", "amount"],
                include=["date"],
                condition=Q(status="active"),
                name="donors_donation_giving_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Gift {self.pk} of {self.amount} on {self.date}"

    @property
    def reference(self) -> str:
        return f"GIFT-{self.pk}"

    @property
    def deductible_amount(self) -> Decimal:
        return self.amount - (self.goods_services_value or ZERO)

    @property
    def is_non_cash(self) -> bool:
        return self.method in NON_CASH_METHODS


class SoftCredit(TenantModel):
    """Recognition of a donor who did not give the money (a spouse, a solicitor, a DAF advisor)."""

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="soft_credits")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="soft_credits")
    amount = models.DecimalField(**MONEY)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["donation", "donor"], name="donors_softcredit_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="donors_softcredit_positive"),
        ]

    def __str__(self) -> str:
        return f"Soft credit {self.amount} to {self.donor_id}"


class DonorGivingSummary(TenantModel):
    """Giving totals of one donor, rewritten by the services in the same transaction as every
    donation write (never by a batch). Counts active (posted, not voided) hard-credit gifts.

    "This year" is the calendar year of `year`: `this_year_total` and `last_year_total` hold the
    totals of `year` and `year - 1`. Read them through `current_totals()`, which shifts them when
    the calendar has moved past `year` since the last write.
    """

    donor = models.OneToOneField(Donor, on_delete=models.CASCADE, related_name="giving_summary")
    first_gift_date = models.DateField(null=True, blank=True)
    last_gift_date = models.DateField(null=True, blank=True)
    largest_gift = models.DecimalField(**MONEY, default=ZERO)
    lifetime_total = models.DecimalField(**MONEY, default=ZERO)
    gift_count = models.PositiveIntegerField(default=0)
    this_year_total = models.DecimalField(**MONEY, default=ZERO)
    last_year_total = models.DecimalField(**MONEY, default=ZERO)
    year = models.PositiveSmallIntegerField(default=2000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"

    def __str__(self) -> str:
        return f"Giving of {self.donor_id}"

    def current_totals(self, today: Any = None) -> tuple[Decimal, Decimal]:
        """(this calendar year, last calendar year) as of `today`."""
        year = (today or timezone.localdate()).year
        if year == self.year:
            return self.this_year_total, self.last_year_total
        if year == self.year + 1:
            return ZERO, self.this_year_total
        return ZERO, ZERO
