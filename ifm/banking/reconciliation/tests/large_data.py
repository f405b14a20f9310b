"""A test-only builder of a large bank account: N ledger lines on its cash account, N bank lines,
almost all matched one to one, monthly reconciliations finished up to the month before the
last, and the last month's reconciliation in progress.

Rows are written column-wise (`ifm.core.bulk.insert_columns`, one INSERT per 20,000 rows on
PostgreSQL) inside the test's transaction, which is never committed, so the ledger's deferred
balance checks never run. Every entry balances all the same (cash against one other account).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from ifm.banking.models import (
    BankAccount,
    BankTransaction,
    Match,
    MatchLine,
    Reconciliation,
    Statement,
)
from ifm.banking.reconciliation import selectors
from ifm.core.bulk import insert_columns, reserve_ids
from ifm.core.org_context import org_context
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine, LedgerCounter, Period
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.tenancy.db import owner_role
from ifm.tenancy.models import Organization

FIRST_DAY = date(2023, 1, 1)
LAST_DAY = date(2025, 12, 31)


@dataclass
class LargeAccount:
    account: BankAccount
    open_reconciliation: Reconciliation
    ledger_lines: int
    bank_lines: int
    outstanding: int
    unmatched_bank: int


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _finish_as_is(rec: Reconciliation) -> None:
    """Finish a reconciliation at its figures, whatever the difference (test data), keeping
    what it leaves outstanding as the service does."""
    state = selectors.reconciliation_state(rec, full=True)
    f = state.figures
    Reconciliation.objects.filter(pk=rec.pk).update(
        status=Reconciliation.Status.FINISHED,
        statement_balance=f.book_balance - f.deposits_in_transit + f.outstanding_payments,
        book_balance=f.book_balance,
        cleared_balance=f.cleared_balance,
        deposits_in_transit=f.deposits_in_transit,
        outstanding_payments=f.outstanding_payments,
        outstanding_line_ids=state.outstanding_ids(),
        uncleared_bank_line_ids=selectors.uncleared_bank_ids(rec),
        ledger_watermark=LedgerCounter.objects.get().next_entry_number,
        finished_at=timezone.now(),
    )


def build(
    org: Organization,
    account: BankAccount,
    n: int = 100_000,
    *,
    seed: int = 7,
    reconciled: bool = True,
) -> LargeAccount:
    """`reconciled=False`: every line matched but none reconciled yet (the account's first
    reconciliation, computed from the whole history)."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    with org_context(org):
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
            fiscal_year_ensure(organization=org, on=date(year, 6, 1))
        periods = {(p.start_date.year, p.start_date.month): p.pk for p in Period.objects.all()}
        cash = account.ledger_account_id
        revenue = Account.objects.get(number="5490").pk
        expense = Account.objects.get(number="8590").pk
        fund = Fund.objects.get(is_general=True).pk

        days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in range(n))
        amounts = [
            Decimal(rng.randrange(100, 500_000)) / 100 * (1 if rng.random() < 0.45 else -1)
            for _ in range(n)
        ]
        # Outstanding: most in the last month, a few old checks nobody cashed.
        last_month = [i for i, d in enumerate(days) if d > LAST_DAY - timedelta(days=20)]
        outstanding = set(rng.sample(last_month, min(250, len(last_month))))
        outstanding |= set(rng.sample(range(n), 50))

        entry_ids = reserve_ids(JournalEntry, n)
        counter = LedgerCounter.objects.filter().first()
        first_number = counter.next_entry_number if counter else 1
        now = timezone.now()
        insert_columns(
            JournalEntry,
            {
                "id": entry_ids,
                "organization_id": org.pk,
                "number": list(range(first_number, first_number + n)),
                "date": days,
                "memo": [f"Item {i}" for i in range(n)],
                "reference": "",
                "source_type": "manual",
                "source_id": "",
                "reverses_id": None,
                "period_id": [periods[(d.year, d.month)] for d in days],
                "created_by_id": None,
                "created_at": now,
            },
            n,
        )
        LedgerCounter.objects.update_or_create(defaults={"next_entry_number": first_number + n})
        # One reservation for both sides: on SQLite ids are reserved as MAX(id) + 1, so two
        # calls before the insert would hand out the same ids twice.
        line_ids = reserve_ids(JournalLine, 2 * n)
        cash_line_ids, other_line_ids = line_ids[:n], line_ids[n:]
        insert_columns(
            JournalLine,
            {
                "id": cash_line_ids + other_line_ids,
                "organization_id": org.pk,
                "entry_id": entry_ids + entry_ids,
                "account_id": [cash] * n + [revenue if a > 0 else expense for a in amounts],
                "fund_id": fund,
                "program_id": None,
                "function": "",
                "debit": [max(a, 0) for a in amounts] + [max(-a, 0) for a in amounts],
                "credit": [max(-a, 0) for a in amounts] + [max(a, 0) for a in amounts],
                "memo": "",
                "date": days + days,
            },
            2 * n,
        )

        statement = Statement.objects.create(
            bank_account=account,
            format="ofx",
            filename="large.ofx",
            sha256="0" * 64,
            start_date=FIRST_DAY,
            end_date=LAST_DAY,
        )
        matched = [i for i in range(n) if i not in outstanding]
        bank_only = n - len(matched)  # bank lines the books lack (fees), so both sides are n
        bank_days = [min(days[i] + timedelta(days=rng.randrange(5)), LAST_DAY) for i in matched]
        bank_days += [FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in range(bank_only)]
        bank_amounts = [amounts[i] for i in matched]
        bank_amounts += [-Decimal(rng.randrange(100, 3000)) / 100 for _ in range(bank_only)]

        match_ids = reserve_ids(Match, len(matched))
        insert_columns(
            Match,
            {
                "id": match_ids,
                "organization_id": org.pk,
                "bank_account_id": account.pk,
                "via": "manual",
                "cleared_on": bank_days[: len(matched)],
                "rule_id": None,
                "created_by_id": None,
                "created_at": now,
            },
            len(matched),
        )
        insert_columns(
            MatchLine,
            {
                "organization_id": org.pk,
                "match_id": match_ids,
                "journal_line_id": [cash_line_ids[i] for i in matched],
            },
            len(matched),
        )
        # Monthly reconciliations, finished up to the month before the last.
        month_ends = []
        day = FIRST_DAY
        while day <= LAST_DAY:
            month_ends.append(_month_end(day))
            day = month_ends[-1] + timedelta(days=1)
        # Every month's reconciliation but the last two is finished (without what it left
        # outstanding: the next one starts from November's); November's is finished below.
        finished = [
            Reconciliation(
                organization=org,
                bank_account=account,
                statement_date=end,
                statement_balance=Decimal(0),
                book_balance=Decimal(0),
                cleared_balance=Decimal(0),
                status=Reconciliation.Status.FINISHED,
                finished_at=now,
                books_from=FIRST_DAY,
            )
            for end in month_ends[:-2]
        ]
        finished.append(
            Reconciliation(
                organization=org,
                bank_account=account,
                statement_date=month_ends[-2],
                statement_balance=Decimal(0),
                books_from=FIRST_DAY,
            )
        )
        if not reconciled:
            finished = []
        Reconciliation.objects.bulk_create(finished)
        by_month = {(r.statement_date.year, r.statement_date.month): r for r in finished}
        rec_ids = {key: r.pk for key, r in by_month.items()}
        statuses, recs = [], []
        for i, on in enumerate(bank_days):
            rec_id = rec_ids.get((on.year, on.month)) if i < len(matched) else None
            statuses.append(
                "reconciled" if rec_id else ("matched" if i < len(matched) else "unmatched")
            )
            recs.append(rec_id)
        total = len(bank_days)
        insert_columns(
            BankTransaction,
            {
                "organization_id": org.pk,
                "bank_account_id": account.pk,
                "statement_id": statement.pk,
                "date": bank_days,
                "amount": bank_amounts,
                "payee": [f"Payee {i % 997}" for i in range(total)],
                "memo": "",
                "reference": "",
                "kind": "",
                "bank_id": "",
                "identity": [f"large:{i}" for i in range(total)],
                "running_balance": None,
                "status": statuses,
                "match_id": match_ids + [None] * bank_only,
                "reconciliation_id": recs,
                "created_at": now,
            },
            total,
        )
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would have them for committed data (ANALYZE
            # is the owner's to run).
            with owner_role(), connection.cursor() as cursor:
                for table in (
                    "ledger_journalline",
                    "ledger_journalentry",
                    "banking_banktransaction",
                    "banking_match",
                    "banking_matchline",
                    "banking_reconciliation",
                ):
                    cursor.execute(f"ANALYZE {table}")
        if finished:
            _finish_as_is(finished[-1])
        open_rec = Reconciliation.objects.create(
            organization=org,
            bank_account=account,
            statement_date=LAST_DAY,
            statement_balance=Decimal("1000.00"),
        )
        return LargeAccount(
            account=account,
            open_reconciliation=open_rec,
            ledger_lines=n,
            bank_lines=total,
            outstanding=len(outstanding),
            unmatched_bank=bank_only,
        )
