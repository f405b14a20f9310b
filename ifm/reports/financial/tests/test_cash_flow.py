"""The statement of cash flows on any ledger: its net change in cash is the change of the cash
accounts, its change in net assets the statement of activities' figure; and its page, file and
API."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.conftest import client_for
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.balances.selectors import group_balances
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund, Program, Restriction
from ifm.reports.financial.cash_flow import cash_flow
from ifm.reports.financial.selectors import statement_of_activities
from ifm.reports.financial.tests.test_statements_tie_out import BASE, _apply, amounts, days
from ifm.reports.financial.tests.test_statements_tie_out import entries as ledger_entries
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date.today()
# Entries the statements' generator does not make: gifts in kind (used at once, or securities),
# depreciation, and money spent on other assets (prepaid rent, equipment, a receivable).
more = st.lists(
    st.one_of(
        st.tuples(st.just("in_kind"), amounts, st.sampled_from(["8120", "1510"]), days),
        st.tuples(st.just("depreciation"), amounts, days),
        st.tuples(st.just("asset"), amounts, st.sampled_from(["1450", "1640", "1110"]), days),
        st.tuples(st.just("mortgage"), amounts, days),
    ),
    max_size=6,
)


def _post(org: Organization, actor: Any, on: date, debit: str, credit: str, amount: D) -> None:
    fund = Fund.objects.get(is_general=True)
    post_entry(
        organization=org,
        actor=actor,
        date=on,
        lines=[
            LineInput(acct(debit), fund, debit=amount),
            LineInput(acct(credit), fund, credit=amount),
        ],
    )


def _apply_more(org: Organization, actor: Any, entry: tuple[Any, ...]) -> None:
    on = BASE + timedelta(days=entry[-1])
    kind, amount = entry[0], entry[1]
    if kind == "in_kind":
        _post(org, actor, on, entry[2], "4140", amount)
    elif kind == "depreciation":
        _post(org, actor, on, "8590", "1745", amount)
    elif kind == "asset":
        _post(org, actor, on, entry[2], "1010", amount)
    else:
        _post(org, actor, on, "1010", "2730", amount)


def _check(date_from: date, date_to: date) -> None:
    flow = cash_flow(date_from=date_from, date_to=date_to).totals
    cash = group_balances(groups=["cash"], as_of=date_to)["cash"]
    cash_before = group_balances(groups=["cash"], as_of=date_from - timedelta(days=1))["cash"]
    assert flow["cash_end"] == cash
    assert flow["cash_beginning"] == cash_before
    assert flow["net_change_in_cash"] == cash - cash_before
    assert flow["net_change_in_cash"] == (
        flow["net_operating"] + flow["net_investing"] + flow["net_financing"]
    )
    activities = statement_of_activities(date_from=date_from, date_to=date_to).totals
    assert flow["change_in_net_assets"] == activities["change_in_net_assets"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=ledger_entries, extra=more, cut=st.tuples(days, days))
def test_net_change_in_cash_is_the_change_of_the_cash_accounts(
    books: Organization,
    cast: Any,
    general: Fund,
    ledger: list[tuple[Any, ...]],
    extra: list[tuple[Any, ...]],
    cut: tuple[int, int],
) -> None:
    admin = cast["admin"]
    with transaction.atomic():
        ctx: dict[str, Any] = {
            "funds": [
                general,
                Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE),
                Fund.objects.create(code="LATER", name="Next year", restriction=Restriction.TIME),
            ],
            "programs": [
                Program.objects.create(code="P1", name="Meals"),
                Program.objects.create(code="P2", name="Shelter"),
            ],
            "access": Membership.objects.get(user=admin),
        }
        for entry in ledger:
            _apply(books, admin, entry, ctx)
        for entry in extra:
            _apply_more(books, admin, entry)
        start, end = sorted(BASE + timedelta(days=d) for d in cut)
        _check(start, end)
        _check(BASE, TODAY)
        transaction.set_rollback(True)


def test_non_cash_items_and_sections(books: Organization, cast: Any, general: Fund) -> None:
    admin = cast["admin"]
    _post(books, admin, TODAY, "1010", "4010", D("1000.00"))  # a gift
    _post(books, admin, TODAY, "8120", "4140", D("50.00"))  # goods given and used
    _post(books, admin, TODAY, "1510", "4140", D("300.00"))  # shares given
    _post(books, admin, TODAY, "8590", "1745", D("40.00"))  # depreciation
    _post(books, admin, TODAY, "1640", "1010", D("200.00"))  # a computer bought
    _post(books, admin, TODAY, "8110", "2010", D("70.00"))  # supplies on credit
    _post(books, admin, TODAY, "1010", "2730", D("500.00"))  # a mortgage
    report = cash_flow(date_from=TODAY, date_to=TODAY)
    totals = report.totals
    # 1000 + 50 + 300 - 50 - 40 - 70 of revenue less expenses
    assert totals["change_in_net_assets"] == D("1190.00")
    assert totals["depreciation"] == D("40.00")
    assert totals["in_kind"] == D("-300.00")
    assert totals["net_operating"] == D("1000.00")
    assert totals["net_investing"] == D("-200.00")
    assert totals["net_financing"] == D("500.00")
    assert totals["net_change_in_cash"] == D("1300.00")
    payables = next(row for row in report.rows if row.account_id == acct("2010").pk)
    assert payables.value("amount") == D("70.00")


@pytest.mark.parametrize("role", ["admin", "finance", "viewer"])
def test_page_file_and_api(books: Organization, cast: Any, role: str) -> None:
    _post(books, cast["admin"], TODAY, "1010", "4010", D("1250.00"))
    url = reverse("reports:cash_flow", kwargs={"org_slug": "alpha"})
    client = client_for(cast[role])
    assert url in client.get(reverse("reports:home", kwargs={"org_slug": "alpha"})).content.decode()
    html = client.get(url, {"date_from": str(TODAY), "date_to": str(TODAY)}).content.decode()
    assert "Net change in cash" in html
    assert "1,250.00" in html
    csv = client.get(reverse("reports:cash_flow_csv", kwargs={"org_slug": "alpha"}))
    assert csv.status_code == 200
    assert b"Net change in cash" in csv.getvalue()
    api = api_client_for(cast[role], books)
    body = api.get(f"/api/v1/reports/cash-flow?from={TODAY}&to={TODAY}").json()
    assert body["totals"]["net_change_in_cash"] == "1250.00"
    assert body["totals"]["change_in_net_assets"] == "1250.00"


def test_roles_without_financial_reports_and_bad_periods(books: Organization, cast: Any) -> None:
    url = reverse("reports:cash_flow", kwargs={"org_slug": "alpha"})
    assert client_for(cast["fundraising"]).get(url).status_code == 403
    api = api_client_for(cast["finance"], books)
    response = api.get(f"/api/v1/reports/cash-flow?from={TODAY}&to={TODAY - timedelta(days=1)}")
    assert_problem(response, 422)
    assert (
        api_client_for(cast["fundraising"], books).get("/api/v1/reports/cash-flow").status_code
        == 403
    )
