"""The figures of a reconciliation computed from the last finished one are those computed from
the whole history, whatever happened in between: late matches of old items, entries posted
after a reconciliation was finished but dated before it, entries dated after the day the bank
cleared them, matches spanning two statements, undone matches."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ifm.banking.models import BankAccount, BankTransaction, Match
from ifm.banking.reconciliation import selectors
from ifm.banking.reconciliation.services import reconciliation_finish, reconciliation_start
from ifm.banking.reconciliation.tests.factories import bank_lines, match, post_cash

pytestmark = pytest.mark.django_db
MONTH_ENDS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def _same(rec: Any) -> selectors.Figures:
    fast = selectors.reconciliation_state(rec)
    full = selectors.reconciliation_state(rec, full=True)
    assert fast.figures == full.figures
    assert fast.outstanding_ids() == full.outstanding_ids()
    return fast.figures


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_from_the_last_reconciliation_equal_the_full_history(
    org_a: Any, account: BankAccount, finance: Any, seed: int
) -> None:
    rng = random.Random(seed)
    unmatched: list[Any] = []  # ledger lines not yet matched
    for month_end in MONTH_ENDS:
        start = month_end.replace(day=1)
        for _ in range(8):
            on = start + timedelta(days=rng.randrange(month_end.day))
            amount = Decimal(rng.randrange(-5000, 5000) or 1) / 100
            journal_line = post_cash(org_a, amount, on)
            roll = rng.random()
            if roll < 0.6:  # the bank clears it within a week (maybe next month)
                cleared = on + timedelta(days=rng.randrange(8))
                (line,) = bank_lines(org_a, account, [(cleared, str(amount), "Cleared")])
                match(org_a, [line], [journal_line])
            elif roll < 0.7:  # entered after the bank cleared it
                cleared = on - timedelta(days=rng.randrange(1, 4))
                (line,) = bank_lines(org_a, account, [(cleared, str(amount), "Early")])
                match(org_a, [line], [journal_line])
            else:
                unmatched.append(journal_line)
        # An old item clears now; a fee the books lack; a match undone.
        if unmatched and rng.random() < 0.7:
            old = unmatched.pop(rng.randrange(len(unmatched)))
            (line,) = bank_lines(org_a, account, [(month_end, str(old.debit - old.credit), "Old")])
            match(org_a, [line], [old])
        bank_lines(org_a, account, [(month_end, "-1.50", "Fee")])
        undoable = list(
            Match.objects.filter(bank_lines__status="matched", cleared_on__gt=month_end)[:1]
        )
        for m in undoable:
            BankTransaction.objects.filter(match=m).update(status="unmatched", match=None)
            m.delete()
        # A backdated entry into the month before (posted after it was finished).
        if month_end != MONTH_ENDS[0]:
            post_cash(org_a, "7.25", month_end.replace(day=1) - timedelta(days=3))
        rec = reconciliation_start(
            **finance,
            bank_account=account,
            statement_date=month_end,
            statement_balance=Decimal(0),
            books_from=date(2026, 1, 1) if month_end == MONTH_ENDS[0] else None,
        )
        figures = _same(rec)
        # Make it balance (the statement states what the bank cleared), then finish.
        rec.statement_balance = figures.cleared_balance
        rec.save()
        rec = reconciliation_finish(**finance, reconciliation=rec)
        assert rec.outstanding_line_ids is not None
    assert rec.book_balance is not None
