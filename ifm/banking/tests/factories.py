"""Rows for banking tests and the isolation suite: a bank account on the template chart's
operating account (1010), statements with lines, a rule, a reconciliation, a match."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.banking.models import (
    BankAccount,
    BankRule,
    BankTransaction,
    CsvProfile,
    Match,
    MatchLine,
    Reconciliation,
    Statement,
)
from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.models import Account, Fund
from ifm.tenancy.models import Organization


def bank_account(org: Organization, *, name: str = "", number: str = "1010") -> BankAccount:
    chart_create_from_template(organization=org)
    with org_context(org):
        existing = BankAccount.objects.filter(ledger_account__number=number).first()
        if existing is not None:
            return existing
        return BankAccount.objects.create(
            organization=org,
            name=name or f"Operating ({org.slug})",
            institution="First Community Bank",
            account_last_digits="4321",
            ledger_account=Account.objects.get(number=number),
            default_fund=Fund.objects.get(is_general=True),
            currency=org.currency,
        )


def statement_with_lines(
    org: Organization,
    account: BankAccount | None = None,
    lines: list[tuple[date, Decimal, str]] | None = None,
) -> Statement:
    account = account or bank_account(org)
    lines = lines or [(date.today() - timedelta(days=1), Decimal("-12.34"), "Coffee Co")]
    with org_context(org):
        statement = Statement.objects.create(
            organization=org,
            bank_account=account,
            format="csv",
            filename="statement.csv",
            sha256=hashlib.sha256(repr(lines).encode()).hexdigest(),
            line_count=len(lines),
            imported_count=len(lines),
        )
        n = BankTransaction.objects.filter(bank_account=account).count()
        for i, (on, amount, payee) in enumerate(lines, start=n):
            BankTransaction.objects.create(
                organization=org,
                bank_account=account,
                statement=statement,
                date=on,
                amount=amount,
                payee=payee,
                identity=f"test:{i}",
            )
        return statement


def bank_transaction(org: Organization) -> BankTransaction:
    statement = statement_with_lines(org)
    with org_context(org):
        return BankTransaction.objects.filter(statement=statement).first()  # type: ignore[return-value]


def csv_profile(org: Organization) -> CsvProfile:
    with org_context(org):
        return CsvProfile.objects.create(
            organization=org,
            name=f"Profile of {org.slug}",
            date_column="Date",
            date_format="%d/%m/%Y",
            amount_column="Amount",
            payee_column="Description",
        )


def bank_rule(org: Organization) -> BankRule:
    account = bank_account(org)
    with org_context(org):
        return BankRule.objects.create(
            organization=org,
            name=f"Bank fees of {org.slug}",
            payee_contains="service charge",
            direction="out",
            account=Account.objects.get(number="8590"),
            bank_account=account,
        )


def reconciliation(org: Organization) -> Reconciliation:
    account = bank_account(org)
    with org_context(org):
        return Reconciliation.objects.create(
            organization=org,
            bank_account=account,
            statement_date=date.today(),
            statement_balance=Decimal("0.00"),
        )


def match(org: Organization, journal_line: Any = None) -> Match:
    account = bank_account(org)
    with org_context(org):
        made = Match.objects.create(organization=org, bank_account=account, cleared_on=date.today())
        if journal_line is not None:
            MatchLine.objects.create(organization=org, match=made, journal_line=journal_line)
        return made
