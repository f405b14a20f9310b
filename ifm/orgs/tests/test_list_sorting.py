"""Every list page sorts by each of its columns, both ways, and ignores what is not one; the
order is kept by the filters, the pages and the export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ifm.audit.views import AUDIT_SORTS
from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.sorting import SortOptions
from ifm.donors.gifts.batch_views import BATCH_SORTS
from ifm.donors.gifts.services import donation_record
from ifm.donors.gifts.views import CAMPAIGN_SORTS, DONATION_SORTS
from ifm.donors.imports.views import IMPORT_SORTS
from ifm.donors.people.services import donor_create
from ifm.donors.people.views import DONOR_SORTS
from ifm.donors.pledges.views import PLEDGE_SORTS, RECURRING_SORTS
from ifm.donors.receipts.views import RECEIPT_SORTS
from ifm.expenses.views import EXPENSE_SORTS
from ifm.ledger.chart.selectors import general_fund
from ifm.ledger.chart.views import CHART_SORTS
from ifm.ledger.journal.views import ENTRY_SORTS
from ifm.orgs.views import MEMBER_SORTS
from ifm.tenancy.models import Membership, Organization

LISTS: list[tuple[str, SortOptions]] = [
    ("donors:donor_list", DONOR_SORTS),
    ("donors:donation_list", DONATION_SORTS),
    ("donors:gift_batch_list", BATCH_SORTS),
    ("donors:campaign_list", CAMPAIGN_SORTS),
    ("donors:pledge_list", PLEDGE_SORTS),
    ("donors:recurring_list", RECURRING_SORTS),
    ("donors:receipt_list", RECEIPT_SORTS),
    ("donors:donor_import_list", IMPORT_SORTS),
    ("ledger:ledger_entries", ENTRY_SORTS),
    ("ledger:ledger_chart", CHART_SORTS),
    ("expenses:expense_list", EXPENSE_SORTS),
    ("orgs:members", MEMBER_SORTS),
    ("audit:audit_log", AUDIT_SORTS),
]


def _args(org: Organization, user: Any) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "actor": user, "access": access}


@pytest.fixture
def gifts(org_a: Organization, cast: dict[str, Any]) -> list[Any]:
    """Three donors, each with one gift: Brook 50.00, Avery 300.00, Casey 120.00."""
    args = _args(org_a, cast["fundraising"])
    with org_context(org_a):
        fund = general_fund()
    made = []
    for n, (first, amount) in enumerate(
        (("Brook", "50.00"), ("Avery", "300.00"), ("Casey", "120.00"))
    ):
        donor = donor_create(**args, first_name=first, last_name="Sortby")
        made.append(
            donation_record(
                **args,
                donor=donor,
                amount=amount,
                date=date.today() - timedelta(days=n),
                method="check",
                fund=fund,
            )
        )
    return made


@pytest.mark.parametrize(("name", "options"), LISTS, ids=[n for n, _ in LISTS])
def test_each_list_sorts_by_each_column_both_ways(
    org_a: Organization, cast: dict[str, Any], gifts: list[Any], name: str, options: SortOptions
) -> None:
    client = client_for(cast["admin"])
    url = reverse(name, kwargs={"org_slug": org_a.slug})
    for key in options.columns:
        for param in (key, f"-{key}"):
            response = client.get(url, {"sort": param})
            assert response.status_code == 200, (name, param)
            html = response.content.decode()
            if "sort-link" in html:
                assert 'aria-sort="' in html, (name, param)
    for junk in ("password", "-", "name;drop", "x" * 300, "__class__"):
        assert client.get(url, {"sort": junk}).status_code == 200, (name, junk)


def _order(html: str) -> list[str]:
    return [n for _, n in sorted((html.index(n), n) for n in ("Avery", "Brook", "Casey"))]


def test_the_donations_sort_by_amount_both_ways(
    org_a: Organization, cast: dict[str, Any], gifts: list[Any]
) -> None:
    client = client_for(cast["fundraising"])
    results = client.get("/o/alpha/donors/donations/", {"sort": "amount"}).content.decode()
    results = results[results.index('id="donation-results"') :]
    assert _order(results) == ["Brook", "Casey", "Avery"]
    results = client.get("/o/alpha/donors/donations/", {"sort": "-amount"}).content.decode()
    results = results[results.index('id="donation-results"') :]
    assert _order(results) == ["Avery", "Casey", "Brook"]


def test_the_sort_is_kept_by_the_filters_and_the_export(
    org_a: Organization, cast: dict[str, Any], gifts: list[Any]
) -> None:
    client = client_for(cast["fundraising"])
    page = client.get("/o/alpha/donors/donations/", {"sort": "-amount", "q": "sortby"})
    html = page.content.decode()
    # The filter form carries the sort, the export links carry both.
    assert '<input type="hidden" name="sort" value="-amount">' in html
    assert (
        "export.csv?sort=-amount&amp;q=sortby" in html
        or "export.csv?q=sortby&amp;sort=-amount" in html
    )
    export: Any = client.get(
        "/o/alpha/donors/donations/export.csv", {"sort": "-amount", "q": "sortby"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    amounts = [Decimal(r[rows[0].index("Amount")]) for r in rows[1:]]
    assert amounts == [Decimal("300.00"), Decimal("120.00"), Decimal("50.00")]


def test_the_donor_list_sorts_by_lifetime_giving(
    org_a: Organization, cast: dict[str, Any], gifts: list[Any]
) -> None:
    client = client_for(cast["fundraising"])
    html = client.get("/o/alpha/donors/", {"sort": "-lifetime"}).content.decode()
    assert _order(html[html.index('id="donor-results"') :]) == ["Avery", "Casey", "Brook"]
    html = client.get("/o/alpha/donors/", {"sort": "name"}).content.decode()
    assert _order(html[html.index('id="donor-results"') :]) == ["Avery", "Brook", "Casey"]


def test_the_pages_of_a_sorted_list_keep_its_sort(
    org_a: Organization, cast: dict[str, Any], gifts: list[Any]
) -> None:
    from ifm.donors.people import views

    client = client_for(cast["fundraising"])
    original = views.PAGE_SIZE
    views.PAGE_SIZE = 1
    try:
        html = client.get("/o/alpha/donors/", {"sort": "-lifetime"}).content.decode()
    finally:
        views.PAGE_SIZE = original
    assert "?sort=-lifetime&amp;page=2" in html
