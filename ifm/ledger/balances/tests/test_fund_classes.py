"""Fund balances by net-asset class: a release from restriction moves money from "with" to
"without" inside its fund, visibly, on the page and in GET /api/v1/reports/fund-balances."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.balances.selectors import fund_net_assets
from ifm.ledger.balances.services import fund_release
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date.today()


def _post(org: Organization, actor: Any, fund: Fund, debit: str, credit: str, amount: str) -> None:
    post_entry(
        organization=org,
        actor=actor,
        date=DAY,
        lines=[
            LineInput(acct(debit), fund, debit=D(amount)),
            LineInput(acct(credit), fund, credit=D(amount)),
        ],
    )


@pytest.fixture
def released(books: Organization, cast: Any, restricted: Fund, general: Fund) -> Fund:
    """A restricted gift of 100.00, 60.00 spent on its purpose (which releases it); 50.00
    general."""
    finance = cast["finance"]
    _post(books, finance, restricted, "1010", "4015", "100.00")  # restricted contribution
    _post(books, finance, restricted, "8110", "1010", "60.00")  # spent on its purpose: released
    _post(books, finance, general, "1010", "4010", "50.00")  # unrestricted gift
    return restricted


def test_a_release_moves_money_between_the_classes_and_keeps_the_total(
    books: Organization, cast: Any, restricted: Fund, general: Fund
) -> None:
    finance = cast["finance"]
    _post(books, finance, restricted, "1010", "4015", "100.00")
    _post(books, finance, restricted, "8110", "1010", "60.00")
    before = {row.code: row for row in fund_net_assets(as_of=DAY, date_from=DAY).rows}
    # Spent on its purpose: the expense's entry released that much from the restricted class.
    assert (before["YOUTH"].without_restrictions, before["YOUTH"].with_restrictions) == (
        D("0.00"),
        D("40.00"),
    )
    assert before["YOUTH"].released == D("60.00")
    fund_release(
        organization=books,
        actor=finance,
        access=Membership.objects.get(user=finance),
        fund=restricted,
        amount=D("10.00"),
        date=DAY,
    )
    report = fund_net_assets(as_of=DAY, date_from=DAY)
    youth = {row.code: row for row in report.rows}["YOUTH"]
    assert youth.without_restrictions == D("10.00")
    assert youth.with_restrictions == D("30.00")
    assert youth.balance == before["YOUTH"].balance == D("40.00")
    assert youth.released == D("70.00")
    # A period that starts after the release shows no release, the same balances.
    later = fund_net_assets(as_of=DAY + timedelta(days=1), date_from=DAY + timedelta(days=1))
    assert {row.code: row.released for row in later.rows} == {"YOUTH": D("0.00")}
    assert later.totals["with_restrictions"] == D("30.00")


def test_fund_balances_page_splits_the_classes_and_shows_the_release(
    books: Organization, cast: Any, released: Fund
) -> None:
    html = client_for(cast["finance"]).get(f"/o/{books.slug}/ledger/fund-balances/").content
    page = html.decode()
    row = page[page.index(f'id="fund-{released.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-label="without">0.00<' in row
    assert 'data-label="with">40.00<' in row
    assert 'data-label="total">40.00<' in row
    assert "60.00 <span" in row
    assert "with → without" in row
    total = page[page.index('id="fund-balances-total"') :]
    total = total[: total.index("</tr>")]
    assert ">50.00<" in total
    assert ">40.00<" in total
    assert ">90.00<" in total
    assert "Without donor restrictions" in page
    assert "Released from restriction" in page
    assert 'id="release-summary"' in page
    tomorrow = (DAY + timedelta(days=1)).isoformat()
    later = client_for(cast["finance"]).get(
        f"/o/{books.slug}/ledger/fund-balances/", {"as_of": tomorrow, "date_from": tomorrow}
    )
    assert 'id="release-summary"' not in later.content.decode()


def test_fund_balances_api_by_class(books: Organization, cast: Any, released: Fund) -> None:
    client = api_client_for(cast["finance"], books)
    body = client.get(f"/api/v1/reports/fund-balances?as_of={DAY}&date_from={DAY}").json()
    rows = {row["code"]: row for row in body["rows"]}
    youth = rows["YOUTH"]
    assert (
        youth["without_donor_restrictions"],
        youth["with_donor_restrictions"],
        youth["balance"],
        youth["released_from_restriction"],
    ) == ("0.00", "40.00", "40.00", "60.00")
    assert rows["GEN"]["without_donor_restrictions"] == "50.00"
    assert body["totals"] == {
        "without_donor_restrictions": "50.00",
        "with_donor_restrictions": "40.00",
        "balance": "90.00",
        "released_from_restriction": "60.00",
    }
    assert body["date_from"] == DAY.isoformat()
    default = client.get("/api/v1/reports/fund-balances").json()
    assert default["date_from"] <= DAY.isoformat()
    assert default["totals"]["released_from_restriction"] == "60.00"
    later = (DAY + timedelta(days=1)).isoformat()
    problem = assert_problem(
        client.get(f"/api/v1/reports/fund-balances?as_of={DAY}&date_from={later}"), 422
    )
    assert problem["errors"][0]["field"] == "date_from"
