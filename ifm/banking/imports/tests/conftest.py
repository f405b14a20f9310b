"""Fixtures of the import tests (the bank account ones, shared) and statements built as
values, the way a reader returns them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ifm.banking.accounts.tests.conftest import checking, finance, in_a  # noqa: F401
from ifm.banking.statements import ParsedLine, ParsedStatement


def line(
    day: date | str,
    amount: str,
    payee: str = "",
    *,
    memo: str = "",
    reference: str = "",
    bank_id: str = "",
    balance: str | None = None,
) -> ParsedLine:
    return ParsedLine(
        date=date.fromisoformat(day) if isinstance(day, str) else day,
        amount=Decimal(amount),
        payee=payee,
        memo=memo,
        reference=reference,
        bank_id=bank_id,
        balance=None if balance is None else Decimal(balance),
    )


def statement(
    lines: list[ParsedLine],
    *,
    fmt: str = "ofx",
    account_number: str = "",
    currency: str = "",
    opening: str | None = None,
    closing: str | None = None,
) -> ParsedStatement:
    return ParsedStatement(
        format=fmt,
        lines=lines,
        account_number=account_number,
        currency=currency,
        opening_balance=None if opening is None else Decimal(opening),
        closing_balance=None if closing is None else Decimal(closing),
    )


def month_of_lines(start: date, days: int, *, with_ids: bool = False) -> list[ParsedLine]:
    """A plausible statement: a coffee most days, a deposit on Mondays, rent on the 1st."""
    lines = []
    for n in range(days):
        day = start + timedelta(days=n)
        lines.append(
            line(day, "-4.50", "Corner Coffee", bank_id=f"C{day:%Y%m%d}" if with_ids else "")
        )
        if day.weekday() == 0:
            lines.append(
                line(day, "1250.00", "Deposit", bank_id=f"D{day:%Y%m%d}" if with_ids else "")
            )
        if day.day == 1:
            lines.append(
                line(
                    day,
                    "-900.00",
                    "Rent",
                    reference="1001",
                    bank_id=f"R{day:%Y%m}" if with_ids else "",
                )
            )
    return lines
