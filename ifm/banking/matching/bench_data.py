"""Data for the matching benchmarks: a bank account with `ledger_lines` unmatched ledger lines
on its cash account and `bank_lines` unmatched bank lines, made in bulk.

Ledger rows go through the ledger's bulk posting (`post_entries`: every entry checked, numbered
and audited as any import); bank lines are written column-wise (`insert_columns`) under one
statement. The data is deterministic (a seeded generator) and shaped like a busy account over
two years: most bank lines have a ledger line of the same amount within a few days (some
with check numbers on both sides), some are deposits of several gifts of one day, some
withdrawals the books do not have yet (fees), the rest of the ledger lines are outstanding.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.core.bulk import insert_columns
from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.journal.posting import EntryInput, LineInput, post_entries
from ifm.ledger.models import Account, Fund
from ifm.tenancy.models import Organization

DAYS = 730
PAYEES = [
    "Office Depot",
    "City Water",
    "Pacific Power",
    "Ace Printing",
    "Green Grocers",
    "Harbor Rentals",
    "Blue Sky Catering",
    "Metro Transit",
]
DONORS = ["Ana Reyes", "Ben Okafor", "Chen Li", "Dana Smith", "Eli Cohen", "Fay Nguyen"]


@dataclass(frozen=True)
class Built:
    bank_account: BankAccount
    ledger_lines: int
    bank_lines: int


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def build(
    org: Organization,
    bank_lines: int = 10_000,
    ledger_lines: int = 100_000,
    *,
    start: date | None = None,
    seed: int = 7,
) -> Built:
    """Create the bank account (on 1010) and its rows, over the two years up to the end of
    this one (the fiscal years the ledger lets one start), in one transaction."""
    start = start or date(date.today().year - 1, 1, 1)
    rng = random.Random(seed)  # noqa: S311 (deterministic sample data, not secrets)
    chart_create_from_template(organization=org)
    with org_context(org), transaction.atomic():
        cash = Account.objects.get(number="1010")
        revenue = Account.objects.get(number="4010")
        expense = Account.objects.get(number="8110")
        fund = Fund.objects.get(is_general=True)
        account = BankAccount.objects.filter(ledger_account=cash).first() or (
            BankAccount.objects.create(
                organization=org,
                name="Operating (benchmark)",
                institution="First Community Bank",
                account_last_digits="4321",
                ledger_account=cash,
                default_fund=fund,
                currency=org.currency,
            )
        )
        entries: list[EntryInput] = []
        bank: list[tuple[date, Decimal, str, str, str]] = []
        check = 1000

        def entry(on: date, amount: Decimal, memo: str, reference: str = "") -> None:
            if amount > 0:
                lines = [
                    LineInput(cash, fund, debit=amount, memo=memo),
                    LineInput(revenue, fund, credit=amount, memo=memo),
                ]
            else:
                lines = [
                    LineInput(cash, fund, credit=-amount, memo=memo),
                    LineInput(expense, fund, debit=-amount, function="program", memo=memo),
                ]
            entries.append(EntryInput(date=on, lines=lines, memo=memo, reference=reference))

        # Bank lines first, each with what the books hold for it.
        for _ in range(bank_lines):
            # A month's margin each side: the books' side of a line may be weeks earlier.
            on = start + timedelta(days=30 + rng.randrange(DAYS - 60))
            kind = rng.random()
            if kind < 0.45:  # a gift deposited on its own, a day or two before the bank has it
                donor = rng.choice(DONORS)
                amount = _cents(rng, 10, 2000)
                entry(on - timedelta(days=rng.randint(0, 3)), amount, f"Gift from {donor}")
                bank.append((on, amount, "DEPOSIT", f"Mobile deposit {donor}", ""))
            elif kind < 0.75:  # a payment by check, cleared up to three weeks later
                check += 1
                payee = rng.choice(PAYEES)
                amount = -_cents(rng, 20, 5000)
                entry(on - timedelta(days=rng.randint(1, 21)), amount, f"{payee} by check {check}")
                bank.append((on, amount, f"CHECK {check}", "", str(check)))
            elif kind < 0.85:  # a card or transfer payment, named the bank's way
                payee = rng.choice(PAYEES)
                amount = -_cents(rng, 5, 800)
                entry(on - timedelta(days=rng.randint(0, 2)), amount, f"Payment: {payee}")
                bank.append((on, amount, f"POS {payee.upper()} #{rng.randint(100, 999)}", "", ""))
            elif kind < 0.95:  # one deposit of a day's gifts
                gifts = [_cents(rng, 10, 300) for _ in range(rng.randint(2, 4))]
                day = on - timedelta(days=1)
                for amount in gifts:
                    entry(day, amount, f"Gift from {rng.choice(DONORS)}")
                bank.append((on, sum(gifts, Decimal(0)), "DEPOSIT", "Branch deposit", ""))
            else:  # a fee the books do not have yet
                bank.append((on, -_cents(rng, 1, 40), "SERVICE CHARGE", "Monthly fee", ""))
        # The rest of the ledger: outstanding deposits and payments.
        while len(entries) < ledger_lines:
            on = start + timedelta(days=rng.randrange(DAYS))
            if rng.random() < 0.6:
                entry(on, _cents(rng, 5, 1500), f"Gift from {rng.choice(DONORS)}")
            else:
                entry(on, -_cents(rng, 5, 3000), f"Payment: {rng.choice(PAYEES)}")
        post_entries(organization=org, actor=None, entries=entries[:ledger_lines])
        statement = Statement.objects.create(
            organization=org,
            bank_account=account,
            format="csv",
            filename="benchmark.csv",
            sha256=hashlib.sha256(f"bench-{seed}-{bank_lines}".encode()).hexdigest(),
            line_count=len(bank),
            imported_count=len(bank),
        )
        taken = BankTransaction.objects.filter(bank_account=account).count()
        insert_columns(
            BankTransaction,
            {
                "organization_id": org.pk,
                "bank_account_id": account.pk,
                "statement_id": statement.pk,
                "date": [row[0] for row in bank],
                "amount": [row[1] for row in bank],
                "payee": [row[2] for row in bank],
                "memo": [row[3] for row in bank],
                "reference": [row[4] for row in bank],
                "identity": [f"bench:{seed}:{taken + i}" for i in range(len(bank))],
            },
            len(bank),
        )
    made = min(len(entries), ledger_lines)
    return Built(bank_account=account, ledger_lines=made, bank_lines=len(bank))
