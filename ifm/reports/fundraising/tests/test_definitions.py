"""LYBUNT, SYBUNT, retention and the median, on hand-built giving."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.donors.gifts import giving
from ifm.donors.models import SoftCredit
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.tests.conftest import Give
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def _donor_ids(report: Any) -> set[int]:
    return {row.donor_id for row in report.rows if row.donor_id}


def test_lybunt_and_sybunt_follow_the_definitions(
    alpha: Organization, donor: Any, give: Give
) -> None:
    last_year_only = donor("Last")
    long_ago = donor("Long")
    still_giving = donor("Still")
    voided = donor("Voided")
    came_back_later = donor("Later")
    soft_only = donor("Soft")
    give(last_year_only, date(2024, 5, 1), "100.00")
    give(last_year_only, date(2023, 5, 1), "50.00")
    give(long_ago, date(2022, 3, 1), "75.00")
    give(still_giving, date(2024, 1, 1), "10.00")
    give(still_giving, date(2025, 1, 1), "10.00")
    give(voided, date(2024, 6, 1), "500.00", status="voided")
    give(voided, date(2025, 6, 1), "500.00", status="voided")
    give(came_back_later, date(2024, 2, 1), "20.00")
    give(came_back_later, date(2026, 2, 1), "20.00")
    gift = give(still_giving, date(2024, 4, 1), "30.00")
    SoftCredit.objects.create(
        organization=alpha, donation=gift, donor=soft_only, amount=Decimal("30.00")
    )

    lybunt = selectors.lapsed(alpha, kind="lybunt", year=2025, basis="calendar")
    sybunt = selectors.lapsed(alpha, kind="sybunt", year=2025, basis="calendar")

    assert _donor_ids(lybunt) == {last_year_only.pk, came_back_later.pk}
    assert _donor_ids(sybunt) == {last_year_only.pk, came_back_later.pk, long_ago.pk}
    row = lybunt.row(f"donor-{last_year_only.pk}")
    assert row.value("prior_total") == Decimal("100.00")
    assert row.value("lifetime_total") == Decimal("150.00")
    assert "last gift 2024-05-01" in row.label
    assert row.href.endswith(f"/donors/{last_year_only.pk}/")
    # The gift of 2026 is after the year: not in the lifetime to its end.
    assert lybunt.row(f"donor-{came_back_later.pk}").value("lifetime_total") == Decimal("20.00")
    assert lybunt.totals["donors"] == 2
    assert sybunt.row(f"donor-{long_ago.pk}").value("prior_total") == Decimal("0.00")
    assert "report=lybunt" in lybunt.row("total").href


def test_fiscal_years_are_named_by_the_year_they_end_in(
    alpha: Organization, donor: Any, give: Give
) -> None:
    alpha.fiscal_year_start_month = 7
    alpha.save(update_fields=["fiscal_year_start_month"])
    february = donor("February")  # FY2024, calendar 2024
    september = donor("September")  # FY2025, calendar 2024
    give(february, date(2024, 2, 1), "40.00")
    give(september, date(2024, 9, 1), "60.00")

    assert selectors.year_bounds(alpha, 2025, "fiscal")[:2] == (date(2024, 7, 1), date(2025, 6, 30))
    fiscal = selectors.lapsed(alpha, kind="lybunt", year=2025, basis="fiscal")
    calendar = selectors.lapsed(alpha, kind="lybunt", year=2025, basis="calendar")
    assert _donor_ids(fiscal) == {february.pk}
    assert _donor_ids(calendar) == {february.pk, september.pk}
    assert fiscal.columns[0].label == "Given in FY2024"


def test_retention_counts_on_a_five_year_history(
    alpha: Organization, donor: Any, give: Give
) -> None:
    every_year, back_and_forth, once_2024, once_2025 = (donor(n) for n in "PQRS")
    for year in range(2020, 2026):
        give(every_year, date(year, 6, 1), "10.00")
    for year in (2021, 2023, 2025):
        give(back_and_forth, date(year, 3, 1), "10.00")
    give(once_2024, date(2024, 3, 1), "10.00")
    give(once_2025, date(2025, 3, 1), "10.00")
    give(once_2025, date(2023, 3, 1), "10.00", status="voided")

    report = selectors.retention(alpha, year=2025, years=5, basis="calendar")

    table = {row.label: [row.value(c.key) for c in report.columns] for row in report.rows}
    # donors, new, retained, recaptured, lapsed, retention rate
    assert table == {
        "2021": [2, 1, 1, 0, 0, Decimal("100.00")],
        "2022": [1, 0, 1, 0, 1, Decimal("50.00")],
        "2023": [2, 0, 1, 1, 0, Decimal("100.00")],
        "2024": [2, 1, 1, 0, 1, Decimal("50.00")],
        "2025": [3, 1, 1, 1, 1, Decimal("50.00")],
    }
    assert report.totals["retention_rate"] == Decimal("50.00")
    segment = giving.retention_segment(
        current=(date(2025, 1, 1), date(2025, 12, 31)),
        prior=(date(2024, 1, 1), date(2024, 12, 31)),
        segment="lapsed",
    )
    assert [r["donor_id"] for r in segment] == [once_2024.pk]


def test_the_median_is_right_for_odd_and_even_counts(
    alpha: Organization, donor: Any, give: Give
) -> None:
    ann = donor("Ann")
    for amount in ("10.00", "30.00", "20.00"):
        give(ann, date(2025, 1, 15), amount)
    for amount in ("100.00", "10.00", "30.00", "20.00"):
        give(ann, date(2025, 2, 10), amount)
    give(ann, date(2025, 2, 11), "1000.00", status="voided")

    report = selectors.monthly_trend(alpha, period=(date(2025, 1, 1), date(2025, 3, 31)))

    january, february, march = report.rows[:3]
    assert (january.value("gifts"), january.value("median"), january.value("average")) == (
        3,
        Decimal("20.00"),
        Decimal("20.00"),
    )
    assert february.value("median") == Decimal("25.00")
    assert february.value("average") == Decimal("40.00")
    assert march.value("gifts") == 0
    assert march.value("median") == 0
    assert report.totals["median_gift"] == Decimal("20.00")
    assert report.totals["gifts"] == 7
    assert report.totals["total"] == Decimal("220.00")


def test_gift_range_campaigns_and_top_donors(alpha: Organization, donor: Any, give: Give) -> None:
    from ifm.donors.models import Appeal, Campaign

    spring = Campaign.objects.create(organization=alpha, name="Spring", goal=Decimal("1000.00"))
    letter = Appeal.objects.create(organization=alpha, name="Letter", campaign=spring)
    big, small = donor("Big"), donor("Small")
    give(big, date(2025, 4, 1), "600.00", campaign=spring, appeal=letter)
    give(big, date(2025, 5, 1), "600.00")
    give(small, date(2025, 4, 2), "50.00", campaign=spring)
    period = (date(2025, 1, 1), date(2025, 12, 31))

    pyramid = selectors.gift_range(alpha, period=period, lows=selectors.parse_ranges("100,1000"))
    assert [(r.label, r.value("donors"), r.value("total")) for r in pyramid.rows] == [
        ("1,000.00 and more", 1, Decimal("1200.00")),
        ("100.00 to 999.99", 0, Decimal("0.00")),
        ("0.01 to 99.99", 1, Decimal("50.00")),
        ("All donors", 2, Decimal("1250.00")),
    ]
    by_campaign = selectors.campaigns(alpha, period=None)
    row = by_campaign.row(f"campaign-{spring.pk}")
    assert row.value("total") == Decimal("650.00")
    assert row.value("percent_of_goal") == Decimal("65.00")
    assert by_campaign.row(f"appeal-{letter.pk}").value("donors") == 1
    assert by_campaign.row("none").value("total") == Decimal("600.00")
    top = selectors.top_donors(alpha, period=period, limit=1)
    assert [r.donor_id for r in top.rows if r.donor_id] == [big.pk]
    assert top.totals["all_total"] == Decimal("1250.00")
    with pytest.raises(ValueError, match="is not an amount"):
        selectors.parse_ranges("100, lots")
