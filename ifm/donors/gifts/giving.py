"""Reads of giving across donors and periods, for the fundraising reports: who gave when and how
much, aggregated by the database (one row per donor, month, campaign or appeal, never one per
gift).

A gift counts when it is active: posted and not voided (a gift in an unposted batch counts once
the batch posts), as in the giving summary. Only hard credits count: a soft credit gives the
credited donor no gift here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth

from ifm.donors.models import Appeal, Campaign, Donation, DonationStatus, Donor
from ifm.donors.validation import ZERO

Period = tuple[date, date]


def live_gifts() -> QuerySet[Donation]:
    """The gifts that count: active (posted, not voided), hard credit."""
    return Donation.objects.filter(status=DonationStatus.ACTIVE)


def _within(period: Period) -> Q:
    return Q(date__gte=period[0], date__lte=period[1])


def donors_of(rows: QuerySet[Any]) -> QuerySet[Donor]:
    """The donors of per-donor rows (a `values("donor_id")` queryset), by name."""
    return Donor.objects.filter(pk__in=rows.values("donor_id")).order_by(
        "last_name", "first_name", "organization_name", "id"
    )


# --- Donors who stopped giving -----------------------------------------------------------------


def lapsed_giving(*, current: Period, prior: Period, since: date | None) -> QuerySet[Any]:
    """Per donor who gave between `since` (any time when None) and the day before `current`
    starts, and nothing in `current`: donor_id, last_gift_date, prior_total (given in `prior`,
    None when nothing), lifetime_total (up to the end of `current`). LYBUNT is `since` = the
    start of `prior`; SYBUNT is `since` = None."""
    before = Q(date__lt=current[0])
    if since is not None:
        before &= Q(date__gte=since)
    return (
        live_gifts()
        .filter(date__lte=current[1])
        .values("donor_id")
        .annotate(
            current_gifts=Count("pk", filter=_within(current)),
            earlier_gifts=Count("pk", filter=before),
            last_gift_date=Max("date"),
            prior_total=Sum("amount", filter=_within(prior)),
            lifetime_total=Sum("amount"),
        )
        .filter(current_gifts=0, earlier_gifts__gt=0)
    )


# --- Retention ---------------------------------------------------------------------------------


def giving_by_period(periods: Sequence[Period]) -> QuerySet[Any]:
    """Per donor who gave by the end of the last period: donor_id, first_gift_date and
    `p0`, `p1`, ... the number of gifts in each period (in the order given)."""
    counts = {f"p{i}": Count("pk", filter=_within(p)) for i, p in enumerate(periods)}
    return (
        live_gifts()
        .filter(date__lte=periods[-1][1])
        .values("donor_id")
        .annotate(first_gift_date=Min("date"), **counts)
    )


RETENTION_SEGMENTS = ("donors", "new", "retained", "recaptured", "lapsed")


def retention_segment(*, current: Period, prior: Period, segment: str) -> QuerySet[Any]:
    """Per-donor rows of one segment of the Fundraising Effectiveness Project's retention for
    `current` against `prior` (the period just before): "donors" (gave in current), "new"
    (first gift ever in current), "retained" (gave in both), "recaptured" (gave in current and
    before prior, not in prior), "lapsed" (gave in prior, not in current)."""
    rows = giving_by_period([prior, current])
    conditions = {
        "donors": Q(p1__gt=0),
        "new": Q(p1__gt=0, first_gift_date__gte=current[0]),
        "retained": Q(p0__gt=0, p1__gt=0),
        "recaptured": Q(p0=0, p1__gt=0, first_gift_date__lt=prior[0]),
        "lapsed": Q(p0__gt=0, p1=0),
    }
    return rows.filter(conditions[segment])


# --- Totals per donor --------------------------------------------------------------------------


def donor_totals(period: Period) -> QuerySet[Any]:
    """Per donor who gave in `period`: donor_id, total, gifts (their number), last_gift_date."""
    return (
        live_gifts()
        .filter(_within(period))
        .values("donor_id")
        .annotate(total=Sum("amount"), gifts=Count("pk"), last_gift_date=Max("date"))
    )


def donors_between(period: Period, low: Decimal, high: Decimal | None) -> QuerySet[Any]:
    """Per-donor rows of those whose total in `period` is at least `low` and under `high`."""
    rows = donor_totals(period).filter(total__gte=low)
    return rows if high is None else rows.filter(total__lt=high)


# --- Campaigns and appeals ---------------------------------------------------------------------


def campaign_giving(period: Period | None) -> dict[str, dict[int | None, dict[str, Any]]]:
    """Gifts (dated in `period`, or any time), their total and their donors, per campaign
    ({"campaign": {id: ...}}) and per appeal ({"appeal": {id: ...}}); None keys hold the gifts
    without one."""
    gifts = live_gifts()
    if period is not None:
        gifts = gifts.filter(_within(period))
    found: dict[str, dict[int | None, dict[str, Any]]] = {}
    for key in ("campaign", "appeal"):
        rows = (
            gifts.values(f"{key}_id")
            .annotate(n=Count("pk"), total=Sum("amount"), donors=Count("donor_id", distinct=True))
            .order_by()
        )
        found[key] = {
            r[f"{key}_id"]: {"count": r["n"], "total": r["total"] or ZERO, "donors": r["donors"]}
            for r in rows
        }
    return found


def campaigns_and_appeals() -> tuple[list[Campaign], list[Appeal]]:
    """Every campaign (by name) and appeal (by name)."""
    return list(Campaign.objects.order_by("name", "id")), list(Appeal.objects.order_by("name"))


def campaign_donors(
    period: Period | None, *, campaign_id: int | None, appeal_id: int | None
) -> QuerySet[Any]:
    """Per-donor rows (donor_id, total) of the gifts to a campaign or an appeal."""
    gifts = live_gifts()
    if period is not None:
        gifts = gifts.filter(_within(period))
    if campaign_id is not None:
        gifts = gifts.filter(campaign_id=campaign_id)
    if appeal_id is not None:
        gifts = gifts.filter(appeal_id=appeal_id)
    return gifts.values("donor_id").annotate(total=Sum("amount"))


# --- Months, averages and medians --------------------------------------------------------------


def monthly_giving(period: Period) -> dict[date, dict[str, Any]]:
    """Per month (its first day) with gifts in `period`: count, total, donors."""
    rows = (
        live_gifts()
        .filter(_within(period))
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("pk"), total=Sum("amount"), donors=Count("donor_id", distinct=True))
        .order_by("month")
    )
    return {
        _as_date(r["month"]): {"count": r["n"], "total": r["total"] or ZERO, "donors": r["donors"]}
        for r in rows
    }


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def median_gifts(period: Period, *, by_month: bool) -> dict[date | None, Decimal]:
    """The median gift of `period` (key None), or of each month in it (keyed by its first day).

    Computed by the database on both engines: the gifts are numbered by amount within their
    month, and only the one or two middle ones come back (their mean is the median)."""
    partition = [TruncMonth("date")] if by_month else None
    ranked = (
        live_gifts()
        .filter(_within(period))
        .annotate(
            month=TruncMonth("date"),
            position=Window(
                RowNumber(), partition_by=partition, order_by=[F("amount").asc(), F("pk").asc()]
            ),
            size=Window(Count("pk"), partition_by=partition),
        )
        # The middle one (odd count) or two (even count): (n + 1) / 2 ≤ position ≤ (n + 2) / 2
        # in integer division.
        .filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
        .values_list("month", "amount")
    )
    middles: dict[date | None, list[Decimal]] = {}
    for month, amount in ranked:
        middles.setdefault(_as_date(month) if by_month else None, []).append(amount)
    return {
        key: (sum(values, ZERO) / len(values)).quantize(Decimal("0.01"))
        for key, values in middles.items()
    }
