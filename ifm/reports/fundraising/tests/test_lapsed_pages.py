"""The LYBUNT and SYBUNT pages read one page of donors at a time (`lapsed_page`): the pages, one
after the other, hold exactly the rows of the whole report (`lapsed`, what the files and the API
give), in its order, each page with the totals of all the donors; and a page costs the same
queries however many donors the report has. Calendar years read the roll-up, fiscal years of a
changed fiscal year the gifts: both are checked."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ifm.donors.models import Donor, DonorKind
from ifm.reports.fundraising import selectors
from ifm.reports.fundraising.tests.conftest import make_donor, make_gift
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

PER_PAGE = 3
YEAR = 2025


def _giving(org: Organization) -> None:
    """Donors who gave in 2023 and 2024 and not in 2025, with ties in what they gave last year
    (ordered then by lifetime, then id), one who gave only in 2023 (SYBUNT, not LYBUNT), an
    organization, and one who gave in 2025 (in neither)."""
    people = [make_donor(org, f"Donor{i}") for i in range(6)]
    acme = Donor.objects.create(
        organization=org, kind=DonorKind.ORGANIZATION, organization_name="Acme Foundation"
    )
    gifts = [
        (people[0], date(2024, 3, 1), "100.00"),
        (people[0], date(2023, 3, 1), "50.00"),
        (people[1], date(2024, 12, 31), "100.00"),
        (people[2], date(2024, 1, 1), "100.00"),
        (people[2], date(2023, 8, 1), "75.50"),
        (people[3], date(2023, 5, 5), "999.99"),
        (people[4], date(2024, 6, 30), "10.00"),
        (people[4], date(2025, 2, 1), "10.00"),
        (people[5], date(2024, 7, 1), "25.25"),
        (acme, date(2024, 9, 9), "2500.00"),
        (acme, date(2022, 9, 9), "1000.00"),
    ]
    for who, on, amount in gifts:
        make_gift(org, who, on, amount)


def _pages(org: Organization, kind: str, basis: str) -> None:
    year = YEAR if basis == "calendar" else YEAR + 1
    whole = selectors.lapsed(org, kind=kind, year=year, basis=basis)
    donors = [row for row in whole.rows if row.kind != "total"]
    assert len(donors) >= PER_PAGE + 1, (kind, basis)
    pages = -(-len(donors) // PER_PAGE)
    seen = []
    for number in range(1, pages + 1):
        report, page = selectors.lapsed_page(
            org, kind=kind, year=year, basis=basis, number=number, per_page=PER_PAGE
        )
        assert page.number == number
        assert page.paginator.num_pages == pages
        assert page.paginator.count == len(donors)
        assert report.rows[-1] == whole.rows[-1]  # the total row, for all of them
        assert report.totals == whole.totals
        assert (report.title, report.period, report.columns) == (
            whole.title,
            whole.period,
            whole.columns,
        )
        assert list(page.object_list) == report.rows[:-1]
        seen += report.rows[:-1]
    assert seen == donors, (kind, basis)
    # A page past the last is the last, and a page that is not a number the first.
    last, page = selectors.lapsed_page(
        org, kind=kind, year=year, basis=basis, number=pages + 5, per_page=PER_PAGE
    )
    assert page.number == pages
    assert last.rows[:-1] == donors[(pages - 1) * PER_PAGE :]
    first, page = selectors.lapsed_page(
        org, kind=kind, year=year, basis=basis, number="x", per_page=PER_PAGE
    )
    assert page.number == 1
    assert first.rows[:-1] == donors[:PER_PAGE]


def test_the_pages_hold_the_whole_report_in_its_order(alpha: Organization) -> None:
    _giving(alpha)
    for kind in ("lybunt", "sybunt"):
        _pages(alpha, kind, "calendar")
    # A fiscal year changed after the gifts were recorded: the fiscal reports read the gifts.
    alpha.fiscal_year_start_month = 7
    alpha.save(update_fields=["fiscal_year_start_month"])
    for kind in ("lybunt", "sybunt"):
        _pages(alpha, kind, "fiscal")


def test_no_donors_is_one_empty_page(alpha: Organization) -> None:
    report, page = selectors.lapsed_page(
        alpha, kind="sybunt", year=YEAR, basis="calendar", number=1, per_page=PER_PAGE
    )
    assert page.paginator.count == 0
    assert [row.key for row in report.rows] == ["total"]
    assert (
        report.totals == selectors.lapsed(alpha, kind="sybunt", year=YEAR, basis="calendar").totals
    )


@pytest.mark.parametrize("basis", ["calendar", "fiscal"])
def test_a_page_costs_the_same_queries_however_many_donors(alpha: Organization, basis: str) -> None:
    if basis == "fiscal":
        alpha.fiscal_year_start_month = 7
        alpha.save(update_fields=["fiscal_year_start_month"])
    year = YEAR if basis == "calendar" else YEAR + 1

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            report, _page = selectors.lapsed_page(
                alpha, kind="sybunt", year=year, basis=basis, number=1, per_page=PER_PAGE
            )
        assert len(report.rows) == PER_PAGE + 1
        return len(captured.captured_queries)

    for i in range(PER_PAGE):
        make_gift(alpha, make_donor(alpha, f"First{i}"), date(2024, 3, 1), "10.00")
    few = queries()
    for i in range(3 * PER_PAGE):
        make_gift(alpha, make_donor(alpha, f"More{i}"), date(2024, 3, 1), "10.00")
    assert queries() == few
