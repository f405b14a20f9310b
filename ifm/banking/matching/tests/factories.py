"""Rows for matching tests: ledger entries on the bank account's cash account (1010), posted
the one way entries are posted, and bank lines with payee, memo and reference."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.banking.tests.factories import bank_account
from ifm.core.org_context import org_context
from ifm.ledger.journal.posting import LineInput, post_entry, reverse_entry
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine
from ifm.tenancy.models import Organization

_identity = count(1)


def account(org: Organization) -> BankAccount:
    return bank_account(org)


def _acct(number: str) -> Account:
    return Account.objects.get(number=number)


def post(
    org: Organization,
    on: date,
    *amounts: str,
    memo: str = "",
    reference: str = "",
    line_memo: str = "",
    other: str = "",
    cash: str = "1010",
) -> JournalEntry:
    """An entry with one cash line per amount (positive: a deposit, credited to
    contributions; negative: a payment, debited to supplies), all on `on`."""
    with org_context(org):
        fund = Fund.objects.get(is_general=True)
        lines = []
        for text in amounts:
            value = Decimal(text)
            counter = _acct(other or ("4010" if value > 0 else "8110"))
            if value > 0:
                lines += [
                    LineInput(_acct(cash), fund, debit=value, memo=line_memo),
                    LineInput(counter, fund, credit=value, memo=line_memo),
                ]
            else:
                lines += [
                    LineInput(_acct(cash), fund, credit=-value, memo=line_memo),
                    LineInput(counter, fund, debit=-value, memo=line_memo),
                ]
        return post_entry(
            organization=org, actor=None, date=on, lines=lines, memo=memo, reference=reference
        )


def reverse(org: Organization, entry: JournalEntry) -> JournalEntry:
    with org_context(org):
        return reverse_entry(organization=org, actor=None, entry=entry)


def cash_lines(org: Organization, entry: JournalEntry) -> list[JournalLine]:
    with org_context(org):
        return list(JournalLine.objects.filter(entry=entry, account__number="1010").order_by("id"))


def cash_line(org: Organization, entry: JournalEntry) -> JournalLine:
    return cash_lines(org, entry)[0]


def bank_line(
    org: Organization,
    on: date,
    amount: str,
    payee: str = "",
    *,
    memo: str = "",
    reference: str = "",
    bank: BankAccount | None = None,
    **extra: Any,
) -> BankTransaction:
    bank = bank or account(org)
    with org_context(org):
        statement = Statement.objects.filter(bank_account=bank).first()
        if statement is None:
            statement = Statement.objects.create(
                organization=org,
                bank_account=bank,
                format="csv",
                filename="statement.csv",
                sha256=hashlib.sha256(b"matching").hexdigest(),
            )
        return BankTransaction.objects.create(
            organization=org,
            bank_account=bank,
            statement=statement,
            date=on,
            amount=Decimal(amount),
            payee=payee,
            memo=memo,
            reference=reference,
            identity=f"m:{next(_identity)}",
            **extra,
        )
