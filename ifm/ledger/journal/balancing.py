"""Fund balancing: every fund of an entry balances on its own.

Where an entry's lines leave a fund with more debits than credits, that fund owes the others: a
due-to (interfund payable) line credits it with the difference; where they leave it with more
credits, the others owe it: a due-from (interfund receivable) line debits it. Posting adds these
lines to every entry (journal/posting.py), and the generated history plans them the same way
(ledger/generate.py), so both follow one rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

Line = TypeVar("Line")
FundKey = TypeVar("FundKey", int, str)
Amount = TypeVar("Amount", int, Decimal)


def balance_funds(
    lines: Sequence[Line],
    *,
    fund: Callable[[Line], FundKey],
    net: Callable[[Line], Amount],
    due_to: Callable[[FundKey, Amount], Line],
    due_from: Callable[[FundKey, Amount], Line],
) -> list[Line]:
    """`lines` and the due-to / due-from lines that balance each fund, in the order of the funds.

    `fund` names a line's fund, `net` gives its debit minus its credit; `due_to(fund, amount)`
    makes the line that credits a fund which owes `amount`, `due_from(fund, amount)` the line
    that debits a fund which is owed `amount`. The entry as a whole must balance (ValueError)."""
    by_fund: dict[FundKey, Amount] = {}
    for line in lines:
        key = fund(line)
        by_fund[key] = by_fund[key] + net(line) if key in by_fund else net(line)
    if sum(by_fund.values()) != 0:
        raise ValueError("The entry does not balance: its debits and credits differ.")
    extra: list[Line] = []
    for key, amount in sorted(by_fund.items()):
        if amount > 0:  # more debits than credits in this fund: it owes the others
            extra.append(due_to(key, amount))
        elif amount < 0:  # more credits: the others owe it
            extra.append(due_from(key, -amount))
    return [*lines, *extra]
