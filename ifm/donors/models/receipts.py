"""Tax receipts (acknowledgments) and year-end statements, the letter settings, bulk runs.

The model is `TaxReceipt` (the expenses app already has a `Receipt`: a scanned bill).
An issued receipt never changes: its letter is kept as rendered HTML (`content_html`) with the
data it was made from (`content_data`) and the PDF. A correction is a new receipt naming the
one it `replaces`; a void keeps its number. Numbers come from `ReceiptCounter`, one row per
organization taken with UPDATE ... RETURNING, so they are sequential with no gaps or reuse.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel
from ifm.core.storage import private_storage

from .donors import MONEY, ZERO, Donation, Donor, Household

__all__ = [
    "DEFAULT_LETTER_TEMPLATE",
    "DeliveryMethod",
    "DeliveryStatus",
    "ReceiptCounter",
    "ReceiptKind",
    "ReceiptRun",
    "ReceiptSettings",
    "RunStatus",
    "TaxReceipt",
]


class ReceiptKind(models.TextChoices):
    SINGLE = "single", "Receipt"
    YEAR_END = "year_end", "Year-end statement"
    CORRECTION = "correction", "Corrected receipt"


class DeliveryMethod(models.TextChoices):
    NONE = "", "Not delivered"
    EMAIL = "email", "Email"
    PRINT = "print", "Print"


class DeliveryStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


DEFAULT_LETTER_TEMPLATE = """\
<div class="letterhead">
  {% if logo %}<img class="logo" src="{{ logo }}" alt="">{% endif %}
  <div class="org">
    <strong>{{ org.legal_name }}</strong><br>
    {% for line in org.address %}{{ line }}<br>{% endfor %}
    EIN {{ org.ein }}
  </div>
</div>
<p class="meta">{{ receipt.title }} No. {{ receipt.number }}<br>Date: {{ receipt.issued_on }}
{% if receipt.replaces %}<br>This receipt corrects and replaces receipt No.
{{ receipt.replaces }}.{% endif %}
{% if receipt.tax_year %}<br>Tax year: {{ receipt.tax_year }}{% endif %}</p>
<p class="address">{{ donor.name }}<br>
{% if donor.joint and donor.members_display %}{{ donor.members_display }}<br>{% endif %}
{% for line in donor.address %}{{ line }}<br>{% endfor %}</p>
<p>{{ donor.greeting }},</p>
<p>{{ thank_you }}</p>
<table class="gifts">
  <thead><tr><th>Date</th><th>Gift</th><th>Amount</th></tr></thead>
  <tbody>
  {% for gift in gifts %}
    <tr>
      <td>{{ gift.date_display }}</td>
      <td>{% if gift.kind == "non-cash" %}Non-cash gift: {{ gift.description }}
        {% else %}{{ gift.method_label }}{% endif %}
        {% if not summary_statement %}<div class="goods">{{ gift.goods_statement }}</div>{% endif %}
        {% if gift.quid_pro_quo %}<div class="qpq">{{ gift.quid_pro_quo }}</div>{% endif %}</td>
      <td class="num">{{ gift.amount }}</td>
    </tr>
  {% endfor %}
  </tbody>
  <tfoot><tr><th colspan="2">Total cash contributions</th>
    <th class="num">{{ totals.cash_total }}</th></tr></tfoot>
</table>
{% if summary_statement %}<p class="goods">{{ summary_statement }}</p>{% endif %}
<p>{{ org.legal_name }} is a tax-exempt organization under section 501(c)(3) of the Internal
Revenue Code. Please keep this letter for your tax records.</p>
<p class="signature">With gratitude,<br><br>{{ signature.name }}<br>{{ signature.title }}</p>
"""


class ReceiptSettings(TenantModel, VersionedModel):
    """How an organization's receipts read and look; admins edit it."""

    letter_template = models.TextField(
        default=DEFAULT_LETTER_TEMPLATE,
        max_length=50_000,
        help_text="HTML with Django template tags; only the receipt's own data is available.",
    )
    thank_you_text = models.TextField(
        default="Thank you for your generous support. This letter acknowledges your "
        "contribution as described below.",
        max_length=2000,
    )
    signature_name = models.CharField(max_length=200, blank=True)
    signature_title = models.CharField(max_length=200, blank=True)
    # The letter's own logo (else the organization's); kept privately, embedded in each letter.
    logo = models.FileField(
        upload_to="donors/receipt-logos/", storage=private_storage, blank=True, max_length=255
    )
    intangible_religious_benefits_only = models.BooleanField(
        default=False,
        help_text="For churches and ministries: receipts say that only intangible religious "
        "benefits were provided when nothing else was.",
    )
    email_subject = models.CharField(max_length=200, default="Your donation receipt")
    email_body = models.TextField(
        default="Thank you for your gift. Your receipt is attached.", max_length=5000
    )

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="donors_receiptsettings_one")
        ]

    def __str__(self) -> str:
        return "Receipt settings"


class ReceiptCounter(TenantModel):
    """The next receipt number of an organization; its row lock serializes numbering."""

    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="donors_receiptcounter_one")
        ]

    def __str__(self) -> str:
        return f"Next receipt {self.next_number}"


class ReceiptRun(TenantModel):
    """A bulk run of year-end statements: its progress is polled by a page."""

    tax_year = models.PositiveSmallIntegerField()
    joint = models.BooleanField(
        default=False,
        help_text="One statement per household (its members' gifts together); donors of no "
        "household get their own.",
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0, help_text="Statements this run issued.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Year-end statements {self.tax_year}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class TaxReceipt(TenantModel):
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ReceiptKind.choices)
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="tax_receipts")
    # Set on a joint receipt: issued to the household (its name, its shared address), covering
    # its members' gifts. `donor` is then the member the receipt was issued through.
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tax_receipts",
    )
    donations = models.ManyToManyField(Donation, related_name="tax_receipts")
    tax_year = models.PositiveSmallIntegerField(null=True, blank=True)
    total_amount = models.DecimalField(**MONEY, default=ZERO)
    deductible_amount = models.DecimalField(**MONEY, default=ZERO)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    run = models.ForeignKey(
        ReceiptRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(max_length=500, blank=True)
    content_html = models.TextField(editable=False)
    content_data = models.JSONField(default=dict, editable=False)
    pdf = models.FileField(
        upload_to="donors/receipts/%Y/", storage=private_storage, blank=True, max_length=255
    )
    delivery = models.CharField(
        max_length=5, choices=DeliveryMethod.choices, default=DeliveryMethod.NONE, blank=True
    )
    delivery_status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_SENT
    )
    delivery_error = models.TextField(blank=True)
    delivered_to = models.CharField(max_length=254, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="donors_taxreceipt_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="year_end") | Q(tax_year__isnull=False),
                name="donors_taxreceipt_year_end_has_year",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "donor"], name="donors_taxreceipt_donor"),
            models.Index(fields=["organization", "tax_year"], name="donors_taxreceipt_year"),
            models.Index(fields=["organization", "household"], name="donors_taxreceipt_household"),
        ]

    def __str__(self) -> str:
        return f"Receipt {self.number}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def filename(self) -> str:
        return f"receipt-{self.number}.pdf"
