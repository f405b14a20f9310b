"""Writes of pledges and recurring gifts: creating a pledge with its installment schedule,
cancelling it, and the payment rules a donation follows when it pays a pledge or a recurring
gift (called by gifts/services.py inside the donation's transaction)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date as date_type
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import resolve
from ifm.donors import choices
from ifm.donors.models import (
    NON_CASH_METHODS,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    Frequency,
    Method,
    Pledge,
    PledgeInstallment,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
)
from ifm.donors.validation import (
    CENT,
    ZERO,
    Checker,
    clean_bool,
    clean_date,
    clean_long_text,
    clean_text,
    money,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

# --- A donation paying a pledge or a recurring gift (called by gifts/services.py) ----------------


def advance_recurring(gift: RecurringGift, paid_on: date_type) -> None:
    """A gift received moves the next date on; not while the recurring gift is paused (a gift
    that comes anyway is recorded against it, and the schedule stays where it stopped)."""
    if gift.status == RecurringStatus.PAUSED:
        return
    if gift.next_date is None or paid_on < gift.next_date - timedelta(days=31):
        return
    gift.next_date = next_date(gift.next_date, gift.frequency)
    if gift.end_date and gift.next_date > gift.end_date:
        gift.next_date = None
        gift.status = RecurringStatus.ENDED
    gift.save(update_fields=["next_date", "status"])


def next_date(current: date_type, frequency: str) -> date_type:
    if frequency == Frequency.WEEKLY:
        return current + timedelta(days=7)
    months = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUALLY: 12}[
        Frequency(frequency)
    ]
    month = current.month - 1 + months
    year, month = current.year + month // 12, month % 12 + 1
    day = min(current.day, calendar.monthrange(year, month)[1])
    return date_type(year, month, day)


def pledge_payment(
    pledge: Pledge, amount: Decimal, *, overpayment: bool, excluding: int | None = None
) -> bool:
    """Refuse a gift larger than what the pledge still owes unless the user marked it as an
    overpayment; True when it is one. What is owed counts every gift applied that is not voided
    (one waiting in an open batch too: it posts with the batch). The caller holds the pledge's
    row lock, so two gifts at once cannot both take the last of it."""
    applied = Donation.objects.filter(pledge=pledge).exclude(status=DonationStatus.VOIDED)
    if excluding is not None:
        applied = applied.exclude(pk=excluding)
    sums = applied.aggregate(
        total=models.Sum("amount"),
        pending=models.Sum("amount", filter=models.Q(status=DonationStatus.PENDING)),
    )
    owed = max(pledge.total - (sums["total"] or ZERO), ZERO)
    if amount <= owed:
        return False
    if overpayment:
        return True
    waiting = sums["pending"] or ZERO
    note = f" (counting {waiting:,.2f} waiting in an open batch)" if waiting else ""
    raise ServiceError(
        f"Pledge {pledge.pk} still owes {owed:,.2f}{note}: this gift of {amount:,.2f} is "
        f"{amount - owed:,.2f} more. Lower the amount, or mark the gift as an overpayment.",
        field="amount",
    )


def relink_pledge(row: Donation, links: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Apply a change of the gift's pledge (or of its overpayment mark) to `row`, checking the
    pledge is the donor's, not cancelled, and owed at least the gift unless marked; records the
    changes. True when the pledge or the mark changed."""
    before_pledge, before_over = row.pledge_id, row.pledge_overpayment
    if "pledge" in links:
        if links["pledge"] is None:
            row.pledge = None
        else:
            pledge = resolve(
                Pledge.objects.select_for_update(),
                links["pledge"],
                "pledge_id",
                "No such pledge here.",
            )
            if pledge.donor_id != row.donor_id:
                raise ServiceError("That pledge belongs to another donor.", field="pledge_id")
            if pledge.pk != before_pledge and pledge.status == PledgeStatus.CANCELLED:
                raise ServiceError("That pledge was cancelled.", field="pledge_id")
            row.pledge = pledge
    if "pledge_overpayment" in links:
        overpayment = clean_bool(links["pledge_overpayment"], "pledge_overpayment")
    else:
        overpayment = before_over
    if row.pledge is None:
        row.pledge_overpayment = False
    elif row.pledge_id != before_pledge or "amount" in changes or overpayment != before_over:
        if row.pledge_id == before_pledge:  # the same pledge: hold its row while checking
            Pledge.objects.select_for_update().filter(pk=row.pledge.pk).first()
        row.pledge_overpayment = pledge_payment(
            row.pledge, row.amount, overpayment=overpayment, excluding=row.pk
        )
    for field, before, after in (
        ("pledge", before_pledge, row.pledge_id),
        ("pledge_overpayment", before_over, row.pledge_overpayment),
    ):
        if before != after:
            changes[field] = {
                "before": "" if before is None else str(before),
                "after": "" if after is None else str(after),
            }
    return row.pledge_id != before_pledge or row.pledge_overpayment != before_over


# --- Pledges -----------------------------------------------------------------------------------

MAX_INSTALLMENTS = 120


def _months_later(day: date_type, months: int) -> date_type:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date_type(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _equal_installments(
    total: Decimal, first_due: date_type, count: int, frequency: str
) -> list[tuple[date_type, Decimal]]:
    """`count` installments of `total`, every `frequency` from `first_due` (the 31st stays the
    end of each month); the cents that do not divide evenly go on the first."""
    each = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [total - each * (count - 1), *([each] * (count - 1))]
    if frequency == Frequency.WEEKLY:
        dues = [first_due + timedelta(days=7 * i) for i in range(count)]
    else:
        step = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUALLY: 12}[
            Frequency(frequency)
        ]
        dues = [_months_later(first_due, step * i) for i in range(count)]
    return [(d, a) for d, a in zip(dues, amounts, strict=True) if a > 0]


def pledge_status_refresh(pledge: Pledge) -> None:
    pledge = Pledge.objects.get(pk=pledge.pk)
    if pledge.status == PledgeStatus.CANCELLED:
        return
    status = PledgeStatus.FULFILLED if pledge.balance_due == 0 else PledgeStatus.OPEN
    if status != pledge.status:
        Pledge.objects.filter(pk=pledge.pk).update(status=status)


@org_service("donations.record")
def pledge_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donor: Donor | int,
    total: Any,
    date: date_type,
    fund: Any,
    installments: Sequence[tuple[date_type, Any]] = (),
    installment_count: int | None = None,
    frequency: str = Frequency.MONTHLY,
    campaign: Any = None,
    notes: str = "",
) -> Pledge:
    """A promise of `total`. `installments` (due date, amount) must add up to the total; with
    none, one installment of the whole total falls due on `date`. Or `installment_count`
    equal installments (the cents left over go on the first), the first due on `date` and the
    next every `frequency`. Installments fall due at most ten years after `date`."""
    c = Checker(
        {
            "donor": donor,
            "total": total,
            "date": date,
            "fund": fund,
            "campaign": campaign,
            "notes": notes,
        }
    )
    c.check(
        "donor",
        lambda v: resolve(
            Donor.objects.filter(merged_into__isnull=True),
            v,
            "donor_id",
            "Choose a donor of this organization.",
        ),
        error_field="donor_id",
    )
    c.check("total", lambda v: money(v, "total"))
    c.check("date", lambda v: clean_date(v, "date"))
    c.check(
        "fund",
        lambda v: resolve(
            choices.active_funds(),
            v,
            "fund_id",
            "Choose an active fund of this organization.",
        ),
        error_field="fund_id",
    )
    c.check(
        "campaign",
        lambda v: (
            None
            if v is None
            else resolve(Campaign.objects.all(), v, "campaign_id", "No such campaign.")
        ),
        error_field="campaign_id",
    )
    c.check("notes", lambda v: clean_long_text(v, "notes", 2000))
    if installment_count is not None:
        if installments:
            c.add("installment_count", "Give either the installments or their number.")
        elif (
            isinstance(installment_count, bool)
            or not isinstance(installment_count, int)
            or not 1 <= installment_count <= MAX_INSTALLMENTS
        ):
            c.add("installment_count", f"From 1 to {MAX_INSTALLMENTS} installments.")
        if frequency not in Frequency.values:
            c.add("frequency", f"Choose one of {', '.join(Frequency.values)}.")
    c.raise_if_errors()
    cleaned = c.cleaned
    if installment_count is not None:
        installments = _equal_installments(
            cleaned["total"], cleaned["date"], installment_count, frequency
        )
    schedule: list[tuple[date_type, Decimal]] = []
    latest = _months_later(cleaned["date"], 120)
    for i, item in enumerate(installments or [(cleaned["date"], cleaned["total"])]):
        try:
            due, amount = item
        except (TypeError, ValueError):
            raise ServiceError(
                "Give a due date and an amount.", field=f"installments[{i}]"
            ) from None
        if not isinstance(due, date_type) or not date_type(1900, 1, 1) <= due <= latest:
            raise ServiceError(
                "Give a date as YYYY-MM-DD, at most ten years after the pledge date.",
                field=f"installments[{i}].due_date",
            )
        schedule.append((due, money(amount, f"installments[{i}].amount")))
    if sum((a for _, a in schedule), ZERO) != cleaned["total"]:
        raise ServiceError(
            "The installments must add up to the pledged total.", field="installments"
        )
    pledge = Pledge.objects.create(organization=organization, updated_by=actor, **cleaned)
    PledgeInstallment.objects.bulk_create(
        [
            PledgeInstallment(organization=organization, pledge=pledge, due_date=d, amount=a)
            for d, a in sorted(schedule)
        ]
    )
    audit_record(
        action="pledge.create",
        actor=actor,
        organization=organization,
        obj=pledge,
        changes={"donor": pledge.donor_id, "total": str(pledge.total)},
    )
    return pledge


@org_service("donations.record")
def pledge_cancel(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    pledge: Pledge | int,
    reason: str,
) -> Pledge:
    """Nothing more is expected of the pledge; gifts already applied stay. The reason is kept on
    the pledge and in the audit log."""
    row = resolve(Pledge.objects.select_for_update(), pledge, "pledge_id", "No such pledge.")
    text = clean_text(reason, "reason", 500)
    if not text:
        raise ServiceError("Say why the pledge is cancelled.", field="reason")
    if row.status == PledgeStatus.CANCELLED:
        raise ConflictError(message=f"Pledge {row.pk} is already cancelled.")
    if row.status == PledgeStatus.FULFILLED:
        raise ServiceError(
            f"Pledge {row.pk} is fulfilled: every promised amount was given.", field="status"
        )
    before = row.status
    row.status = PledgeStatus.CANCELLED
    row.cancel_reason = text
    row.cancelled_at = timezone.now()
    row.save_versioned(
        expected_version=row.version,
        user=actor,
        fields=["status", "cancel_reason", "cancelled_at"],
    )
    audit_record(
        action="pledge.cancel",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"status": {"before": before, "after": row.status}, "reason": text},
    )
    return row


# --- Recurring gifts ---------------------------------------------------------------------------


@org_service("donations.record")
def recurring_gift_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donor: Donor | int,
    amount: Any,
    frequency: str,
    start_date: date_type,
    fund: Any,
    method: str = Method.CARD,
    end_date: date_type | None = None,
) -> RecurringGift:
    c = Checker(
        {
            "donor": donor,
            "amount": amount,
            "frequency": frequency,
            "start_date": start_date,
            "fund": fund,
            "method": method,
            "end_date": end_date,
        }
    )
    c.check(
        "donor",
        lambda v: resolve(
            Donor.objects.filter(merged_into__isnull=True),
            v,
            "donor_id",
            "Choose a donor of this organization.",
        ),
        error_field="donor_id",
    )
    c.check("amount", lambda v: money(v, "amount"))
    c.check("start_date", lambda v: clean_date(v, "start_date"))
    c.check("end_date", lambda v: None if v is None else clean_date(v, "end_date"))
    c.check(
        "fund",
        lambda v: resolve(
            choices.active_funds(),
            v,
            "fund_id",
            "Choose an active fund of this organization.",
        ),
        error_field="fund_id",
    )

    def choice(values: list[str], field: str) -> Any:
        def fn(v: Any) -> str:
            if v not in values:
                raise ServiceError(f"Choose one of {', '.join(values)}.", field=field)
            return str(v)

        return fn

    c.check("frequency", choice(Frequency.values, "frequency"))
    c.check("method", choice([m for m in Method.values if m not in NON_CASH_METHODS], "method"))
    c.raise_if_errors()
    cleaned = c.cleaned
    if cleaned.get("end_date") and cleaned["end_date"] < cleaned["start_date"]:
        raise ServiceError("The end date comes after the start date.", field="end_date")
    gift = RecurringGift.objects.create(
        organization=organization,
        updated_by=actor,
        next_date=cleaned["start_date"],
        **cleaned,
    )
    audit_record(action="recurring_gift.create", actor=actor, organization=organization, obj=gift)
    return gift


@org_service("donations.record")
def recurring_gift_set_status(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    gift: RecurringGift | int,
    status: str,
    expected_version: int,
) -> RecurringGift:
    """Pause, resume, mark lapsed or end a recurring gift. An ended gift stays ended."""
    row = resolve(RecurringGift.objects.all(), gift, "recurring_id", "No such recurring gift.")
    if status not in RecurringStatus.values:
        raise ServiceError("Choose active, paused, lapsed or ended.", field="status")
    if row.status == RecurringStatus.ENDED and status != RecurringStatus.ENDED:
        raise ServiceError(
            "An ended recurring gift cannot restart: set up a new one.", field="status"
        )
    before = row.status
    row.status = status
    if status == RecurringStatus.ENDED:
        row.next_date = None
    row.save_versioned(
        expected_version=expected_version, user=actor, fields=["status", "next_date"]
    )
    audit_record(
        action="recurring_gift.status",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"status": {"before": before, "after": status}},
    )
    return row
