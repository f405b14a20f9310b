"""The fundraising tiles of the dashboard (registered in DonorsConfig.ready(), see
ifm/orgs/dashboard.py): gifts this month against the same days a year ago, receipts not sent,
gift batches still open, and each active campaign's progress."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from ifm.donors.gifts import selectors as gifts
from ifm.donors.models import BatchStatus
from ifm.donors.receipts.selectors import receipts_not_sent
from ifm.orgs.dashboard import Comparison, DashboardContext, Progress, Tile

ZERO = Decimal("0.00")


def same_day_last_year(day: date) -> date:
    """The same date a year earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def month_to_date(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """This month so far, and the same days of the same month a year ago."""
    start = today.replace(day=1)
    return (start, today), (same_day_last_year(start), same_day_last_year(today))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fundraising_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    this, last = month_to_date(ctx.today)
    totals = gifts.gift_totals_between({"this": this, "last": last})
    now, then = totals["this"], totals["last"]
    yield Tile(
        key="donors.gifts_month",
        title=f"Gifts in {ctx.today:%B}",
        value=now["total"],
        is_money=True,
        detail=f"{_plural(now['count'], 'gift')} since {this[0]:%b} 1",
        comparison=Comparison(
            label=f"{last[0]:%b} {last[0].day} to {last[1].day}, {last[0].year} "
            f"({_plural(then['count'], 'gift')})",
            value=then["total"],
            is_money=True,
        ),
        url=ctx.url(
            "donors:donation_list",
            {"date_from": this[0].isoformat(), "date_to": this[1].isoformat()},
        ),
    )
    unsent = receipts_not_sent().count()
    yield Tile(
        key="donors.receipts_not_sent",
        title="Receipts not sent",
        value=unsent,
        detail="Issued, never sent",
        attention=unsent > 0,
        url=ctx.url("donors:receipt_list", {"status": "issued", "delivery": "not_sent"}),
    )
    open_batches = gifts.open_batches().count()
    yield Tile(
        key="donors.open_batches",
        title="Gift batches open",
        value=open_batches,
        detail="Entered, not yet posted",
        attention=open_batches > 0,
        url=ctx.url("donors:gift_batch_list", {"status": BatchStatus.OPEN.value}),
    )
    for campaign in gifts.campaigns_raised():
        raised = Decimal(getattr(campaign, "raised", None) or ZERO).quantize(Decimal("0.01"))
        # A campaign's goal arrives with the campaign dates; until then, raised only.
        goal = getattr(campaign, "goal", None)
        count = int(getattr(campaign, "gift_count", 0))
        yield Tile(
            key=f"donors.campaign.{campaign.pk}",
            title=campaign.name,
            value=raised,
            is_money=True,
            detail=_plural(count, "gift") + (f" · goal {goal:,.2f}" if goal else ""),
            progress=Progress(value=raised, goal=Decimal(goal)) if goal else None,
            url=ctx.url("donors:donation_list", {"campaign": campaign.pk}),
        )
