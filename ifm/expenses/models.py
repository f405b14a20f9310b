"""Expense claims (staff reimbursements) and vendor bills, their approvals, history and receipts.

An expense is a draft until its owner submits it; approvers (finance, admins) approve or reject
it; only a fully approved expense posts to the ledger (a liability in accounts payable), and
paying it posts the payment. The ledger rows are referenced, never written here.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel
from ifm.core.storage import private_storage

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
DEFAULT_TWO_STEP_THRESHOLD = Decimal("1000.00")


class Kind(models.TextChoices):
    CLAIM = "claim", "Reimbursement claim"
    BILL = "bill", "Vendor bill"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PAID = "paid", "Paid"


class Function(models.TextChoices):
    """The functional classification of the expense (the ledger's own values)."""

    PROGRAM = "program", "Program services"
    MANAGEMENT = "management", "Management and general"
    FUNDRAISING = "fundraising", "Fundraising"


class ExpenseCategory(TenantModel, VersionedModel):
    """A category finance defines for staff: a plain name mapped to a ledger expense account and
    the function that usually applies. Staff choose the name and never see the account."""

    name = models.CharField(max_length=100)
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    default_function = models.CharField(max_length=20, choices=Function.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name", "id"]
        verbose_name_plural = "expense categories"
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("name"), name="expense_category_org_name_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active", "name"])]

    def __str__(self) -> str:
        return self.name


class Expense(TenantModel, VersionedModel):
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLAIM)
    payee = models.CharField(max_length=200)
    date = models.DateField()
    # Amount, category and fund may be missing while a draft; submitting needs them.
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    # The category the person chose (finance's plain name), when not "Other"; `category` is the
    # ledger expense account that is posted: the category's account, or one chosen from the chart.
    expense_category = models.ForeignKey(
        ExpenseCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    category = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(
        "ledger.Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        "ledger.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Blank while a draft has no category to take it from; submitting needs it.
    function = models.CharField(max_length=20, choices=Function.choices, blank=True)
    description = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.TextField(blank=True, max_length=2000)
    liability_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_from = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    check_number = models.CharField(max_length=20, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="expense_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(amount__isnull=False) & Q(category__isnull=False) & Q(fund__isnull=False)),
                name="expense_submitted_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(liability_entry__isnull=False),
                name="expense_approved_posted",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(payment_entry__isnull=False),
                name="expense_paid_posted",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "date"]),
            models.Index(fields=["organization", "submitted_by", "status"]),
        ]

    def __str__(self) -> str:
        return f"EXP-{self.pk} {self.payee}"

    @property
    def reference(self) -> str:
        return f"EXP-{self.pk}"


class ExpenseApproval(TenantModel):
    """One approval: step 1, and step 2 when the amount is above the two-step threshold."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    step = models.PositiveSmallIntegerField()
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "expense", "step"], name="expense_approval_step_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "expense", "approver"],
                name="expense_approval_person_unique",
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1) & Q(step__lte=2), name="expense_approval_step_1_2"
            ),
        ]
        indexes = [models.Index(fields=["organization", "expense"])]


class ExpenseEvent(TenantModel):
    """History of an expense: who moved it from which status to which, and why."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    note = models.CharField(max_length=2000, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organization", "expense", "at"])]


def receipt_path(instance: Receipt, filename: str) -> str:
    """receipts/<org>/<expense>/<random><ext>: the person's file name is never a path."""
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, PurePosixPath(filename).suffix[:8]
    )
    return f"receipts/{instance.organization_id}/{instance.expense_id}/{uuid.uuid4().hex}{suffix}"


class Receipt(TenantModel):
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="receipts")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=receipt_path, storage=private_storage, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["organization", "expense"])]

    def __str__(self) -> str:
        return self.original_name


class ExpenseSettings(TenantModel, VersionedModel):
    """The organization's approval rules: above the threshold, two people approve."""

    two_step_threshold = models.DecimalField(**MONEY, default=DEFAULT_TWO_STEP_THRESHOLD)

    class Meta:
        base_manager_name = "all_orgs"
        verbose_name_plural = "expense settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="expense_settings_one_per_org"),
            models.CheckConstraint(
                condition=Q(two_step_threshold__gte=0), name="expense_threshold_not_negative"
            ),
        ]
