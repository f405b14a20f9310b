"""The statements read from the stored monthly balances are the statements summed from every
line, for any ledger and any period; the report benchmark runs in its quick mode."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import reports as bench_reports
from bench.__main__ import BENCHMARKS
from ifm.ledger.balances.monthly import summing_lines
from ifm.ledger.balances.selectors import fund_net_assets, trial_balance
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry, reverse_entry
from ifm.ledger.models import Fund, Program, Restriction
from ifm.reports.financial.selectors import (
    functional_expenses,
    statement_of_activities,
    statement_of_financial_position,
)
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

BASE = date(date.today().year - 1, 1, 1)
SPAN = (date.today() - BASE).days
days = st.integers(min_value=0, max_value=SPAN)
entries = st.lists(
    st.tuples(
        days,
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999"), places=2),
        st.sampled_from([("8110", "1010"), ("1010", "4010"), ("1010", "4015"), ("7220", "2010")]),
        st.integers(0, 1),
        st.sampled_from(["", "program", "management", "fundraising"]),
        st.booleans(),  # reversed a month later
    ),
    max_size=10,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=entries, cut=st.tuples(days, days))
def test_statements_from_stored_balances_equal_summing_lines(
    books: Organization, cast: Any, general: Fund, ledger: list[Any], cut: tuple[int, int]
) -> None:
    actor = cast["admin"]
    with transaction.atomic():
        funds = [general, Fund.objects.create(code="Y", name="Y", restriction=Restriction.PURPOSE)]
        program = Program.objects.create(code="P1", name="Meals")
        for day, amount, (debit, credit), fund, function, reversed_ in ledger:
            on = BASE + timedelta(days=day)
            entry = post_entry(
                organization=books,
                actor=actor,
                date=on,
                lines=[
                    LineInput(
                        acct(debit),
                        funds[fund],
                        debit=amount,
                        function=function,
                        program=program if function == "program" else None,
                    ),
                    LineInput(acct(credit), funds[fund], credit=amount),
                ],
            )
            if reversed_:
                later = min(on + timedelta(days=31), date.today())
                reverse_entry(organization=books, actor=actor, entry=entry, date=later)
        start, end = sorted(BASE + timedelta(days=d) for d in cut)

        def every() -> list[Any]:
            return [
                trial_balance(as_of=end),
                fund_net_assets(as_of=end, date_from=start),
                statement_of_financial_position(as_of=end, compare_to=start),
                statement_of_activities(
                    date_from=start, date_to=end, compare=(BASE, start - timedelta(days=1))
                ),
                statement_of_activities(date_from=start, date_to=end, fund_id=funds[1].pk),
                functional_expenses(date_from=start, date_to=end),
            ]

        stored = every()
        with summing_lines():
            summed = every()
        assert stored == summed
        transaction.set_rollback(True)


def test_the_reports_benchmark_runs_in_quick_mode() -> None:
    printed: list[str] = []
    figures, rate = bench_reports.run(bench_reports.QUICK, out=printed.append)
    assert [f.name for f in figures] == [
        "trial balance",
        "statement of financial position",
        "statement of activities",
        "statement of functional expenses",
    ]
    assert all(f.p95_ms > 0 and f.floor_p95_ms > 0 and f.ratio > 0 for f in figures)
    assert rate > 0
    assert any("ratio" in line for line in printed)
    assert BENCHMARKS["reports"] is bench_reports.main


def test_each_statement_with_its_comparison_is_one_query(
    books: Organization, cast: Any, general: Fund, django_assert_num_queries: Any
) -> None:
    program = Program.objects.create(code="P1", name="Meals")
    for months in range(0, 12, 3):
        on = BASE + timedelta(days=30 * months + 11)
        post_entry(
            organization=books,
            actor=cast["admin"],
            date=on,
            lines=[
                LineInput(acct("8110"), general, debit=Decimal("40.00"), program=program,
                          function="program"),
                LineInput(acct("1010"), general, credit=Decimal("40.00")),
                LineInput(acct("1010"), general, debit=Decimal("90.00")),
                LineInput(acct("4010"), general, credit=Decimal("90.00")),
            ],
        )  # fmt: skip
    start, end = BASE + timedelta(days=250), BASE + timedelta(days=300)
    compare = (start - timedelta(days=150), start - timedelta(days=1))
    # Both periods, the net assets at their starts and the names of the accounts, funds and
    # programs: one statement, one round trip.
    with django_assert_num_queries(1):
        activities = statement_of_activities(date_from=start, date_to=end, compare=compare)
    with django_assert_num_queries(1):
        position = statement_of_financial_position(as_of=end, compare_to=start)
    with django_assert_num_queries(1):
        trial = trial_balance(as_of=end)
    with django_assert_num_queries(1):
        functional = functional_expenses(date_from=BASE, date_to=end)
    with summing_lines():
        assert activities == statement_of_activities(date_from=start, date_to=end, compare=compare)
        assert position == statement_of_financial_position(as_of=end, compare_to=start)
        assert trial == trial_balance(as_of=end)
        assert functional == functional_expenses(date_from=BASE, date_to=end)
    assert activities.totals["total_revenue"] == Decimal("90.00")
    assert [row.label for row in functional.rows][:1] == ["8110 " + acct("8110").name]
