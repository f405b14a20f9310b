"""Reads of pledges and recurring gifts: the lists with their filters and totals, what a
pledge has been paid (active gifts only) and what is left, the schedule with each installment's
share of the payments, and which recurring gifts are overdue.

Nothing marks a recurring gift "lapsed" by itself: a gift still active whose next date is more
than OVERDUE_AFTER in the past is flagged `overdue` here, when it is read, for a person to
follow up (and to mark lapsed or end, if it is).

Every query runs in the current organization (tenant managers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ifm.donors.models import (
    Donation,
    DonationStatus,
    Donor,
    Pledge,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
)
from ifm.donors.people import selectors as people_selectors
from ifm.donors.validation import ZERO


def pledge_balance(pledge: Pledge) -> Decimal:
    return pledge.balance_due


OVERDUE_AFTER = timedelta(days=30)
_MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- Pledges -----------------------------------------------------------------------------------


def with_amounts(qs: QuerySet[Pledge]) -> QuerySet[Pledge]:
    """Annotates `paid_amount` (active gifts applied) and `balance_amount` (what is still due;
    nothing for a cancelled pledge, never below zero)."""
    paid = (
        Donation.objects.filter(pledge=OuterRef("pk"), status=DonationStatus.ACTIVE)
        .order_by()
        .values("pledge")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return qs.annotate(
        paid_amount=Coalesce(Subquery(paid, output_field=_MONEY), Value(ZERO), output_field=_MONEY)
    ).annotate(
        balance_amount=Case(
            When(status=PledgeStatus.CANCELLED, then=Value(ZERO)),
            When(paid_amount__gte=F("total"), then=Value(ZERO)),
            default=ExpressionWrapper(F("total") - F("paid_amount"), output_field=_MONEY),
            output_field=_MONEY,
        )
    )


def pledge_list(
    *, q: str = "", status: str = "", campaign_id: int | None = None, donor_id: int | None = None
) -> QuerySet[Pledge]:
    """Pledges newest first, with their amounts; `q` searches the donor as the donor list does."""
    qs = Pledge.objects.select_related("donor", "fund", "campaign")
    if q:
        qs = qs.filter(donor__in=people_selectors.donor_search(q, include_inactive=True))
    if status:
        qs = qs.filter(status=status)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if donor_id:
        qs = qs.filter(donor_id=donor_id)
    return with_amounts(qs).order_by("-date", "-id")


def pledge_totals(qs: QuerySet[Pledge]) -> dict[str, Decimal]:
    """The sums of the list's columns: pledged, paid and balance due (cancelled: none due)."""
    row = qs.order_by().aggregate(
        pledged=Sum("total"), paid=Sum("paid_amount"), balance=Sum("balance_amount")
    )
    return {k: (v if v is not None else ZERO) for k, v in row.items()}


def pledge_get(pledge_id: int) -> Pledge | None:
    return (
        with_amounts(Pledge.objects.select_related("donor", "fund", "campaign"))
        .filter(pk=pledge_id)
        .first()
    )


def open_pledges_for(donor: Donor | int | None) -> list[Pledge]:
    """The donor's open pledges (a gift may be applied to them), oldest first."""
    if donor is None:
        return []
    donor_id = donor.pk if isinstance(donor, Donor) else donor
    qs = Pledge.objects.filter(donor_id=donor_id, status=PledgeStatus.OPEN)
    return list(with_amounts(qs).order_by("date", "id"))


def pledge_payments(pledge: Pledge) -> QuerySet[Donation]:
    return pledge.payments.select_related("fund").order_by("date", "id")


@dataclass
class InstallmentRow:
    id: int
    due_date: date
    amount: Decimal
    paid: Decimal
    status: str  # paid, partly_paid, due, overdue, cancelled

    @property
    def left(self) -> Decimal:
        return self.amount - self.paid


def pledge_schedule(pledge: Pledge, *, today: date | None = None) -> list[InstallmentRow]:
    """The installments, the payments applied to the earliest first."""
    today = today or timezone.localdate()
    paid = getattr(pledge, "paid_amount", None)
    left = pledge.paid if paid is None else paid
    rows = []
    for item in pledge.installments.order_by("due_date", "id"):
        share = min(left, item.amount)
        left -= share
        if share == item.amount:
            status = "paid"
        elif pledge.status == PledgeStatus.CANCELLED:
            status = "cancelled"
        elif item.due_date < today:
            status = "overdue"
        else:
            status = "partly_paid" if share > 0 else "due"
        rows.append(InstallmentRow(item.pk, item.due_date, item.amount, share, status))
    return rows


def next_installment(pledge: Pledge) -> InstallmentRow | None:
    """The first installment not fully paid (what the next payment is for)."""
    for row in pledge_schedule(pledge):
        if row.status not in ("paid", "cancelled"):
            return row
    return None


# --- Recurring gifts ---------------------------------------------------------------------------


def _overdue_cutoff(today: date | None = None) -> date:
    return (today or timezone.localdate()) - OVERDUE_AFTER


def with_overdue(qs: QuerySet[RecurringGift], today: date | None = None) -> QuerySet[Any]:
    """Annotates `overdue`: active, and its next gift more than OVERDUE_AFTER late."""
    return qs.annotate(
        overdue=Case(
            When(
                status=RecurringStatus.ACTIVE,
                next_date__lt=_overdue_cutoff(today),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def recurring_list(
    *,
    q: str = "",
    status: str = "",
    overdue: bool = False,
    donor_id: int | None = None,
    today: date | None = None,
) -> QuerySet[RecurringGift]:
    """Recurring gifts by next date (ended ones last), flagged `overdue`."""
    qs = RecurringGift.objects.select_related("donor", "fund")
    if q:
        qs = qs.filter(donor__in=people_selectors.donor_search(q, include_inactive=True))
    if status:
        qs = qs.filter(status=status)
    if donor_id:
        qs = qs.filter(donor_id=donor_id)
    if overdue:
        qs = qs.filter(status=RecurringStatus.ACTIVE, next_date__lt=_overdue_cutoff(today))
    return with_overdue(qs, today).order_by(F("next_date").asc(nulls_last=True), "id")


def recurring_get(recurring_id: int) -> RecurringGift | None:
    return (
        with_overdue(RecurringGift.objects.select_related("donor", "fund"))
        .filter(pk=recurring_id)
        .first()
    )


def is_overdue(gift: RecurringGift, today: date | None = None) -> bool:
    flag = getattr(gift, "overdue", None)
    if flag is not None:
        return bool(flag)
    return (
        gift.status == RecurringStatus.ACTIVE
        and gift.next_date is not None
        and gift.next_date < _overdue_cutoff(today)
    )


def live_recurring_for(donor: Donor | int | None) -> list[RecurringGift]:
    """The donor's recurring gifts not ended (a gift may be recorded as one of them)."""
    if donor is None:
        return []
    donor_id = donor.pk if isinstance(donor, Donor) else donor
    return list(
        RecurringGift.objects.filter(donor_id=donor_id)
        .exclude(status=RecurringStatus.ENDED)
        .order_by("next_date", "id")
    )


def recurring_gifts_received(gift: RecurringGift) -> QuerySet[Donation]:
    return gift.donations.select_related("fund").order_by("-date", "-id")


def recurring_received_total(gift: RecurringGift) -> Decimal:
    total = gift.donations.filter(status=DonationStatus.ACTIVE).aggregate(s=Sum("amount"))["s"]
    return total or ZERO
