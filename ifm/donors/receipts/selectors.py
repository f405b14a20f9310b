"""Reads about receipts: the compliance view (Publication 1771 rules not yet met), the
statements of a year-end run, and whether a receipt still matches its gifts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ifm.donors.models import Donation, DonationStatus, ReceiptKind, ReceiptRun, TaxReceipt
from ifm.donors.models.receipts import DeliveryMethod, DeliveryStatus
from ifm.donors.receipts import wording
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


# --- Does a receipt still match its gifts? ------------------------------------------------------

# What a receipt states of each gift, as kept in its `content_data["receipted"]`: editing any
# of these on a receipted gift (or moving the gift to another donor) makes the receipt stale.
# A note, a fund, a campaign, a designation are not on the letter and change nothing.
LINE_KEYS = ("date", "kind", "method", "amount", "description", "deductible_amount")


def gift_facts(donation: Donation) -> dict[str, str]:
    """The values of a gift that its receipt states, as strings (kept in the snapshot)."""
    return {
        "donor_id": str(donation.donor_id),
        "date": donation.date.isoformat(),
        "amount": f"{donation.amount:.2f}",
        "method": donation.method,
        "description": donation.description.strip(),
        "goods_services_description": donation.goods_services_description.strip(),
        "goods_services_value": f"{donation.goods_services_value or 0:.2f}",
    }


def receipt_stands(receipt: TaxReceipt) -> bool:
    """Not voided and not replaced by a correction (no query when the list loaded
    `replaced_by` with select_related)."""
    if receipt.voided_at is not None:
        return False
    try:
        receipt.replaced_by  # noqa: B018 (reads the reverse one-to-one)
    except TaxReceipt.DoesNotExist:
        return True
    return False


def receipt_matches_gifts(receipt: TaxReceipt) -> bool:
    """Whether every gift the receipt names is still active and as the receipt states it.
    Receipts issued before the snapshot kept the gifts' values are compared by their letter
    lines (date, amount, method, description, deductible amount, goods statement)."""
    data = receipt.content_data or {}
    ids = [int(i) for i in data.get("donation_ids", [])]
    # The receipt's gifts are its `donations`: read them as loaded (a list prefetches them).
    gifts = {d.pk: d for d in receipt.donations.all() if d.pk in ids}
    if len(gifts) != len(ids) or any(d.status != DonationStatus.ACTIVE for d in gifts.values()):
        return False
    receipted = data.get("receipted")
    if receipted is not None:
        return all(receipted.get(str(pk)) == gift_facts(gifts[pk]) for pk in ids)
    religious = bool(data.get("intangible_religious_benefits_only"))
    now = wording.gift_lines([wording_gift(gifts[pk]) for pk in ids], religious_only=religious)
    keys = (*LINE_KEYS, "goods_statement")
    then = data.get("gifts", [])
    if len(then) != len(now):
        return False
    pairs = zip(then, now, strict=True)
    return all({k: a.get(k) for k in keys} == {k: b[k] for k in keys} for a, b in pairs)


def wording_gift(donation: Donation) -> wording.Gift:
    """The gift as the wording rules read it."""
    return wording.Gift(
        date=donation.date,
        amount=donation.amount,
        method=donation.method,
        description=donation.description,
        goods_services_description=donation.goods_services_description,
        goods_services_value=donation.goods_services_value or Decimal("0"),
    )


def receipt_is_current(receipt: TaxReceipt) -> bool:
    """The receipt stands and still states its gifts as they are: the one rule behind the
    "no longer matches" banners and the API's `is_current`."""
    return receipt_stands(receipt) and receipt_matches_gifts(receipt)


def standing_receipts_of(donation: Donation) -> QuerySet[TaxReceipt]:
    """The receipts and statements naming the gift that stand (not voided, not replaced)."""
    return TaxReceipt.objects.filter(
        donations=donation, voided_at__isnull=True, replaced_by__isnull=True
    ).order_by("number")


def single_receipt_of(donation: Donation) -> TaxReceipt | None:
    """The gift's own standing receipt (a receipt or its correction; not a year-end
    statement): while there is one, the gift gets no other, only a correction."""
    return (
        standing_receipts_of(donation)
        .filter(kind__in=[ReceiptKind.SINGLE, ReceiptKind.CORRECTION])
        .first()
    )


@dataclass
class GiftReceipts:
    """A gift's receipts as its page shows them."""

    receipts: list[TaxReceipt]
    stale: list[TaxReceipt]  # standing, but no longer matching the gift: to correct
    single: TaxReceipt | None


def gift_receipts(donation: Donation) -> GiftReceipts:
    standing = list(standing_receipts_of(donation))
    return GiftReceipts(
        receipts=list(donation.tax_receipts.order_by("-number")),
        stale=[r for r in standing if not receipt_matches_gifts(r)],
        single=single_receipt_of(donation),
    )


def receipts_not_sent() -> QuerySet[TaxReceipt]:
    """Receipts that stand (not voided, not replaced) and were never sent: the receipt list's
    ``?status=issued&delivery=not_sent``."""
    return TaxReceipt.objects.filter(
        voided_at__isnull=True,
        replaced_by__isnull=True,
        delivery_status=DeliveryStatus.NOT_SENT,
    )


def receipts_issued() -> QuerySet[TaxReceipt]:
    """Every receipt and statement issued, voided ones too, oldest first."""
    return TaxReceipt.objects.order_by("issued_at", "pk")
