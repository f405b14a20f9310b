"""Checks every reader runs on what it read, and the list that collects problems.

A reader never stops at the first problem: it adds each one to a `ProblemList` (up to
`MAX_PROBLEMS`, then counts the rest) and raises `StatementError` with all of them at the end,
so a person fixes a file in one go. `check_statement` then applies the rules shared by all
formats: plausible dates, amounts that fit the ledger, a line limit, something to import, and,
when the file gives both balances, lines that add up from the opening to the closing balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ifm.banking.statements.types import ParsedLine, ParsedStatement, Problem, StatementError
from ifm.core.money import MAX_MONEY

MAX_PROBLEMS = 100
MAX_LINES = 200_000
MIN_YEAR, MAX_YEAR = 1900, 2100


class ProblemList:
    """The problems found so far; past `cap` only counted, and said as one last problem."""

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, where: str, field: str, message: str) -> None:
        if len(self.items) < self.cap:
            self.items.append(Problem(where, field, message))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.dropped

    @property
    def full(self) -> bool:
        return len(self.items) >= self.cap

    def all(self) -> list[Problem]:
        if not self.dropped:
            return list(self.items)
        more = Problem(
            "file", "", f"and {self.dropped} more problems like these: fix the ones above first."
        )
        return [*self.items, more]

    def raise_if_any(self) -> None:
        if self.items:
            raise StatementError(self.all())


def refuse(message: str, *, where: str = "file", field: str = "") -> StatementError:
    """A StatementError with one problem, for a file that cannot be read at all."""
    return StatementError([Problem(where, field, message)])


def date_plausible(value: date) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def amount_fits(value: Decimal) -> bool:
    return abs(value) <= MAX_MONEY


def check_line_count(count: int, problems: ProblemList | None = None) -> None:
    """Refuse a file with more lines than an import may hold (before reading them all)."""
    if count > MAX_LINES:
        message = (
            f"The file holds {count:,} transactions, more than the {MAX_LINES:,} one import may "
            "hold: export a shorter period."
        )
        if problems is None:
            raise refuse(message)
        problems.add("file", "", message)


def check_statement(statement: ParsedStatement, problems: ProblemList) -> None:
    """The rules every format shares; adds to `problems` (the caller raises)."""
    check_line_count(len(statement.lines), problems)
    if not statement.lines and statement.opening_balance is statement.closing_balance is None:
        problems.add(
            "file",
            "",
            "The file holds no transactions and no balances: check that the export covers "
            "the period you want.",
        )
    _check_values(statement.lines, problems)
    _check_balances(statement, problems)
    check_totals(statement, problems)


def _check_values(lines: Iterable[ParsedLine], problems: ProblemList) -> None:
    for line in lines:
        where = line.where or "file"
        if not date_plausible(line.date):
            problems.add(
                where,
                "date",
                f"The date {line.date.isoformat()} is not plausible (years {MIN_YEAR}-{MAX_YEAR}).",
            )
        if not amount_fits(line.amount):
            problems.add(where, "amount", f"The amount {line.amount} is too large.")
        if line.balance is not None and not amount_fits(line.balance):
            problems.add(where, "balance", f"The balance {line.balance} is too large.")


def _check_balances(statement: ParsedStatement, problems: ProblemList) -> None:
    for name, value in (
        ("opening balance", statement.opening_balance),
        ("closing balance", statement.closing_balance),
    ):
        if value is not None and not amount_fits(value):
            problems.add("file", name, f"The {name} {value} is too large.")
    for name, day in (
        ("closing balance date", statement.closing_balance_date),
        ("start date", statement.start_date),
        ("end date", statement.end_date),
    ):
        if day is not None and not date_plausible(day):
            problems.add("file", name, f"The {name} {day.isoformat()} is not plausible.")


def check_totals(statement: ParsedStatement, problems: ProblemList, where: str = "file") -> None:
    """When the file gives both balances, opening + lines must come to closing."""
    opening, closing = statement.opening_balance, statement.closing_balance
    if opening is None or closing is None:
        return
    total = sum((line.amount for line in statement.lines), Decimal("0"))
    expected = opening + total
    if expected != closing:
        difference = closing - expected
        problems.add(
            where,
            "closing balance",
            f"The lines do not add up: opening balance {opening} plus the {len(statement.lines)} "
            f"lines ({total}) makes {expected}, but the file's closing balance is {closing} "
            f"(a difference of {difference}). The file may be incomplete: export it again.",
        )


def check_running_balances(
    lines: list[ParsedLine], problems: ProblemList, notes: list[str]
) -> tuple[bool, bool]:
    """Each line's running balance is the one before it plus its amount. Banks list lines
    oldest or newest first, so both orders are tried and the one that fits better is kept
    (by date when it is a tie).

    Real exports slip now and then (a bank's own balance column off by one line's amount,
    lines of one day listed in another order than the bank posted them), so a few
    disagreements are notes for the import summary, not refusals: the amounts are what is
    imported. When most pairs (and more than two) disagree, the profile is reading the wrong
    column, sign or decimal separator, and that is a problem.
    Returns (newest line first, balances agree)."""
    pairs = [
        (i, j)
        for i, j in zip(range(len(lines)), range(1, len(lines)), strict=False)
        if lines[i].balance is not None and lines[j].balance is not None
    ]
    forward = [(i, j) for i, j in pairs if _follows(lines[i], lines[j])]
    backward = [(i, j) for i, j in pairs if _follows(lines[j], lines[i])]
    newest_first = len(backward) > len(forward) or (
        len(backward) == len(forward) and bool(lines) and lines[0].date > lines[-1].date
    )
    good = set(backward if newest_first else forward)
    slips = []
    for i, j in pairs:
        if (i, j) in good:
            continue
        before, after = (lines[j], lines[i]) if newest_first else (lines[i], lines[j])
        assert before.balance is not None
        assert after.balance is not None
        expected = before.balance + after.amount
        slips.append(
            f"{after.where}: the running balance {after.balance} is not the balance before it "
            f"({before.balance}, {before.where}) plus the amount {after.amount}: expected "
            f"{expected}, a difference of {after.balance - expected}."
        )
    if len(slips) > 2 and len(slips) * 2 > len(pairs):
        problems.add(
            "file",
            "balance",
            f"The running balance disagrees with the amounts on {len(slips)} of {len(pairs)} "
            "rows: check the profile's amount columns, the sign of withdrawals and the decimal "
            f"separator. First: {slips[0]}",
        )
    else:
        notes.extend(f"The bank's balance column slips at {slip}" for slip in slips[:10])
        if len(slips) > 10:
            notes.append(f"... and {len(slips) - 10} more rows where it slips.")
    return newest_first, not slips


def _follows(before: ParsedLine, after: ParsedLine) -> bool:
    assert before.balance is not None
    assert after.balance is not None
    return before.balance + after.amount == after.balance
