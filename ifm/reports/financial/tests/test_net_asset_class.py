"""The statements filtered by net-asset class (and the statement of financial position by fund):
the filtered column holds the unfiltered statement's figures of that class."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.conftest import acct, restricted
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Function, Fund
from ifm.reports.financial.selectors import (
    compare_period,
    statement_of_activities,
    statement_of_financial_position,
)
from ifm.reports.report import Report, Row
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db
__all__ = ["restricted"]  # the fixture
D = Decimal
START, END = date(2026, 1, 1), date(2026, 6, 30)


def _post(org: Organization, actor: Any, on: date, lines: list[LineInput]) -> None:
    post_entry(organization=org, actor=actor, date=on, lines=lines)


@pytest.fixture
def ledger(books: Organization, cast: Any, general: Fund, restricted: Fund) -> Organization:
    """Both years: a gift without restrictions, a restricted gift, a program expense of the
    restricted fund (released automatically) and management expenses."""
    admin = cast["admin"]
    for year, scale in ((2025, D("0.5")), (2026, D("1"))):
        on = date(year, 3, 10)
        _post(
            books,
            admin,
            on,
            [
                LineInput(acct("1010"), general, debit=D("1000.00") * scale),
                LineInput(acct("4010"), general, credit=D("1000.00") * scale),
            ],
        )
        _post(
            books,
            admin,
            on,
            [
                LineInput(acct("1010"), restricted, debit=D("400.00") * scale),
                LineInput(acct("4015"), restricted, credit=D("400.00") * scale),
            ],
        )
        _post(
            books,
            admin,
            on,
            [
                LineInput(
                    acct("8110"), restricted, debit=D("150.00") * scale, function=Function.PROGRAM
                ),
                LineInput(acct("1010"), restricted, credit=D("150.00") * scale),
            ],
        )
        _post(
            books,
            admin,
            on,
            [
                LineInput(
                    acct("8110"), general, debit=D("100.00") * scale, function=Function.MANAGEMENT
                ),
                LineInput(acct("1010"), general, credit=D("100.00") * scale),
            ],
        )
    return books


def _same(report: Report, row: Row) -> Row:
    return next(r for r in report.rows if r.label == row.label and r.key == row.key)


@pytest.mark.parametrize("compare", ["", "prior_year"])
@pytest.mark.parametrize("net_asset_class", ["without", "with"])
def test_activities_of_one_class_are_that_column_of_the_whole_statement(
    ledger: Organization, restricted: Fund, net_asset_class: str, compare: str
) -> None:
    for fund_id in (None, restricted.pk):
        period = compare_period(compare, START, END)
        whole = statement_of_activities(date_from=START, date_to=END, fund_id=fund_id)
        prior = (
            statement_of_activities(date_from=period[0], date_to=period[1], fund_id=fund_id)
            if period
            else None
        )
        one = statement_of_activities(
            date_from=START,
            date_to=END,
            compare=period,
            fund_id=fund_id,
            net_asset_class=net_asset_class,
        )
        keys = [net_asset_class, "compare"] if compare else [net_asset_class]
        assert [c.key for c in one.columns] == keys
        for row in one.rows:
            if row.kind == "section":
                continue
            assert set(row.values) == set(keys)
            assert row.value(net_asset_class) == _same(whole, row).value(net_asset_class)
            if prior:
                assert row.value("compare") == _same(prior, row).value(net_asset_class)
        assert one.totals["change_in_net_assets"] == whole.totals[f"change_{net_asset_class}"]
        assert one.totals["net_assets_end"] == whole.totals[f"net_assets_end_{net_asset_class}"]
        assert one.totals["total_revenue"] == whole.totals[f"total_revenue_{net_asset_class}"]
        # lines with nothing in the class are left out
        labels = {row.label for row in one.rows}
        assert ("4015" in " ".join(labels)) == (net_asset_class == "with")


def test_activities_of_each_class_add_up_to_the_total(ledger: Organization) -> None:
    whole = statement_of_activities(date_from=START, date_to=END)
    without = statement_of_activities(date_from=START, date_to=END, net_asset_class="without")
    with_ = statement_of_activities(date_from=START, date_to=END, net_asset_class="with")
    assert with_.totals["total_expenses"] == D("0.00")
    assert without.totals["total_expenses"] == whole.totals["total_expenses"] == D("250.00")
    assert with_.totals["releases_out_of_with"] == D("150.00")
    assert without.totals["releases_into_without"] == D("150.00")
    for key in ("change_in_net_assets", "net_assets_end", "total_revenue"):
        assert without.totals[key] + with_.totals[key] == whole.totals[key]


@pytest.mark.parametrize("net_asset_class", ["without", "with"])
def test_position_of_one_class_keeps_that_class_net_assets(
    ledger: Organization, net_asset_class: str
) -> None:
    whole = statement_of_financial_position(as_of=END, compare_to=date(2025, 12, 31))
    one = statement_of_financial_position(
        as_of=END, compare_to=date(2025, 12, 31), net_asset_class=net_asset_class
    )
    assert [c.key for c in one.columns] == ["current", "compare"]
    key = f"net_assets_{net_asset_class}"
    assert set(one.totals) == {key}
    assert one.row(key).values == whole.row(key).values
    for row in one.rows:
        if row.kind != "section":
            assert row.values == _same(whole, row).values
    assert "total_assets" not in {row.key for row in one.rows}
    assert whole.totals["net_assets_with"] == D("375.00")  # 600 given, 225 released


def test_position_of_one_fund_balances(ledger: Organization, restricted: Fund) -> None:
    fund = statement_of_financial_position(as_of=END, fund_id=restricted.pk)
    assert fund.totals["total_assets"] == D("375.00")  # 600 given, 225 spent
    assert fund.totals["total_liabilities_and_net_assets"] == fund.totals["total_assets"]
    assert fund.totals["net_assets_with"] == D("375.00")
    assert fund.totals["net_assets_without"] == D("0.00")
    whole = statement_of_financial_position(as_of=END)
    assert whole.totals["total_assets"] == D("1725.00")


def test_api_filters_by_class_and_fund(
    ledger: Organization, org_b: Organization, restricted: Fund, cast: Any
) -> None:
    api = api_client_for(cast["viewer"], ledger)
    body = api.get(
        f"/api/v1/reports/statement-of-activities?from={START}&to={END}"
        "&compare=prior_year&net_asset_class=with"
    ).json()
    assert [c["key"] for c in body["columns"]] == ["with", "compare"]
    assert body["totals"]["change_in_net_assets"] == "250.00"  # 400 given, 150 released
    position = api.get(
        f"/api/v1/reports/statement-of-financial-position?as_of={END}"
        f"&fund_id={restricted.pk}&net_asset_class=with"
    )
    assert position.status_code == 200, position.content
    assert position.json()["totals"] == {"net_assets_with": "375.00"}
    for path in ("statement-of-activities", "statement-of-financial-position"):
        problem = assert_problem(api.get(f"/api/v1/reports/{path}?net_asset_class=both"), 422)
        assert "net_asset_class" in str(problem)
    with org_context(org_b):
        theirs = Fund.objects.get(is_general=True).pk
    assert_problem(
        api.get(f"/api/v1/reports/statement-of-financial-position?fund_id={theirs}"), 404
    )


def test_pages_have_the_filters(ledger: Organization, restricted: Fund, cast: Any) -> None:
    client = client_for(cast["finance"])
    url = reverse("reports:activities", kwargs={"org_slug": "alpha"})
    html = client.get(url).content.decode()
    assert 'name="net_asset_class"' in html
    html = client.get(
        url, {"date_from": str(START), "date_to": str(END), "net_asset_class": "with"}
    ).content.decode()
    assert 'text-end">With donor restrictions<' in html
    assert 'text-end">Without donor restrictions<' not in html
    assert 'text-end">Total<' not in html
    assert "400.00" in html
    url = reverse("reports:financial_position", kwargs={"org_slug": "alpha"})
    html = client.get(url).content.decode()
    assert 'name="net_asset_class"' in html
    assert 'name="fund"' in html
    html = client.get(
        url, {"as_of": str(END), "fund": str(restricted.pk), "compare": ""}
    ).content.decode()
    assert "375.00" in html
    assert "1,725.00" not in html
    html = client.get(url, {"as_of": str(END), "net_asset_class": "bad"}).content.decode()
    assert "Select a valid choice" in html
