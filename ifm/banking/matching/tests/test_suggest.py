"""Suggestions: ranking by amount, date window, check number and payee; one bank line to many
ledger lines; many bank lines to one; what counts as confident; suggest_all agrees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ifm.banking.matching.suggest import (
    CHECK_WINDOW_DAYS,
    DATE_WINDOW_DAYS,
    confident_picks,
    suggest_all,
    suggestions_for,
)
from ifm.banking.matching.tests.factories import (
    account,
    bank_line,
    cash_line,
    cash_lines,
    post,
    reverse,
)
from ifm.core.org_context import org_context
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)


def _for(org: Organization, line: Any) -> list[Any]:
    with org_context(org):
        return suggestions_for(line)


def _all(org: Organization) -> dict[int, list[Any]]:
    with org_context(org):
        return suggest_all(account(org))


def test_exact_amount_within_the_window_only(org_a: Organization) -> None:
    account(org_a)
    near = post(org_a, D - timedelta(days=2), "150.00")
    post(org_a, D, "150.01")  # not the amount
    post(org_a, D - timedelta(days=DATE_WINDOW_DAYS + 1), "150.00")  # outside the window
    post(org_a, D, "-150.00")  # a payment, not a deposit
    line = bank_line(org_a, D, "150.00", "DEPOSIT")
    found = _for(org_a, line)
    assert [s.journal_line_ids for s in found] == [[cash_line(org_a, near).pk]]
    assert found[0].reasons[:2] == ["Same amount", "2 days apart"]
    assert found[0].confident


def test_closer_date_ranks_first_and_two_close_ones_are_not_confident(org_a: Organization) -> None:
    account(org_a)
    far = post(org_a, D - timedelta(days=2), "80.00")
    same = post(org_a, D, "80.00")
    line = bank_line(org_a, D, "80.00")
    found = _for(org_a, line)
    assert [s.journal_line_ids[0] for s in found] == [
        cash_line(org_a, same).pk,
        cash_line(org_a, far).pk,
    ]
    assert found[0].score > found[1].score
    assert not found[0].confident  # two lines of the amount within two days


def test_check_number_outranks_date_and_reaches_back_further(org_a: Organization) -> None:
    account(org_a)
    written = D - timedelta(days=CHECK_WINDOW_DAYS - 10)
    check = post(org_a, written, "-412.50", memo="Payment of EXP-7: Ace Printing by check 1042")
    post(org_a, D, "-412.50", memo="Payment of EXP-9: Someone else")
    line = bank_line(org_a, D, "-412.50", "CHECK", reference="00001042")
    found = _for(org_a, line)
    assert found[0].journal_line_ids == [cash_line(org_a, check).pk]
    assert any("Check number 1042" in r for r in found[0].reasons)
    assert found[0].score > found[1].score


def test_payee_words_break_a_tie(org_a: Organization) -> None:
    account(org_a)
    other = post(org_a, D, "-60.00", memo="Payment: City Water")
    hit = post(org_a, D, "-60.00", memo="Payment: Office Depot")
    line = bank_line(org_a, D, "-60.00", "OFFICE DEPOT #123")
    found = _for(org_a, line)
    assert found[0].journal_line_ids == [cash_line(org_a, hit).pk]
    assert "Payee words in common: depot, office" in found[0].reasons
    assert found[1].journal_line_ids == [cash_line(org_a, other).pk]
    assert found[0].score > found[1].score


def test_reversed_and_reversing_entries_are_never_offered(org_a: Organization) -> None:
    account(org_a)
    voided = post(org_a, D, "25.00", memo="Gift from Ana")
    reverse(org_a, voided)
    line = bank_line(org_a, D, "25.00")
    assert _for(org_a, line) == []
    refund = bank_line(org_a, D, "-25.00")
    assert _for(org_a, refund) == []


def test_a_batch_deposit_entry_matches_as_one_line(org_a: Organization) -> None:
    """A gift batch posts one deposit: one debit of the total, several credits."""
    account(org_a)
    from ifm.banking.matching.tests.factories import _acct
    from ifm.ledger.journal.posting import LineInput, post_entry
    from ifm.ledger.models import Fund

    with org_context(org_a):
        fund = Fund.objects.get(is_general=True)
        entry = post_entry(
            organization=org_a,
            actor=None,
            date=D,
            memo="Deposit of batch Sunday checks",
            lines=[
                LineInput(_acct("1010"), fund, debit="175.00"),  # type: ignore[arg-type]
                LineInput(_acct("4010"), fund, credit="100.00", memo="Gift from Ana"),  # type: ignore[arg-type]
                LineInput(_acct("4010"), fund, credit="50.00", memo="Gift from Ben"),  # type: ignore[arg-type]
                LineInput(_acct("4010"), fund, credit="25.00", memo="Gift from Cy"),  # type: ignore[arg-type]
            ],
        )
    line = bank_line(org_a, D + timedelta(days=1), "175.00", "DEPOSIT")
    found = _for(org_a, line)
    assert found[0].journal_line_ids == [cash_line(org_a, entry).pk]
    assert found[0].confident


def test_one_deposit_to_the_cash_lines_of_one_entry(org_a: Organization) -> None:
    account(org_a)
    entry = post(org_a, D, "120.00", "80.00", memo="Two gifts, one deposit")
    line = bank_line(org_a, D, "200.00", "DEPOSIT")
    found = _for(org_a, line)
    assert sorted(found[0].journal_line_ids) == [ln.pk for ln in cash_lines(org_a, entry)]
    assert "The 2 lines of" in found[0].reasons[0]
    assert found[0].confident


def test_one_deposit_to_several_entries_of_one_day(org_a: Organization) -> None:
    account(org_a)
    day = D - timedelta(days=1)
    gifts = [post(org_a, day, amount, line_memo="Gift") for amount in ("50.00", "30.00", "20.00")]
    post(org_a, day, "45.00")  # another deposit of the day, not in this one... still same day
    line = bank_line(org_a, D, "100.00", "DEPOSIT")
    found = _for(org_a, line)
    wanted = sorted(cash_line(org_a, g).pk for g in gifts)
    assert sorted(found[0].journal_line_ids) == wanted
    assert "3 lines of" in found[0].reasons[0]


def test_a_whole_busy_day_is_offered_when_it_adds_up(org_a: Organization, settings: Any) -> None:
    from ifm.banking.matching import suggest

    account(org_a)
    amounts = [f"{n}.00" for n in range(1, suggest.MAX_DAY_LINES + 3)]
    entries = [post(org_a, D, amount) for amount in amounts]
    total = sum(range(1, suggest.MAX_DAY_LINES + 3))
    line = bank_line(org_a, D, f"{total}.00", "DEPOSIT")
    found = _for(org_a, line)
    assert sorted(found[0].journal_line_ids) == sorted(cash_line(org_a, e).pk for e in entries)
    assert found[0].reasons[0].startswith(f"All {len(amounts)} lines of 2026-03-10")


def test_many_bank_lines_to_one_ledger_line(org_a: Organization) -> None:
    account(org_a)
    transfer = post(org_a, D, "-1000.00", memo="Transfer to savings", other="1020")
    first = bank_line(org_a, D, "-600.00", "TRANSFER")
    second = bank_line(org_a, D + timedelta(days=1), "-400.00", "TRANSFER")
    bank_line(org_a, D, "-999.00", "UNRELATED")
    found = _for(org_a, first)
    assert found[0].journal_line_ids == [cash_line(org_a, transfer).pk]
    assert found[0].other_bank_line_ids == [second.pk]
    assert not found[0].confident  # many-to-one is always confirmed by a person


def test_another_bank_line_of_the_amount_makes_it_not_confident(org_a: Organization) -> None:
    account(org_a)
    post(org_a, D, "40.00")
    one = bank_line(org_a, D, "40.00")
    bank_line(org_a, D + timedelta(days=1), "40.00")
    assert _for(org_a, one)[0].confident is False


def test_suggest_all_gives_the_same_answers(org_a: Organization) -> None:
    account(org_a)
    post(org_a, D, "150.00")
    post(org_a, D, "-60.00", memo="Payment: Office Depot")
    post(org_a, D, "-60.00", memo="Payment: City Water")
    post(org_a, D - timedelta(days=1), "50.00", "30.00")
    post(org_a, D, "-1000.00", other="1020")
    lines = [
        bank_line(org_a, D, "150.00"),
        bank_line(org_a, D, "-60.00", "OFFICE DEPOT"),
        bank_line(org_a, D, "80.00"),
        bank_line(org_a, D, "-600.00"),
        bank_line(org_a, D, "-400.00"),
        bank_line(org_a, D, "7.00"),
    ]
    everything = _all(org_a)
    assert set(everything) == {line.pk for line in lines}
    for line in lines:
        one = _for(org_a, line)
        assert [(s.journal_line_ids, s.score, s.confident) for s in one] == [
            (s.journal_line_ids, s.score, s.confident) for s in everything[line.pk]
        ], line
    picks = confident_picks(everything)
    assert set(picks) == {lines[0].pk, lines[1].pk, lines[2].pk}


def test_confident_picks_never_claim_a_line_twice(org_a: Organization) -> None:
    account(org_a)
    post(org_a, D, "40.00")
    bank_line(org_a, D, "40.00")
    bank_line(org_a, D + timedelta(days=2), "40.00")
    assert confident_picks(_all(org_a)) == {}


def test_suggestions_stay_in_their_organization(org_a: Organization, org_b: Organization) -> None:
    account(org_a)
    account(org_b)
    post(org_b, D, "99.00")
    line = bank_line(org_a, D, "99.00")
    assert _for(org_a, line) == []
