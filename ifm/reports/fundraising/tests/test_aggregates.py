"""The campaign report, the monthly trend (with its average and median gift) and the gift range
pyramid are summed by the database, a few grouped rows for any number of gifts: on a few hundred
gifts their figures equal plain Python sums of the gift rows, and the number of queries does not
grow with the gifts."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ifm.core.org_context import org_context
from ifm.donors.models import Appeal, Campaign, Donation, DonationStatus
from ifm.ledger.models import Fund
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.tests.conftest import make_donor, make_gift
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
CENT = D("0.01")
GIFTS = 400
FIRST = date(2024, 1, 1)
LAST = date(2025, 12, 31)
PERIOD = (date(2024, 3, 1), date(2025, 6, 30))


@pytest.fixture
def many_gifts(alpha: Organization, org_b: Organization) -> list[Donation]:
    """GIFTS gifts of 40 donors over two years, to two campaigns, three appeals (one of no
    campaign) or none, some voided or still in an open batch; written as rows (the reports
    read only the gifts' rows). And another organization's gifts on the same days."""
    rng = random.Random(11)
    fund = Fund.objects.get(is_general=True)
    donors = [make_donor(alpha, f"Many{i}") for i in range(40)]
    spring = Campaign.objects.create(organization=alpha, name="Spring", goal=D("5000.00"))
    fall = Campaign.objects.create(organization=alpha, name="Fall")
    appeals = [
        Appeal.objects.create(organization=alpha, name="Letter", campaign=spring),
        Appeal.objects.create(organization=alpha, name="Gala", campaign=fall),
        Appeal.objects.create(organization=alpha, name="Web"),
    ]
    days = (LAST - FIRST).days
    # One gift through the donors' service; the others share its journal entry (an active gift
    # is a posted one), as the reports read nothing but the gifts' rows.
    seed = make_gift(alpha, donors[0], FIRST, "1.00", campaign=spring)
    rows = [seed]
    for _ in range(GIFTS):
        campaign = rng.choice([spring, fall, None])
        rows.append(
            Donation(
                organization=alpha,
                donor=rng.choice(donors),
                date=FIRST + timedelta(days=rng.randint(0, days)),
                amount=D(rng.randint(100, 250_000)) / 100,
                method="check",
                fund=fund,
                campaign=campaign,
                appeal=rng.choice([*appeals, None]),
                status=rng.choices(
                    [DonationStatus.ACTIVE, DonationStatus.VOIDED, DonationStatus.PENDING],
                    weights=[90, 7, 3],
                )[0],
                journal_entry=seed.journal_entry,
            )
        )
    # The months' edges: the first and last day of the period and of a month inside it.
    for on in (PERIOD[0], PERIOD[1], date(2024, 12, 31), date(2025, 1, 1)):
        rows.append(
            Donation(
                organization=alpha,
                donor=donors[0],
                date=on,
                amount=D("33.33"),
                method="check",
                fund=fund,
                campaign=spring,
                status=DonationStatus.ACTIVE,
                journal_entry=seed.journal_entry,
            )
        )
    Donation.objects.bulk_create(rows[1:])
    with org_context(org_b):
        their_fund = Fund.objects.get(is_general=True)
        theirs = make_donor(org_b, "Theirs")
        posted = make_gift(org_b, theirs, PERIOD[0], "999999.00")
        Donation.objects.bulk_create(
            Donation(
                organization=org_b,
                donor=theirs,
                date=PERIOD[0] + timedelta(days=i),
                amount=D("999999.00"),
                method="check",
                fund=their_fund,
                campaign=None,
                status=DonationStatus.ACTIVE,
                journal_entry=posted.journal_entry,
            )
            for i in range(1, 30)
        )
    return rows


def _live(rows: list[Donation], period: tuple[date, date] | None) -> list[Donation]:
    return [
        g
        for g in rows
        if g.status == DonationStatus.ACTIVE
        and (period is None or period[0] <= g.date <= period[1])
    ]


def _median(amounts: list[Decimal]) -> Decimal:
    return D(statistics.median(amounts)).quantize(CENT) if amounts else ZERO


def _grouped(captured: CaptureQueriesContext, most: int) -> None:
    """A few queries, each reading what the database grouped or numbered, for any number of
    gifts."""
    assert len(captured.captured_queries) <= most, [q["sql"] for q in captured]


@pytest.mark.parametrize("period", [PERIOD, None])
def test_the_campaign_report_is_the_sum_of_its_gifts(
    alpha: Organization, many_gifts: list[Donation], period: tuple[date, date] | None
) -> None:
    live = _live(many_gifts, period)
    assert len(live) > 200
    with CaptureQueriesContext(connection) as captured:
        report = selectors.campaigns(alpha, period=period)
    _grouped(captured, 4)
    assert sum("GROUP BY" in q["sql"] for q in captured) == 2
    rows: dict[str, tuple[str, int | None]] = {
        f"campaign-{c.pk}": ("campaign_id", c.pk) for c in Campaign.objects.all()
    }
    rows |= {f"appeal-{a.pk}": ("appeal_id", a.pk) for a in Appeal.objects.all()}
    rows["none"] = ("campaign_id", None)
    for key, (field, value) in rows.items():
        gifts = [g for g in live if getattr(g, field) == value]
        row = report.row(key)
        assert row.value("total") == sum((g.amount for g in gifts), ZERO), key
        assert row.value("gifts") == len(gifts), key
        assert row.value("donors") == len({g.donor_id for g in gifts}), key
    assert report.totals["raised"] == sum((g.amount for g in live), ZERO)
    assert report.totals["raised_for_campaigns"] == sum(
        (g.amount for g in live if g.campaign_id), ZERO
    )
    spring = report.row(f"campaign-{Campaign.objects.get(name='Spring').pk}")
    assert spring.value("percent_of_goal") == (spring.value("total") * 100 / 5000).quantize(CENT)


def test_the_monthly_trend_is_the_sum_of_its_gifts(
    alpha: Organization, many_gifts: list[Donation]
) -> None:
    live = _live(many_gifts, PERIOD)
    with CaptureQueriesContext(connection) as captured:
        report = selectors.monthly_trend(alpha, period=PERIOD)
    _grouped(captured, 3)
    months = selectors.months_of(PERIOD)
    assert len(report.rows) == len(months) + 1
    for (first, last), row in zip(months, report.rows, strict=False):
        gifts = [g for g in live if first <= g.date <= last]
        total = sum((g.amount for g in gifts), ZERO)
        assert row.label == f"{first:%Y-%m}"
        assert row.value("gifts") == len(gifts), first
        assert row.value("total") == total, first
        assert row.value("average") == (total / len(gifts)).quantize(CENT), first
        assert row.value("median") == _median([g.amount for g in gifts]), first
        assert row.value("donors") == len({g.donor_id for g in gifts}), first
    total = sum((g.amount for g in live), ZERO)
    assert report.totals["gifts"] == len(live)
    assert report.totals["total"] == total
    assert report.totals["average_gift"] == (total / len(live)).quantize(CENT)
    assert report.totals["median_gift"] == _median([g.amount for g in live])


def test_the_gift_range_is_the_sum_of_its_donors_gifts(
    alpha: Organization, many_gifts: list[Donation]
) -> None:
    live = _live(many_gifts, PERIOD)
    per_donor: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for gift in live:
        per_donor[gift.donor_id] += gift.amount
    lows = selectors.parse_ranges("1000, 5000, 10000, 20000")
    with CaptureQueriesContext(connection) as captured:
        report = selectors.gift_range(alpha, period=PERIOD, lows=lows)
    _grouped(captured, 3)
    for i, low in enumerate(lows):
        high = lows[i - 1] if i else None
        inside = [t for t in per_donor.values() if t >= low and (high is None or t < high)]
        row = report.row(f"range-{low}")
        assert row.value("donors") == len(inside), low
        assert row.value("total") == sum(inside, ZERO), low
    assert report.totals["donors"] == len(per_donor)
    assert report.totals["total"] == sum(per_donor.values(), ZERO)
