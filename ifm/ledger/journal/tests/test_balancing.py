"""One fund-balancing rule: posting and the generated history add the same interfund lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.ledger.conftest import acct
from ifm.ledger.generate import DUE_FROM, DUE_TO, Line, with_interfund
from ifm.ledger.journal.balancing import balance_funds
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund
from ifm.tenancy.models import Organization

DAY = date(date.today().year, 1, 15)

Pair = tuple[str, int]  # (fund, debit minus credit) of a line


def _balance(lines: list[Pair]) -> list[Pair]:
    return balance_funds(
        lines,
        fund=lambda line: line[0],
        net=lambda line: line[1],
        due_to=lambda fund, amount: (f"due to {fund}", -amount),
        due_from=lambda fund, amount: (f"due from {fund}", amount),
    )


def test_a_fund_that_balances_gets_nothing() -> None:
    assert _balance([("GEN", 500), ("GEN", -500)]) == [("GEN", 500), ("GEN", -500)]


def test_each_fund_gets_the_line_that_balances_it_in_fund_order() -> None:
    lines = [("YOUTH", 300), ("GEN", -200), ("BOARD", -100)]
    assert _balance(lines) == [
        *lines,
        ("due from BOARD", 100),  # credited more than debited: the others owe it
        ("due from GEN", 200),
        ("due to YOUTH", -300),  # debited more than credited: it owes the others
    ]


def test_an_entry_that_does_not_balance_is_refused() -> None:
    with pytest.raises(ValueError, match="does not balance"):
        _balance([("GEN", 500), ("YOUTH", -400)])


def test_generated_entries_get_the_lines_posting_adds(
    books: Organization, general: Fund, restricted: Fund
) -> None:
    """The same lines, posted and planned, end up with the same interfund lines."""
    planned: list[Line] = [
        ("1010", "GEN", None, "", 25_000, 0, "Gift"),
        ("4015", "YOUTH", None, "", 0, 25_000, "Gift"),
        ("8110", "YOUTH", None, "", 4_000, 0, "Supplies"),
        ("1010", "GEN", None, "", 0, 4_000, "Supplies"),
    ]
    funds = {"GEN": general, "YOUTH": restricted}

    def cents(value: Decimal) -> int:
        return int(value * 100)

    entry = post_entry(
        organization=books,
        actor=None,
        date=DAY,
        lines=[
            LineInput(
                account=acct(number),
                fund=funds[fund],
                debit=Decimal(debit) / 100,
                credit=Decimal(credit) / 100,
                memo=memo,
            )
            for number, fund, _program, _function, debit, credit, memo in planned
        ],
    )
    posted: list[Any] = sorted(
        (line.account.number, line.fund.code, cents(line.debit), cents(line.credit), line.memo)
        for line in entry.lines.select_related("account", "fund")
        # Posting also releases what the entry spends of the restricted gift (releases.py);
        # those lines balance inside the fund and are no interfund matter.
        if line.account.role not in ("release_with", "release_without")
    )
    generated = sorted(
        (number, fund, debit, credit, memo)
        for number, fund, _program, _function, debit, credit, memo in with_interfund(planned)
    )
    assert posted == generated
    assert (DUE_TO, "GEN", 0, 21_000, "Interfund") in generated
    assert (DUE_FROM, "YOUTH", 21_000, 0, "Interfund") in generated
