"""The statements agree with each other on any ledger: generated entries of gifts (with and
without donor restrictions), expenses by function and program, loans, interest and releases."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.ledger.balances.selectors import fund_net_assets, restricted_balance
from ifm.ledger.balances.services import fund_release
from ifm.ledger.closing.services import fiscal_year_close
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import FiscalYear, Function, Fund, Program, Restriction
from ifm.reports.financial.selectors import (
    functional_expenses,
    statement_of_activities,
    statement_of_financial_position,
)
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

BASE = date(date.today().year - 1, 1, 1)
SPAN = (date.today() - BASE).days
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
days = st.integers(min_value=0, max_value=SPAN)
funds = st.integers(min_value=0, max_value=2)
entries = st.lists(
    st.one_of(
        st.tuples(st.just("gift"), funds, amounts, days),
        st.tuples(
            st.just("expense"),
            funds,
            amounts,
            days,
            st.sampled_from(["program", "management", "fundraising", ""]),
            st.sampled_from([None, 0, 1]),
            st.sampled_from(["8110", "7220", "8210"]),
            st.booleans(),  # on credit (accounts payable) rather than paid
        ),
        st.tuples(st.just("loan"), amounts, days),
        st.tuples(st.just("interest"), amounts, days),
        st.tuples(st.just("release"), st.integers(1, 2), st.integers(1, 100), days),
    ),
    max_size=14,
)


def _post(
    org: Organization, actor: Any, on: date, fund: Fund, debit: LineInput, credit: str
) -> None:
    post_entry(
        organization=org,
        actor=actor,
        date=on,
        lines=[debit, LineInput(acct(credit), fund, credit=debit.debit)],
    )


def _apply(org: Organization, actor: Any, entry: tuple[Any, ...], ctx: dict[str, Any]) -> None:
    kind = entry[0]
    on = BASE + timedelta(days=entry[3] if kind == "expense" else entry[-1])
    fund_list, programs = ctx["funds"], ctx["programs"]
    if kind == "gift":
        fund = fund_list[entry[1]]
        revenue = "4010" if fund.restriction == Restriction.NONE else "4015"
        _post(org, actor, on, fund, LineInput(acct("1010"), fund, debit=entry[2]), revenue)
    elif kind == "expense":
        _, index, amount, _, function, program, account, on_credit = entry
        fund = fund_list[index]
        line = LineInput(
            acct(account),
            fund,
            debit=amount,
            function=function,
            program=programs[program] if program is not None else None,
        )
        _post(org, actor, on, fund, line, "2010" if on_credit else "1010")
    elif kind in ("loan", "interest"):
        fund = fund_list[0]
        credit = "2550" if kind == "loan" else "5310"
        _post(org, actor, on, fund, LineInput(acct("1010"), fund, debit=entry[1]), credit)
    else:
        fund = fund_list[entry[1]]
        held = restricted_balance(fund_id=fund.pk, as_of=on)
        amount = (held * entry[2] / 100).quantize(Decimal("0.01"))
        if amount > 0:
            fund_release(
                organization=org,
                actor=actor,
                access=ctx["access"],
                fund=fund,
                amount=amount,
                date=on,
            )


def _check(org: Organization, date_from: date, date_to: date, fund_id: int | None) -> None:
    before = statement_of_financial_position(as_of=date_from - timedelta(days=1)).totals
    after = statement_of_financial_position(as_of=date_to).totals
    for position in (before, after):
        assert position["total_assets"] == position["total_liabilities_and_net_assets"]
        assert position["net_assets_end"] == (
            position["net_assets_without"] + position["net_assets_with"]
        )
    activities = statement_of_activities(date_from=date_from, date_to=date_to).totals
    assert (
        activities["change_without"] == after["net_assets_without"] - before["net_assets_without"]
    )
    assert activities["change_with"] == after["net_assets_with"] - before["net_assets_with"]
    assert activities["net_assets_end"] == after["net_assets_end"]
    assert activities["net_assets_beginning"] == before["net_assets_end"]
    assert activities["releases_out_of_with"] == activities["releases_into_without"]
    functional = functional_expenses(date_from=date_from, date_to=date_to).totals
    assert activities["total_expenses"] == functional["total_expenses"]
    # The classes are those of the ledger's fund balances, which count closing entries: a
    # close moves amounts within a class, never across.
    ledger = fund_net_assets(as_of=date_to).totals
    assert after["net_assets_with"] == ledger["with_restrictions"]
    assert after["net_assets_without"] == ledger["without_restrictions"]
    if fund_id is not None:
        one_fund = statement_of_activities(date_from=date_from, date_to=date_to, fund_id=fund_id)
        assert one_fund.totals["net_assets_end"] == (
            one_fund.totals["net_assets_beginning"] + one_fund.totals["change_in_net_assets"]
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ledger=entries,
    cut=st.tuples(days, days),
    fund=st.sampled_from([None, 0, 1]),
    close=st.booleans(),
)
def test_statements_tie_out_on_any_ledger(
    books: Organization,
    cast: Any,
    general: Fund,
    ledger: list[tuple[Any, ...]],
    cut: tuple[int, int],
    fund: int | None,
    close: bool,
) -> None:
    finance = cast["admin"]
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
            "access": Membership.objects.get(user=finance),
        }
        for entry in ledger:
            _apply(books, finance, entry, ctx)
        year = FiscalYear.objects.filter(end_date__lt=date.today()).order_by("start_date").first()
        if close and year is not None:
            fiscal_year_close(
                organization=books, actor=finance, access=ctx["access"], fiscal_year=year
            )
        start, end = sorted(BASE + timedelta(days=d) for d in cut)
        fund_id = ctx["funds"][fund].pk if fund is not None else None
        _check(books, start, end, fund_id)
        _check(books, BASE, date.today(), fund_id)
        transaction.set_rollback(True)


def test_expenses_by_function_and_program(books: Organization, cast: Any, general: Fund) -> None:
    meals = Program.objects.create(code="P1", name="Meals")
    actor = cast["admin"]
    day = date.today()
    for account, amount, function, program in [
        ("8110", "100.00", Function.PROGRAM, meals),
        ("8110", "20.00", Function.MANAGEMENT, None),
        ("7220", "300.00", Function.FUNDRAISING, None),
        ("7220", "5.00", "", None),
    ]:
        line = LineInput(
            acct(account), general, debit=Decimal(amount), function=function, program=program
        )
        _post(books, actor, day, general, line, "1010")
    report = functional_expenses(date_from=day, date_to=day)
    assert [c.key for c in report.columns] == [
        f"program_{meals.pk}",
        "program_services",
        "management",
        "fundraising",
        "unassigned",
        "total",
    ]
    supplies = next(row for row in report.rows if row.account_id == acct("8110").pk)
    assert supplies.values[f"program_{meals.pk}"] == Decimal("100.00")
    assert supplies.values["management"] == Decimal("20.00")
    assert supplies.values["total"] == Decimal("120.00")
    assert report.totals["total_expenses"] == Decimal("425.00")
    assert report.totals["not_assigned_a_function"] == Decimal("5.00")
    activities = statement_of_activities(date_from=day, date_to=day)
    assert activities.row("programs").values["without"] == Decimal("100.00")
    assert activities.row("total_expenses").values["with"] == Decimal("0.00")
    meals_only = statement_of_activities(date_from=day, date_to=day, program_id=meals.pk)
    assert meals_only.totals["total_expenses"] == Decimal("100.00")
    assert "net_assets_end" not in meals_only.totals
