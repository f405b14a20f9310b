"""What a read statement must satisfy before anything of it is stored, as a list of problems
(where, field, message). Pure: the bank account's facts come in as values."""

from __future__ import annotations

import re
from decimal import Decimal

from ifm.banking.statements import ParsedStatement, Problem
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE

CENT = Decimal("0.01")
LIMIT = Decimal("1e12")  # DecimalField(max_digits=14, decimal_places=2)
MAX_PROBLEMS = 200


def _money_problem(value: Decimal | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, Decimal) or not value.is_finite():
        return "is not an amount."
    if abs(value) >= LIMIT:
        return f"{value} is too large for an amount."
    if value != value.quantize(CENT):
        return f"{value} has more than two decimals."
    return ""


def _line_problems(parsed: ParsedStatement) -> list[Problem]:
    problems: list[Problem] = []
    for number, line in enumerate(parsed.lines, start=1):
        where = line.where or f"line {number}"
        wrong = _money_problem(line.amount)
        if wrong:
            problems.append(Problem(where, "amount", f"The amount {wrong}"))
        wrong = _money_problem(line.balance)
        if wrong:
            problems.append(Problem(where, "balance", f"The balance {wrong}"))
        if not EARLIEST_DATE <= line.date <= LATEST_DATE:
            problems.append(
                Problem(
                    where,
                    "date",
                    f"The date {line.date.isoformat()} is not a statement date: it must be "
                    f"after {EARLIEST_DATE.year - 1} and before {LATEST_DATE.year + 1}.",
                )
            )
    return problems


def _balance_problems(parsed: ParsedStatement) -> list[Problem]:
    problems = []
    for field, value in (
        ("opening_balance", parsed.opening_balance),
        ("closing_balance", parsed.closing_balance),
    ):
        wrong = _money_problem(value)
        if wrong:
            label = field.replace("_", " ")
            problems.append(Problem("file", field, f"The {label} {wrong}"))
    if problems or parsed.opening_balance is None or parsed.closing_balance is None:
        return problems
    total = sum((line.amount for line in parsed.lines), Decimal(0))
    expected = parsed.opening_balance + total
    if expected != parsed.closing_balance:
        difference = parsed.closing_balance - expected
        problems.append(
            Problem(
                "file",
                "closing_balance",
                f"The lines do not add up: opening balance {parsed.opening_balance} plus the "
                f"lines ({total}) is {expected}, but the file states a closing balance of "
                f"{parsed.closing_balance} (a difference of {difference}). The file is "
                "incomplete or altered: export it again from the bank.",
            )
        )
    return problems


def account_problems(
    parsed: ParsedStatement, *, currency: str, last_digits: str, name: str
) -> list[Problem]:
    """A file for another account or in another currency is refused, saying which."""
    problems = []
    file_currency = parsed.currency.strip().upper()
    if file_currency and file_currency != currency.upper():
        problems.append(
            Problem(
                "file",
                "currency",
                f"The file is in {file_currency}, but {name} is in {currency}: import it "
                "into a bank account in that currency.",
            )
        )
    file_digits = re.sub(r"\D", "", parsed.account_number)
    if last_digits and file_digits and not file_digits.endswith(last_digits):
        problems.append(
            Problem(
                "file",
                "account_number",
                f"The file is for the account ending {file_digits[-len(last_digits) :]}, but "
                f"{name} is the account ending {last_digits}: choose the bank account the "
                "file belongs to.",
            )
        )
    return problems


def statement_problems(
    parsed: ParsedStatement, *, currency: str, last_digits: str, name: str, max_lines: int
) -> list[Problem]:
    """Every reason the statement cannot be stored (the first MAX_PROBLEMS of them)."""
    problems = account_problems(parsed, currency=currency, last_digits=last_digits, name=name)
    if len(parsed.lines) > max_lines:
        problems.append(
            Problem(
                "file",
                "lines",
                f"The file has {len(parsed.lines):,} lines; at most {max_lines:,} are taken in "
                "one file: export a shorter period.",
            )
        )
        return problems
    problems += _balance_problems(parsed)
    problems += _line_problems(parsed)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem("file", "", f"… and {more:,} more problems of the same kinds."),
        ]
    return problems
