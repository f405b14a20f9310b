"""The balances API through bearer tokens: trial balance, fund balances, account ledgers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.conftest import acct
from ifm.ledger.journal.tests.test_api import entry_body, post_entry_via_api
from ifm.ledger.models import Fund

TODAY = date.today()


@pytest.fixture
def finance(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["finance"], books)


# --- Reports -------------------------------------------------------------------------------------


def test_trial_balance_and_fund_balances(finance: Any, restricted: Fund) -> None:
    post_entry_via_api(finance)
    body = entry_body()
    for line in body["lines"]:
        line["fund_id"] = restricted.pk
    body["lines"][1]["account_id"] = acct("4015").pk
    post_entry_via_api(finance, body)
    tb = finance.get(f"/api/v1/reports/trial-balance?as_of={TODAY}").json()
    assert tb["as_of"] == TODAY.isoformat()
    assert tb["fund_id"] is None
    assert [(r["number"], r["debit"], r["credit"]) for r in tb["rows"]] == [
        ("1010", "500.00", "0.00"),
        ("4010", "0.00", "250.00"),
        ("4015", "0.00", "250.00"),
    ]
    assert (tb["total_debit"], tb["total_credit"]) == ("500.00", "500.00")
    only = finance.get(f"/api/v1/reports/trial-balance?fund={restricted.pk}").json()
    assert [r["number"] for r in only["rows"]] == ["1010", "4015"]
    past = finance.get(f"/api/v1/reports/trial-balance?as_of={TODAY - timedelta(days=400)}")
    assert past.json()["rows"] == []
    fb = finance.get("/api/v1/reports/fund-balances").json()
    assert [(r["code"], r["balance"]) for r in fb["rows"]] == [
        ("GEN", "250.00"),
        ("YOUTH", "250.00"),
    ]


def test_account_ledger_running_balance_pages(finance: Any) -> None:
    for amount in ("100.00", "50.00", "25.00"):
        body = entry_body()
        body["lines"][0]["debit"] = amount
        body["lines"][1]["credit"] = amount
        post_entry_via_api(finance, body)
    cash = acct("1010").pk
    page1 = finance.get(f"/api/v1/accounts/{cash}/ledger?limit=2").json()
    assert page1["opening_balance"] == "0.00"
    assert [(x["debit"], x["balance"]) for x in page1["items"]] == [
        ("100.00", "100.00"),
        ("50.00", "150.00"),
    ]
    page2 = finance.get(f"/api/v1/accounts/{cash}/ledger?limit=2&cursor={page1['next']}").json()
    assert [(x["debit"], x["balance"]) for x in page2["items"]] == [("25.00", "175.00")]
    assert page2["next"] is None
    revenue = finance.get(f"/api/v1/accounts/{acct('4010').pk}/ledger").json()
    assert revenue["items"][-1]["balance"] == "175.00"  # credit-normal: shown positive
    later = finance.get(
        f"/api/v1/accounts/{cash}/ledger?date_from={TODAY + timedelta(days=1)}"
    ).json()
    assert (later["opening_balance"], later["items"]) == ("175.00", [])
    assert_problem(finance.get(f"/api/v1/accounts/{cash}/ledger?cursor=nope"), 400)
