"""The fundraising reports' queries are shaped for speed (a pass over the gifts in the order of
an index, EXISTS for "gave in", counts and sums of per-donor rows made by the database, a
percentile for the median on PostgreSQL): on any generated giving, every report, its drill-downs
and "save as donor list" give what the definitions give, computed here gift by gift."""

from __future__ import annotations

import calendar
import statistics
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ifm.donors.gifts import giving
from ifm.donors.models import Appeal, Campaign, SoftCredit
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.drill import drill_down
from ifm.reports.fundraising.tests.conftest import make_donor, make_gift
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
CENT = D("0.01")
FIRST_YEAR = 2021
AMOUNTS = ["5.00", "10.00", "10.00", "25.00", "99.99", "100.00", "250.50", "1000.00", "2500.00"]

gifts = st.lists(
    st.tuples(
        st.integers(0, 5),  # donor
        st.integers(0, 59),  # month from January 2021
        st.sampled_from([1, 15, 31]),  # day (31: the month's last), the edges of years
        st.sampled_from(AMOUNTS),
        st.integers(0, 5),  # 0: voided
        st.sampled_from([None, 0, 1]),  # campaign
        st.sampled_from([None, 0, 1]),  # appeal
    ),
    max_size=16,
)

Gift = tuple[int, date, Decimal, int | None, int | None]  # donor id, date, amount, campaign, appeal


def _within(gift: Gift, period: tuple[date, date]) -> bool:
    return period[0] <= gift[1] <= period[1]


def _by_donor(live: list[Gift]) -> dict[int, list[Gift]]:
    found: dict[int, list[Gift]] = defaultdict(list)
    for gift in live:
        found[gift[0]].append(gift)
    return found


def _drilled(org: Organization, **params: Any) -> set[int]:
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    _title, donors = drill_down(org, query)
    return set(donors.values_list("pk", flat=True))


def _check_lapsed(org: Organization, live: list[Gift], year: int, basis: str) -> None:
    start, end, name = selectors.year_bounds(org, year, basis)
    p_start, p_end, _ = selectors.year_bounds(org, year - 1, basis)
    for kind in ("lybunt", "sybunt"):
        since = p_start if kind == "lybunt" else date.min
        expected = []
        for donor_id, own in _by_donor(live).items():
            upto = [g for g in own if g[1] <= end]
            if any(start <= g[1] for g in upto) or not any(since <= g[1] < start for g in upto):
                continue
            prior = sum((g[2] for g in upto if p_start <= g[1] <= p_end), ZERO)
            lifetime = sum((g[2] for g in upto), ZERO)
            expected.append((donor_id, prior, lifetime, max(g[1] for g in upto)))
        # The largest giver of last year first (those who gave nothing then last).
        expected.sort(key=lambda r: (-r[1], -r[2], r[0]))
        report = selectors.lapsed(org, kind=kind, year=year, basis=basis)
        lines = [r for r in report.rows if r.donor_id]
        assert [(r.donor_id, r.value("prior_total"), r.value("lifetime_total")) for r in lines] == [
            r[:3] for r in expected
        ], (kind, year, basis)
        for row, wanted in zip(lines, expected, strict=True):
            assert row.label.endswith(f"last gift {wanted[3]:%Y-%m-%d}")
        assert report.title.endswith(f"not in {name}")
        assert report.totals["donors"] == len(expected)
        assert report.totals["lifetime_total"] == sum((r[2] for r in expected), ZERO)
        ids = {r[0] for r in expected}
        assert set(selectors.lapsed_donor_ids(org, kind=kind, year=year, basis=basis)) == ids
        assert _drilled(org, report=kind, year=year, basis=basis) == ids


def _check_retention(org: Organization, live: list[Gift], year: int, basis: str) -> None:
    years = 4
    bounds = [selectors.year_bounds(org, y, basis) for y in range(year - years, year + 1)]
    first_gift = {
        donor_id: min(g[1] for g in own if g[1] <= bounds[-1][1])
        for donor_id, own in _by_donor(live).items()
        if any(g[1] <= bounds[-1][1] for g in own)
    }

    def gave(donor_id: int, i: int) -> bool:
        return any(g[0] == donor_id and _within(g, bounds[i][:2]) for g in live)

    report = selectors.retention(org, year=year, years=years, basis=basis)
    for i in range(1, len(bounds)):
        segments: dict[str, set[int]] = defaultdict(set)
        for donor_id, first in first_gift.items():
            now, before = gave(donor_id, i), gave(donor_id, i - 1)
            if now:
                segments["donors"].add(donor_id)
            if now and before:
                segments["retained"].add(donor_id)
            if now and not before and first >= bounds[i][0]:
                segments["new"].add(donor_id)
            if now and not before and first < bounds[i - 1][0]:
                segments["recaptured"].add(donor_id)
            if before and not now:
                segments["lapsed"].add(donor_id)
            if before:
                segments["prior"].add(donor_id)
        row = report.rows[i - 1]
        assert row.label == bounds[i][2]
        for segment in giving.RETENTION_SEGMENTS:
            assert row.value(segment) == len(segments[segment]), (bounds[i][2], segment)
            drilled = _drilled(
                org, report="retention", year=year - years + i, basis=basis, segment=segment
            )
            assert drilled == segments[segment], (bounds[i][2], segment)
        prior = len(segments["prior"])
        rate = (D(len(segments["retained"])) * 100 / prior).quantize(CENT) if prior else ZERO
        assert row.value("retention_rate") == rate


def _check_range_and_top(org: Organization, live: list[Gift], period: tuple[date, date]) -> None:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for gift in live:
        if _within(gift, period):
            totals[gift[0]] += gift[2]
    lows = selectors.parse_ranges("10, 100, 250.50, 1000")
    pyramid = selectors.gift_range(org, period=period, lows=lows)
    for i, low in enumerate(lows):
        high = lows[i - 1] if i else None
        inside = {d for d, t in totals.items() if t >= low and (high is None or t < high)}
        row = pyramid.rows[i]
        assert row.value("donors") == len(inside), low
        assert row.value("total") == sum((totals[d] for d in inside), ZERO), low
        span = {"from": period[0], "to": period[1]}
        drilled = _drilled(org, report="range", low=low, high=high or "", **span)
        assert drilled == inside, low
    assert pyramid.totals["total"] == sum(totals.values(), ZERO)
    assert _drilled(org, report="period", **{"from": period[0], "to": period[1]}) == set(totals)

    top = selectors.top_donors(org, period=period, limit=3)
    ranked = sorted(totals.items(), key=lambda t: (-t[1], t[0]))[:3]
    assert [(r.donor_id, r.value("total")) for r in top.rows if r.donor_id] == ranked
    assert top.totals["all_total"] == sum(totals.values(), ZERO)


def _check_campaigns(org: Organization, live: list[Gift], period: tuple[date, date]) -> None:
    report = selectors.campaigns(org, period=period)
    for key, index, rows in (
        ("campaign", 3, Campaign.objects.all()),
        ("appeal", 4, Appeal.objects.all()),
    ):
        for item in rows:
            mine = [g for g in live if g[index] == item.pk and _within(g, period)]
            row = report.row(f"{key}-{item.pk}")
            assert row.value("gifts") == len(mine)
            assert row.value("total") == sum((g[2] for g in mine), ZERO)
            assert row.value("donors") == len({g[0] for g in mine})
            every = {g[0] for g in live if g[index] == item.pk}
            assert _drilled(org, report="campaign", **{key: item.pk}) == every
    loose = [g for g in live if g[3] is None and _within(g, period)]
    assert report.row("none").value("total") == sum((g[2] for g in loose), ZERO)


def _median(amounts: list[Decimal]) -> Decimal:
    return D(statistics.median(amounts)).quantize(CENT) if amounts else ZERO


def _check_months(org: Organization, live: list[Gift], period: tuple[date, date]) -> None:
    report = selectors.monthly_trend(org, period=period)
    inside = [g for g in live if _within(g, period)]
    for (first, last), row in zip(selectors.months_of(period), report.rows, strict=False):
        month = [g for g in inside if first <= g[1] <= last]
        assert row.value("gifts") == len(month), first
        assert row.value("total") == sum((g[2] for g in month), ZERO), first
        assert row.value("donors") == len({g[0] for g in month}), first
        assert row.value("median") == _median([g[2] for g in month]), first
    assert report.totals["gifts"] == len(inside)
    assert report.totals["median_gift"] == _median([g[2] for g in inside])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=gifts)
# Every edge of the years the reports read: the first and last day of calendar years 2023 to
# 2025 and of the fiscal years around them (July to June).
@example(
    history=[
        (0, 36, 1, "10.00", 1, None, None),  # 2024-01-01: last year's first day (LYBUNT 2025)
        (1, 47, 31, "25.00", 1, 0, 0),  # 2024-12-31 and
        (1, 48, 1, "25.00", 1, 0, None),  # 2025-01-01: retained
        (2, 41, 31, "99.99", 1, 1, 1),  # 2024-06-30: last day of FY2024
        (3, 42, 1, "100.00", 1, None, 1),  # 2024-07-01: first day of FY2025
        (3, 35, 31, "100.00", 1, None, None),  # 2023-12-31
        (4, 24, 1, "2500.00", 1, 0, 0),  # 2023-01-01, then nothing until
        (4, 59, 31, "5.00", 1, 0, 0),  # 2025-12-31: recaptured
        (5, 47, 31, "1000.00", 0, None, None),  # voided
    ]
)
def test_every_report_follows_its_definition_on_any_giving(
    alpha: Organization, history: list[tuple[Any, ...]]
) -> None:
    alpha.refresh_from_db()  # an example before set its fiscal year, in a rolled back block
    with transaction.atomic():
        donors = [make_donor(alpha, f"Donor{i}") for i in range(6)]
        spring = Campaign.objects.create(organization=alpha, name="Spring", goal=D("500.00"))
        fall = Campaign.objects.create(organization=alpha, name="Fall")
        letter = Appeal.objects.create(organization=alpha, name="Letter", campaign=spring)
        web = Appeal.objects.create(organization=alpha, name="Web")
        campaigns, appeals = [spring, fall], [letter, web]
        live: list[Gift] = []
        for who, month, day, amount, keep, campaign, appeal in history:
            year, month_number = FIRST_YEAR + month // 12, month % 12 + 1
            on = date(year, month_number, min(day, calendar.monthrange(year, month_number)[1]))
            gift = make_gift(
                alpha,
                donors[who],
                on,
                amount,
                status="active" if keep else "voided",
                campaign=campaigns[campaign] if campaign is not None else None,
                appeal=appeals[appeal] if appeal is not None else None,
            )
            if keep:
                live.append((donors[who].pk, on, D(amount), gift.campaign_id, gift.appeal_id))
            # A soft credit gives the credited donor no gift: the definitions below leave it
            # out, so any report counting it would differ from them.
            SoftCredit.objects.create(
                organization=alpha, donation=gift, donor=donors[(who + 1) % 6], amount=D(amount)
            )

        # Fiscal years from July for the reports' "fiscal" basis (the gifts posted to the
        # calendar years the ledger had).
        alpha.fiscal_year_start_month = 7
        alpha.save(update_fields=["fiscal_year_start_month"])
        for year in (2023, 2025):
            for basis in ("calendar", "fiscal"):
                _check_lapsed(alpha, live, year, basis)
        _check_retention(alpha, live, 2025, "calendar")
        _check_retention(alpha, live, 2024, "fiscal")
        for period in (
            (date(2021, 1, 1), date(2025, 12, 31)),
            (date(2023, 3, 15), date(2024, 2, 10)),
        ):
            _check_range_and_top(alpha, live, period)
            _check_campaigns(alpha, live, period)
            _check_months(alpha, live, period)
        transaction.set_rollback(True)
