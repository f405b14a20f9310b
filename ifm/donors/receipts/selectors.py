"""Reads about receipts: the compliance view (Publication 1771 rules not yet met) and the
statements of a year-end run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ifm.donors.models import Donation, DonationStatus, ReceiptRun, TaxReceipt
from ifm.donors.models.receipts import DeliveryMethod, DeliveryStatus
from ifm.donors.receipts.wording import ACKNOWLEDGMENT_THRESHOLD, QUID_PRO_QUO_THRESHOLD
from ifm.tenancy.models import Organization


@dataclass
class ComplianceGaps:
    unacknowledged: QuerySet[Donation]
    undisclosed_quid_pro_quo: QuerySet[Donation]


def acknowledged_donation_ids() -> QuerySet[Any, Any]:
    """Ids of donations on a receipt or statement that stands (not voided, not replaced)."""
    through = TaxReceipt.donations.through
    return through.objects.filter(
        taxreceipt__voided_at__isnull=True, taxreceipt__replaced_by__isnull=True
    ).values("donation_id")


def compliance_gaps(*, organization: Organization, year: int | None = None) -> ComplianceGaps:
    """Gifts of $250 or more with no acknowledgment, and payments over $75 that bought goods or
    services with no disclosure (every receipt we issue carries it, so: with no receipt)."""
    active = Donation.objects.filter(organization=organization, status=DonationStatus.ACTIVE)
    if year is not None:
        active = active.filter(date__year=year)
    acknowledged = acknowledged_donation_ids()
    ordered = ("date", "pk")
    return ComplianceGaps(
        unacknowledged=active.filter(amount__gte=ACKNOWLEDGMENT_THRESHOLD)
        .exclude(pk__in=acknowledged)
        .select_related("donor")
        .order_by(*ordered),
        undisclosed_quid_pro_quo=active.filter(
            amount__gt=QUID_PRO_QUO_THRESHOLD, goods_services_value__gt=0
        )
        .exclude(method__in=["in_kind", "stock"])
        .exclude(pk__in=acknowledged)
        .select_related("donor")
        .order_by(*ordered),
    )


def run_statements(run: ReceiptRun) -> QuerySet[TaxReceipt]:
    """The statements of a year-end run that stand (not voided, not replaced by a correction):
    the ones to deliver."""
    return TaxReceipt.objects.filter(run=run, voided_at__isnull=True, replaced_by__isnull=True)


def run_statements_not_emailed(run: ReceiptRun) -> QuerySet[TaxReceipt]:
    """The run's standing statements that were not emailed and are not on their way by email
    (no address, asked not to be emailed, deceased, a failed email, or never sent): the ones
    to print and mail."""
    return run_statements(run).exclude(
        delivery=DeliveryMethod.EMAIL,
        delivery_status__in=[DeliveryStatus.SENT, DeliveryStatus.PENDING],
    )
