"""Top donors, the gift range and their donors over whole years read the donor-year roll-up two
ways: from each donor's row of their last year by the period's end (its cumulative total) when
the period starts with the organization's giving, else by adding up the years' rows. Both give
what the gifts give, computed here gift by gift: each donor's total and number of gifts, the
ranges, the total of all giving and the drilled donors; and the one-row-per-donor way reads
only the chosen donors' rows for their numbers of gifts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from ifm.donors.gifts import giving
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.drill import drill_down
from ifm.reports.fundraising.tests.conftest import make_donor, make_gift
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
# Donor: (date, amount) of each gift; one voided gift is added below.
GIVING = {
    "Steady": [
        (date(2022, 3, 1), "100.00"),
        (date(2023, 3, 1), "100.00"),
        (date(2024, 3, 1), "50.00"),
    ],
    # Gave in 2023 and 2025: up to 2024 the 2023 row is the last, its next year after the end.
    "Gap": [
        (date(2023, 1, 1), "400.00"),
        (date(2023, 12, 31), "25.50"),
        (date(2025, 6, 1), "9.99"),
    ],
    "Late": [(date(2025, 1, 1), "1000.00"), (date(2025, 12, 31), "1000.00")],
    "Early": [(date(2022, 1, 1), "75.00")],
    "Tied": [(date(2024, 7, 4), "250.00"), (date(2022, 7, 4), "250.00")],
}
PERIODS = [
    (date(2022, 1, 1), date(2025, 12, 31)),  # every year: a row per donor
    (date(2022, 1, 1), date(2024, 12, 31)),  # from the first year, ending before the last
    (date(2023, 1, 1), date(2025, 12, 31)),  # years after the first: the rows added up
]


@pytest.fixture
def live(alpha: Organization) -> list[tuple[int, date, Decimal]]:
    gifts = []
    for name, given in GIVING.items():
        donor = make_donor(alpha, name)
        for on, amount in given:
            make_gift(alpha, donor, on, amount)
            gifts.append((donor.pk, on, D(amount)))
    make_gift(alpha, donor, date(2023, 5, 5), "5000.00", status="voided")
    return gifts


def _drilled(org: Organization, **params: object) -> set[int]:
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    return set(drill_down(org, query)[1].values_list("pk", flat=True))


@pytest.mark.parametrize("period", PERIODS)
def test_whole_years_give_what_the_gifts_give(
    alpha: Organization, live: list[tuple[int, date, Decimal]], period: tuple[date, date]
) -> None:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[int, int] = defaultdict(int)
    for donor_id, on, amount in live:
        if period[0] <= on <= period[1]:
            totals[donor_id] += amount
            counts[donor_id] += 1
    assert giving.whole_years(alpha, period) is not None  # the roll-up answers

    top = selectors.top_donors(alpha, period=period, limit=4)
    ranked = sorted(totals, key=lambda d: (-totals[d], d))[:4]
    rows = [r for r in top.rows if r.donor_id]
    assert [r.donor_id for r in rows] == ranked
    assert [(r.value("total"), r.value("gifts")) for r in rows] == [
        (totals[d], counts[d]) for d in ranked
    ]
    assert top.totals["all_total"] == sum(totals.values(), ZERO)

    lows = selectors.parse_ranges("100, 500")
    pyramid = selectors.gift_range(alpha, period=period, lows=lows)
    for i, low in enumerate(lows):
        high = lows[i - 1] if i else None
        inside = {d for d, t in totals.items() if t >= low and (high is None or t < high)}
        assert pyramid.rows[i].value("donors") == len(inside), (period, low)
        assert pyramid.rows[i].value("total") == sum((totals[d] for d in inside), ZERO)
        span = {"from": period[0], "to": period[1]}
        assert _drilled(alpha, report="range", low=low, high=high or "", **span) == inside
    assert pyramid.totals["total"] == sum(totals.values(), ZERO)


def test_every_year_reads_a_row_per_donor_and_the_top_donors_rows(
    alpha: Organization, live: list[tuple[int, date, Decimal]]
) -> None:
    with CaptureQueriesContext(connection) as captured:
        found = giving.top_givers(PERIODS[0], alpha, 2)
    assert [f["total"] for f in found] == [D("2000.00"), D("500.00")]
    assert [f["gifts"] for f in found] == [2, 2]
    grouped = [q["sql"] for q in captured if "GROUP BY" in q["sql"]]
    # Only the numbers of gifts are grouped, of the chosen donors' rows.
    assert len(grouped) == 1
    assert "donor_id" in grouped[0].split("WHERE", 1)[1].split("GROUP BY")[0]
