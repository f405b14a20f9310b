"""Books with a bank account, ledger lines on its cash account (1010) posted the one way entries
are posted, bank lines, and matches made straight in the tables (as the matching service would:
`cleared_on` is the latest bank line's date, the bank lines turn "matched")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ifm.banking.models import BankAccount, BankTransaction, Match, MatchLine, Statement
from ifm.banking.tests.factories import bank_account, statement_with_lines
from ifm.core.org_context import org_context
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Fund, JournalLine
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.tenancy.models import Organization


def books(org: Organization, *years: int) -> BankAccount:
    """The organization's chart, its bank account on 1010 and open fiscal years."""
    account = bank_account(org)
    for year in years or (2026,):
        fiscal_year_ensure(organization=org, on=date(year, 6, 1))
    return account


def post_cash(org: Organization, amount: str | Decimal, on: date, memo: str = "") -> JournalLine:
    """An entry moving `amount` into (positive) or out of (negative) the bank's cash account;
    returns its line on the cash account."""
    amount = Decimal(amount)
    with org_context(org):
        cash = Account.objects.get(number="1010")
        other = Account.objects.get(number="5490" if amount > 0 else "8590")
        fund = Fund.objects.get(is_general=True)
        value = abs(amount)
        lines = (
            [LineInput(cash, fund, debit=value), LineInput(other, fund, credit=value)]
            if amount > 0
            else [LineInput(other, fund, debit=value), LineInput(cash, fund, credit=value)]
        )
        entry = post_entry(organization=org, actor=None, date=on, lines=lines, memo=memo)
        return JournalLine.objects.get(entry=entry, account=cash)


def bank_lines(
    org: Organization,
    account: BankAccount,
    rows: Sequence[tuple[date, str, str]],
    **statement: Any,
) -> list[BankTransaction]:
    """A statement with these (date, amount, payee) lines; `statement` sets its fields
    (closing_balance, closing_balance_date, start_date...)."""
    made = statement_with_lines(org, account, [(on, Decimal(a), p) for on, a, p in rows])
    with org_context(org):
        if statement:
            Statement.objects.filter(pk=made.pk).update(**statement)
        return list(BankTransaction.objects.filter(statement=made).order_by("id"))


def match(
    org: Organization, lines: Sequence[BankTransaction], journal_lines: Sequence[JournalLine]
) -> Match:
    with org_context(org):
        made = Match.objects.create(
            organization=org,
            bank_account=lines[0].bank_account,
            cleared_on=max(line.date for line in lines),
        )
        MatchLine.objects.bulk_create(
            [MatchLine(organization=org, match=made, journal_line=jl) for jl in journal_lines]
        )
        BankTransaction.objects.filter(pk__in=[line.pk for line in lines]).update(
            status="matched", match=made
        )
        return made


def matched_pair(
    org: Organization, account: BankAccount, amount: str, on: date, *, cleared: date | None = None
) -> tuple[BankTransaction, JournalLine]:
    """A ledger line dated `on` and its bank line dated `cleared` (default `on`), matched."""
    journal_line = post_cash(org, amount, on, memo=f"Item {amount}")
    (line,) = bank_lines(org, account, [(cleared or on, amount, f"Payee {amount}")])
    match(org, [line], [journal_line])
    line.refresh_from_db()
    return line, journal_line
