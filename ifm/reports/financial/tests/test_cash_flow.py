"""The statement of cash flows on any ledger: its net change in cash is the change of the cash
accounts (for the organization and for one fund), its change in net assets the statement of
activities' figure, contributions to an endowment are financing, a compared period's column is
that period's statement; and its page, file and API."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund, Program, Restriction
from ifm.reports.financial.cash_flow import AMOUNT, cash_flow
from ifm.reports.financial.selectors import COMPARE, compare_period, statement_of_activities
from ifm.reports.financial.tests.test_statements_tie_out import BASE, _apply, amounts, days
from ifm.reports.financial.tests.test_statements_tie_out import entries as ledger_entries
from ifm.reports.report import Report
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date.today()
# Entries the statements' generator does not make: gifts in kind (used at once, or securities),
# depreciation, money spent on other assets (prepaid rent, equipment, a receivable), and an
# endowment's gifts, pledges, collections of pledges and investments.
more = st.lists(
    st.one_of(
        st.tuples(st.just("in_kind"), amounts, st.sampled_from(["8120", "1510"]), days),
        st.tuples(st.just("depreciation"), amounts, days),
        st.tuples(st.just("asset"), amounts, st.sampled_from(["1450", "1640", "1110"]), days),
        st.tuples(st.just("mortgage"), amounts, days),
        st.tuples(st.just("endowment_gift"), amounts, days),
        st.tuples(st.just("endowment_pledge"), amounts, days),
        st.tuples(st.just("endowment_collection"), amounts, days),
        st.tuples(st.just("endowment_investment"), amounts, days),
    ),
    max_size=8,
)


def _post(
    org: Organization,
    actor: Any,
    on: date,
    debit: str,
    credit: str,
    amount: D,
    fund: Fund | None = None,
) -> None:
    fund = fund or Fund.objects.get(is_general=True)
    post_entry(
        organization=org,
        actor=actor,
        date=on,
        lines=[
            LineInput(acct(debit), fund, debit=amount),
            LineInput(acct(credit), fund, credit=amount),
        ],
    )


ENDOWMENT_ENTRIES = {
    "endowment_gift": ("1010", "4015"),
    "endowment_pledge": ("1210", "4015"),
    "endowment_collection": ("1010", "1210"),
    "endowment_investment": ("1510", "1010"),
}


def _apply_more(org: Organization, actor: Any, entry: tuple[Any, ...], endowment: Fund) -> None:
    on = BASE + timedelta(days=entry[-1])
    kind, amount = entry[0], entry[1]
    if kind == "in_kind":
        _post(org, actor, on, entry[2], "4140", amount)
    elif kind == "depreciation":
        _post(org, actor, on, "8590", "1745", amount)
    elif kind == "asset":
        _post(org, actor, on, entry[2], "1010", amount)
    elif kind == "mortgage":
        _post(org, actor, on, "1010", "2730", amount)
    else:
        _post(org, actor, on, *ENDOWMENT_ENTRIES[kind], amount, fund=endowment)


def _long_term(extra: list[tuple[Any, ...]], date_from: date, date_to: date) -> tuple[D, D]:
    """What the endowment entries dated in the period gave (gifts and pledges) and brought in
    as cash (gifts and collections of pledges), added up from the entries themselves."""
    given = collected = D("0.00")
    for kind, amount, *_, day in extra:
        if date_from <= BASE + timedelta(days=day) <= date_to:
            if kind in ("endowment_gift", "endowment_pledge"):
                given += amount
            if kind in ("endowment_gift", "endowment_collection"):
                collected += amount
    return given, collected


def _cash(on: date, fund_id: int | None) -> D:
    balance = trial_balance(as_of=on, fund_id=fund_id, group="cash")
    return balance.total_debit - balance.total_credit


def _check(
    date_from: date,
    date_to: date,
    fund_id: int | None = None,
    endowment: tuple[D, D] = (D(0), D(0)),
) -> Report:
    report = cash_flow(date_from=date_from, date_to=date_to, fund_id=fund_id)
    flow = report.totals
    cash, cash_before = _cash(date_to, fund_id), _cash(date_from - timedelta(days=1), fund_id)
    assert flow["cash_end"] == cash
    assert flow["cash_beginning"] == cash_before
    assert flow["net_change_in_cash"] == cash - cash_before
    assert flow["net_change_in_cash"] == (
        flow["net_operating"] + flow["net_investing"] + flow["net_financing"]
    )
    activities = statement_of_activities(
        date_from=date_from, date_to=date_to, fund_id=fund_id
    ).totals
    assert flow["change_in_net_assets"] == activities["change_in_net_assets"]
    given, collected = endowment
    assert flow.get("long_term_contributions", D(0)) == -given
    assert flow.get("long_term_collections", D(0)) == collected
    return report


def _values(report: Report, column: str) -> dict[tuple[str, str, int | None], D]:
    return {
        (row.key, row.label, row.account_id): row.value(column)
        for row in report.rows
        if row.kind != "section"
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ledger=ledger_entries,
    extra=more,
    cut=st.tuples(days, days),
    fund=st.sampled_from([None, 0, 1, 3]),
    compare=st.sampled_from(["prior_year", "prior_period"]),
)
def test_net_change_in_cash_is_the_change_of_the_cash_accounts(
    books: Organization,
    cast: Any,
    general: Fund,
    ledger: list[tuple[Any, ...]],
    extra: list[tuple[Any, ...]],
    cut: tuple[int, int],
    fund: int | None,
    compare: str,
) -> None:
    admin = cast["admin"]
    with transaction.atomic():
        endowment = Fund.objects.create(
            code="ENDOW", name="Endowment", restriction=Restriction.PERPETUAL
        )
        ctx: dict[str, Any] = {
            "funds": [
                general,
                Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE),
                Fund.objects.create(code="LATER", name="Next year", restriction=Restriction.TIME),
                endowment,
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
            _apply_more(books, admin, entry, endowment)
        start, end = sorted(BASE + timedelta(days=d) for d in cut)
        fund_id = ctx["funds"][fund].pk if fund is not None else None
        holds_endowment = fund_id in (None, endowment.pk)
        for date_from, date_to in ((start, end), (BASE, TODAY)):
            _check(date_from, date_to, endowment=_long_term(extra, date_from, date_to))
            _check(
                date_from,
                date_to,
                fund_id,
                _long_term(extra, date_from, date_to) if holds_endowment else (D(0), D(0)),
            )
        # The compared column is the compared period's statement, the current one unchanged.
        period = compare_period(compare, start, end)
        assert period is not None
        both = cash_flow(date_from=start, date_to=end, compare=period, fund_id=fund_id)
        alone = cash_flow(date_from=start, date_to=end, fund_id=fund_id)
        before = _check(
            *period, fund_id, _long_term(extra, *period) if holds_endowment else (D(0), D(0))
        )
        current, compared = _values(both, AMOUNT), _values(both, COMPARE)
        assert {k: v for k, v in current.items() if v} == {
            k: v for k, v in _values(alone, AMOUNT).items() if v
        }
        assert {k: v for k, v in compared.items() if v} == {
            k: v for k, v in _values(before, AMOUNT).items() if v
        }
        assert {k: v for k, v in both.totals.items() if v} == {
            k: v for k, v in alone.totals.items() if v
        }
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


def _section_of(report: Report, key: str = "", account: str = "") -> str:
    """The section ("operating", "investing", "financing") a row is in."""
    section = ""
    for row in report.rows:
        if row.kind == "section" and row.level == 0:
            section = row.label.split()[-2]
        elif (key and row.key == key) or (account and row.account_id == acct(account).pk):
            return section
    raise AssertionError(f"No row {key or account}")


def test_an_endowment_gift_is_financing_not_operating(books: Organization, cast: Any) -> None:
    admin = cast["admin"]
    endowment = Fund.objects.create(
        code="ENDOW", name="Endowment", restriction=Restriction.PERPETUAL
    )
    _post(books, admin, TODAY, "1010", "4015", D("5000.00"), endowment)  # a gift, in cash
    _post(books, admin, TODAY, "1210", "4015", D("2000.00"), endowment)  # a pledge
    _post(books, admin, TODAY, "1010", "1210", D("500.00"), endowment)  # part of it paid
    _post(books, admin, TODAY, "1510", "1010", D("3000.00"), endowment)  # invested
    _post(books, admin, TODAY, "1210", "4010", D("100.00"))  # a pledge for operations
    report = cash_flow(date_from=TODAY, date_to=TODAY)
    totals = report.totals
    assert totals["change_in_net_assets"] == D("7100.00")
    assert totals["long_term_contributions"] == D("-7000.00")
    assert _section_of(report, key="long_term_contributions") == "operating"
    # The operating pledge is an operating receivable; the endowment's pledge is not.
    receivable = next(row for row in report.rows if row.account_id == acct("1210").pk)
    assert receivable.value(AMOUNT) == D("-100.00")
    assert _section_of(report, account="1210") == "operating"
    assert totals["net_operating"] == D("0.00")
    assert totals["long_term_collections"] == D("5500.00")
    assert _section_of(report, key="long_term_collections") == "financing"
    assert totals["net_financing"] == D("5500.00")
    assert totals["net_investing"] == D("-3000.00")
    assert totals["net_change_in_cash"] == D("2500.00") == totals["cash_end"]
    # The endowment alone: the same, without the operating pledge.
    alone = cash_flow(date_from=TODAY, date_to=TODAY, fund_id=endowment.pk).totals
    assert alone["net_operating"] == D("0.00")
    assert alone["net_financing"] == D("5500.00")
    assert alone["net_change_in_cash"] == D("2500.00")
    general = cash_flow(date_from=TODAY, date_to=TODAY, fund_id=Fund.objects.get(code="GEN").pk)
    assert "long_term_collections" not in general.totals


def test_without_an_endowment_the_long_term_lines_are_left_out(
    books: Organization, cast: Any
) -> None:
    purpose = Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE)
    _post(books, cast["admin"], TODAY, "1010", "4015", D("800.00"), purpose)
    report = cash_flow(date_from=TODAY, date_to=TODAY)
    assert "long_term_contributions" not in report.totals
    assert not any("long-term" in row.label for row in report.rows)
    assert report.totals["net_operating"] == D("800.00")


def test_compare_and_fund_through_page_file_and_api(
    books: Organization, org_b: Organization, cast: Any, general: Fund
) -> None:
    admin = cast["admin"]
    endowment = Fund.objects.create(
        code="ENDOW", name="Endowment", restriction=Restriction.PERPETUAL
    )
    year_ago = compare_period("prior_year", TODAY, TODAY)
    assert year_ago is not None
    _post(books, admin, TODAY, "1010", "4010", D("1250.00"))
    _post(books, admin, year_ago[0], "1010", "4010", D("400.00"))
    _post(books, admin, TODAY, "1010", "4015", D("3000.00"), endowment)
    query = {"date_from": str(TODAY), "date_to": str(TODAY), "compare": "prior_year"}
    client = client_for(cast["viewer"])
    html = client.get(reverse("reports:cash_flow", kwargs={"org_slug": "alpha"}), query)
    text = html.content.decode()
    assert f"{year_ago[0]:%Y-%m-%d} to {year_ago[1]:%Y-%m-%d}" in text
    assert "Collections of contributions restricted for long-term purposes" in text
    assert 'name="fund"' in text
    assert "ENDOW Endowment" in text
    one_fund = client.get(
        reverse("reports:cash_flow_xlsx", kwargs={"org_slug": "alpha"}),
        query | {"fund": str(endowment.pk)},
    )
    sheet: Any = load_workbook(io.BytesIO(one_fund.content)).active
    rows = {row[0].value: [cell.value for cell in row[1:]] for row in sheet.iter_rows(min_row=2)}
    assert rows["Net change in cash"] == [3000, 0]
    assert rows["Change in net assets"] == [3000, 0]
    everything = client.get(
        reverse("reports:cash_flow_csv", kwargs={"org_slug": "alpha"}), query
    ).getvalue()
    assert b"Net change in cash,4250.00,400.00" in everything
    api = api_client_for(cast["finance"], books)
    url = f"/api/v1/reports/cash-flow?from={TODAY}&to={TODAY}&compare=prior_year"
    body = api.get(url).json()
    assert [c["key"] for c in body["columns"]] == ["amount", "compare"]
    assert body["totals"]["net_change_in_cash"] == "4250.00"
    assert body["totals"]["long_term_collections"] == "3000.00"
    total = next(row for row in body["rows"] if row["key"] == "net_change_in_cash")
    assert total["values"] == {"amount": "4250.00", "compare": "400.00"}
    body = api.get(f"{url}&fund_id={endowment.pk}").json()
    assert body["totals"]["net_operating"] == "0.00"
    assert body["totals"]["net_financing"] == "3000.00"
    with org_context(org_b):
        theirs = Fund.objects.get(is_general=True)
    assert_problem(api.get(f"{url}&fund_id={theirs.pk}"), 404)
    assert_problem(api.get("/api/v1/reports/cash-flow?compare=last_week"), 422)


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
