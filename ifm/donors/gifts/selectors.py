"""Reads of gifts: a donor's donations, the donation list and its totals, campaign totals, gift
batches, a donor's last gift, and the giving summary computed afresh."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from ifm.donors.models import (
    BatchStatus,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    GiftBatch,
)
from ifm.donors.people.selectors import donor_search
from ifm.donors.validation import ZERO
from ifm.ledger.chart.selectors import general_fund


def giving_aggregate(donor_id: int, *, year: int) -> dict[str, Any]:
    """The giving summary computed afresh from the donations (what the stored row must equal)."""
    active = Donation.objects.filter(donor_id=donor_id, status=DonationStatus.ACTIVE)
    row = active.aggregate(
        first_gift_date=Min("date"),
        last_gift_date=Max("date"),
        largest_gift=Max("amount"),
        lifetime_total=Sum("amount"),
        gift_count=Count("pk"),
        this_year_total=Sum("amount", filter=Q(date__year=year)),
        last_year_total=Sum("amount", filter=Q(date__year=year - 1)),
    )
    for key in ("largest_gift", "lifetime_total", "this_year_total", "last_year_total"):
        row[key] = row[key] or ZERO
    return row


def donations_for(donor: Donor) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(donor=donor)
        .select_related("fund", "campaign", "appeal")
        .order_by("-date", "-id")
    )


def donation_list(
    *,
    q: str = "",
    status: str = "",
    method: str = "",
    fund_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    campaign_id: int | None = None,
    appeal_id: int | None = None,
) -> QuerySet[Donation]:
    qs = Donation.objects.select_related("donor", "fund", "campaign", "appeal")
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if appeal_id:
        qs = qs.filter(appeal_id=appeal_id)
    if q:
        qs = qs.filter(donor__in=donor_search(q, include_inactive=True))
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    if fund_id:
        qs = qs.filter(fund_id=fund_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-id")


def donation_totals(donations: QuerySet[Donation]) -> dict[str, Any]:
    """Count and sum of the live (not voided) donations among these."""
    row = donations.exclude(status=DonationStatus.VOIDED).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    return {"count": int(row["n"] or 0), "total": row["total"] or ZERO}


def campaign_totals() -> dict[int, dict[str, Any]]:
    """Per campaign: live gifts, their total and how many donors gave."""
    rows = (
        Donation.objects.exclude(status=DonationStatus.VOIDED)
        .filter(campaign__isnull=False)
        .values("campaign_id")
        .annotate(n=Count("pk"), total=Sum("amount"), donors=Count("donor_id", distinct=True))
    )
    return {
        r["campaign_id"]: {"count": r["n"], "total": r["total"] or ZERO, "donors": r["donors"]}
        for r in rows
    }


def campaign_progress(campaign: Campaign, raised: Decimal | None) -> dict[str, Any]:
    """How far a campaign is toward its goal: `percent` (may pass 100), `bar` (capped at 100)
    and `bar_step` (the bar's width rounded down to a step of 25, a class of the stylesheet);
    None when it has no goal."""
    if not campaign.goal:
        return {"percent": None, "bar": None, "bar_step": None}
    percent = int((raised or ZERO) * 100 / campaign.goal)
    bar = min(percent, 100)
    return {"percent": percent, "bar": bar, "bar_step": bar // 25 * 25}


def batch_totals(batch: GiftBatch) -> tuple[int, Decimal]:
    """(count, total) of the live donations entered into the batch."""
    row = batch.donations.exclude(status=DonationStatus.VOIDED).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    return int(row["n"] or 0), row["total"] or ZERO


def batch_defaults(batch: GiftBatch) -> dict[str, Any]:
    """What a gift added to the batch takes when it says nothing else: the batch's date,
    method, fund (else the general fund), campaign and appeal."""
    return {
        "date": batch.date,
        "method": batch.method,
        "fund": batch.fund or general_fund(),
        "campaign": batch.campaign,
        "appeal": batch.appeal,
    }


def batch_gifts(batch: GiftBatch) -> QuerySet[Donation]:
    """The live gifts of the batch, last entered first."""
    return (
        batch.donations.exclude(status=DonationStatus.VOIDED)
        .select_related("donor", "fund", "campaign", "appeal")
        .order_by("-id")
    )


def open_batches() -> QuerySet[GiftBatch]:
    return GiftBatch.objects.filter(status=BatchStatus.OPEN)


def batch_list(*, status: str = "") -> QuerySet[GiftBatch]:
    """Gift batches, newest first; `status` ("open", "posted") keeps those in it (any other
    value is ignored, as the list page's filter would)."""
    batches = GiftBatch.objects.order_by("-date", "-id")
    if status in BatchStatus.values:
        batches = batches.filter(status=status)
    return batches


def last_donation(donor: Donor) -> Donation | None:
    """The donor's latest gift: defaults for the next entry."""
    return Donation.objects.filter(donor=donor).order_by("-date", "-id").first()


# --- The donor picker --------------------------------------------------------------------------

# "D-12", "d12", or a picked option's label ending in its number ("Ann Smith · ann@x.org · D-12").
DONOR_NUMBER = re.compile(r"(?:.* · )?D-?([0-9]{1,11})", re.IGNORECASE)


def donor_candidates(text: str, *, limit: int) -> list[Donor]:
    """The donors typed text names, for the picker: a donor number finds that donor (merged
    donors never); other text goes to the donor search (name, email, phone, postal code),
    ordered by name."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return []
    number = DONOR_NUMBER.fullmatch(text)
    if number:
        return list(Donor.objects.filter(pk=int(number[1]), merged_into__isnull=True))
    found = donor_search(text).order_by("last_name", "first_name", "id")
    return list(found[:limit])


def donor_from_text(text: str) -> tuple[Donor | None, str]:
    """The one donor typed text names, else None and a sentence saying why (none, or several:
    then how to tell them apart). A name matching one donor's whole name picks that donor even
    when others contain it ("Ann Smith" and "Ann Smithers")."""
    shown = " ".join((text or "").split())[:60]
    found = donor_candidates(text, limit=6)
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"No donor matches “{shown}”: check the spelling, or add the donor first."
    exact = [d for d in found if d.name.casefold() == shown.casefold()]
    if len(exact) == 1:
        return exact[0], ""
    count = "More than 5" if len(found) > 5 else str(len(found))
    return None, (
        f"{count} donors match “{shown}”: add an email, city or donor number "
        f"(such as {found[0].reference}) to pick one."
    )


# --- The dashboard -----------------------------------------------------------------------------


def gift_totals_between(periods: dict[str, tuple[date, date]]) -> dict[str, dict[str, Any]]:
    """Count and total of the live (not voided) gifts dated in each named period, both ends
    included, in one query: {"this": {"count": 3, "total": Decimal("250.00")}, ...}."""
    aggregates: dict[str, Any] = {}
    any_period = Q(pk__in=[])
    for name, (start, end) in periods.items():
        within = Q(date__gte=start, date__lte=end)
        any_period |= within
        aggregates[f"{name}_n"] = Count("pk", filter=within)
        aggregates[f"{name}_total"] = Sum("amount", filter=within)
    # Only the periods' gifts are read (the organization-and-date index finds them).
    live = Donation.objects.filter(any_period).exclude(status=DonationStatus.VOIDED)
    row = live.aggregate(**aggregates) if periods else {}
    return {
        name: {
            "count": int(row[f"{name}_n"] or 0),
            "total": Decimal(row[f"{name}_total"] or ZERO).quantize(Decimal("0.01")),
        }
        for name in periods
    }


def campaigns_raised() -> QuerySet[Campaign]:
    """Active campaigns, each with `raised` (its live gifts' total) and `gift_count`."""
    live = ~Q(donations__status=DonationStatus.VOIDED)
    return (
        Campaign.objects.filter(is_active=True)
        .annotate(
            raised=Sum("donations__amount", filter=live),
            gift_count=Count("donations", filter=live),
        )
        .order_by("name")
    )


# --- The tie-out with the ledger ----------------------------------------------------------------


def gift_totals_by_fund(*, date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Count and total of the posted gifts (cash and in kind, at their recorded value; neither
    voided nor waiting in an open batch) dated in the period, per fund: fund_id, count, total."""
    rows = (
        Donation.objects.filter(
            date__gte=date_from, date__lte=date_to, status=DonationStatus.ACTIVE
        )
        .values("fund_id")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("fund_id")
    )
    return [
        {
            "fund_id": row["fund_id"],
            "count": int(row["count"]),
            "total": Decimal(row["total"] or ZERO).quantize(Decimal("0.01")),
        }
        for row in rows
    ]


def gifts_without_entry(*, date_from: date, date_to: date) -> QuerySet[Donation]:
    """Posted gifts of the period that point at no journal entry."""
    return (
        Donation.objects.filter(
            date__gte=date_from,
            date__lte=date_to,
            status=DonationStatus.ACTIVE,
            journal_entry__isnull=True,
        )
        .select_related("donor")
        .order_by("date", "pk")
    )
