"""Release from restriction, automatically: an expense posted to a purpose-restricted fund
releases that much (never more than the fund holds with restrictions) in the same entry; a
reversal takes the release back; time restrictions are released by a job on their date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.ledger.balances.selectors import restricted_balance
from ifm.ledger.balances.services import fund_release, time_restriction_release_due
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.journal.services import journal_entry_create, journal_entry_reverse
from ifm.ledger.models import Fund, JournalEntry, Restriction, SourceType
from ifm.reports.financial.selectors import statement_of_activities
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date.today()
YEAR_START = date(TODAY.year, 1, 1)


def _gift(org: Organization, actor: Any, fund: Fund, amount: str, on: date = TODAY) -> None:
    post_entry(
        organization=org,
        actor=actor,
        date=on,
        lines=[
            LineInput(acct("1010"), fund, debit=D(amount)),
            LineInput(acct("4015"), fund, credit=D(amount)),
        ],
    )


def _expense(
    org: Organization, actor: Any, fund: Fund, amount: str, on: date = TODAY
) -> JournalEntry:
    return journal_entry_create(
        organization=org,
        actor=actor,
        access=Membership.objects.get(user=actor),
        date=on,
        lines=[
            LineInput(acct("8110"), fund, debit=D(amount), function="program"),
            LineInput(acct("1010"), fund, credit=D(amount)),
        ],
    )


def _released(entry: JournalEntry) -> Decimal:
    return sum(
        (line.debit for line in entry.lines.all() if line.account.role == "release_with"), D(0)
    )


def _releases_on_statement(on: date = TODAY) -> tuple[Decimal, Decimal]:
    totals = statement_of_activities(date_from=YEAR_START, date_to=on).totals
    return totals["releases_out_of_with"], totals["releases_into_without"]


def test_an_expense_releases_its_amount_when_the_fund_holds_enough(
    books: Organization, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    _gift(books, finance, restricted, "500.00")
    entry = _expense(books, finance, restricted, "120.00")
    assert _released(entry) == D("120.00")
    assert restricted_balance(fund_id=restricted.pk, as_of=TODAY) == D("380.00")
    assert _releases_on_statement() == (D("120.00"), D("120.00"))
    # The release lines balance inside the fund: no interfund lines are added for them.
    assert not entry.lines.filter(account__role__startswith="interfund").exists()


def test_the_release_is_capped_at_what_the_fund_still_holds(
    books: Organization, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    _gift(books, finance, restricted, "100.00")
    entry = _expense(books, finance, restricted, "130.00")
    assert _released(entry) == D("100.00")
    assert restricted_balance(fund_id=restricted.pk, as_of=TODAY) == D("0.00")
    assert _released(_expense(books, finance, restricted, "10.00")) == D("0.00")
    assert _releases_on_statement() == (D("100.00"), D("100.00"))


def test_a_later_release_limits_what_an_earlier_expense_may_release(
    books: Organization, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    _gift(books, finance, restricted, "100.00", on=YEAR_START)
    fund_release(
        organization=books,
        actor=finance,
        access=Membership.objects.get(user=finance),
        fund=restricted,
        amount=D("70.00"),
        date=TODAY,
    )
    entry = _expense(books, finance, restricted, "50.00", on=YEAR_START)
    assert _released(entry) == D("30.00")
    assert restricted_balance(fund_id=restricted.pk, as_of=TODAY) == D("0.00")


@pytest.mark.parametrize("restriction", [Restriction.NONE, Restriction.TIME, Restriction.PERPETUAL])
def test_no_release_for_funds_without_a_purpose_restriction(
    books: Organization, cast: Any, restriction: str
) -> None:
    fund = Fund.objects.create(code="F", name="Fund", restriction=restriction)
    finance = cast["finance"]
    _gift(books, finance, fund, "100.00")
    entry = _expense(books, finance, fund, "40.00")
    assert _released(entry) == D("0.00")
    assert entry.lines.count() == 2


def test_reversing_the_expense_reverses_its_release(
    books: Organization, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    _gift(books, finance, restricted, "200.00")
    entry = _expense(books, finance, restricted, "80.00")
    reversal = journal_entry_reverse(
        organization=books, actor=finance, access=Membership.objects.get(user=finance), entry=entry
    )
    assert reversal.source_type == SourceType.REVERSAL
    assert restricted_balance(fund_id=restricted.pk, as_of=TODAY) == D("200.00")
    assert _releases_on_statement() == (D("0.00"), D("0.00"))


def test_an_unrestricted_in_kind_gift_used_at_once_releases_nothing(
    books: Organization, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    _gift(books, finance, restricted, "200.00")
    entry = post_entry(
        organization=books,
        actor=finance,
        date=TODAY,
        source_type=SourceType.DONATION,
        lines=[
            LineInput(acct("8120"), restricted, debit=D("75.00")),
            LineInput(acct("4140"), restricted, credit=D("75.00")),
        ],
    )
    assert _released(entry) == D("0.00")
    assert restricted_balance(fund_id=restricted.pk, as_of=TODAY) == D("200.00")


def test_an_entry_that_records_its_own_release_gets_none_added(
    books: Organization, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    _gift(books, finance, restricted, "200.00")
    entry = post_entry(
        organization=books,
        actor=finance,
        date=TODAY,
        lines=[
            LineInput(acct("8110"), restricted, debit=D("50.00")),
            LineInput(acct("1010"), restricted, credit=D("50.00")),
            LineInput(acct("6910"), restricted, debit=D("20.00")),
            LineInput(acct("6915"), restricted, credit=D("20.00")),
        ],
    )
    assert _released(entry) == D("20.00")
    assert entry.lines.count() == 4


def test_a_time_restriction_is_released_on_its_date_once(
    books: Organization, cast: Any, run_jobs: Any
) -> None:
    ends = TODAY - timedelta(days=1)
    later = Fund.objects.create(
        code="LATER", name="Next year", restriction=Restriction.TIME, restricted_until=ends
    )
    future = Fund.objects.create(
        code="FUTURE",
        name="Later still",
        restriction=Restriction.TIME,
        restricted_until=TODAY + timedelta(days=30),
    )
    finance = cast["finance"]
    _gift(books, finance, later, "300.00", on=ends)
    _gift(books, finance, future, "90.00", on=ends)

    call_command("release_time_restrictions", verbosity=0)
    assert run_jobs() == 1
    entries = list(JournalEntry.objects.filter(source_type=SourceType.RELEASE))
    assert [(e.date, e.source_id) for e in entries] == [(ends, f"time:{later.pk}")]
    assert restricted_balance(fund_id=later.pk, as_of=ends) == D("0.00")
    assert restricted_balance(fund_id=future.pk, as_of=TODAY) == D("90.00")
    # Idempotent: a second run the same day releases nothing more.
    assert time_restriction_release_due(organization=books, today=TODAY) == []
    # A gift that arrives after the date is released by the next run, dated that day.
    _gift(books, finance, later, "40.00")
    [entry] = time_restriction_release_due(organization=books, today=TODAY)
    assert (entry.date, _released(entry)) == (TODAY, D("40.00"))
    assert _releases_on_statement() == (D("340.00"), D("340.00"))


amounts = st.decimals(min_value=D("0.01"), max_value=D("900"), places=2)
moves = st.lists(
    st.tuples(
        st.sampled_from(["gift", "expense", "reverse"]), amounts, st.integers(0, 60), st.booleans()
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=moves)
def test_restricted_money_never_goes_below_zero_and_releases_balance(
    books: Organization, cast: Any, restricted: Fund, moves: list[tuple[str, Decimal, int, bool]]
) -> None:
    finance = cast["finance"]
    access = Membership.objects.get(user=finance)
    start = TODAY - timedelta(days=60)
    with transaction.atomic():
        expenses: list[JournalEntry] = []
        for kind, amount, day, through_payables in moves:
            on = start + timedelta(days=day)
            if kind == "gift":
                _gift(books, finance, restricted, str(amount), on=on)
            elif kind == "expense":
                credit = "2010" if through_payables else "1010"
                entry = post_entry(
                    organization=books,
                    actor=finance,
                    date=on,
                    lines=[
                        LineInput(acct("8110"), restricted, debit=amount),
                        LineInput(acct(credit), restricted, credit=amount),
                    ],
                )
                expenses.append(entry)
                assert _released(entry) <= amount
            elif expenses:
                journal_entry_reverse(
                    organization=books, actor=finance, access=access, entry=expenses.pop(0)
                )
        for day in range(61):
            assert restricted_balance(fund_id=restricted.pk, as_of=start + timedelta(days=day)) >= 0
        totals = statement_of_activities(date_from=start, date_to=TODAY).totals
        assert totals["releases_out_of_with"] == totals["releases_into_without"]
        transaction.set_rollback(True)
