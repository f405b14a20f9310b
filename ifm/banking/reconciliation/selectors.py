"""Reconciliation figures and the items behind them, computed set-based.

For a bank account and a statement date D:

* book balance: debits minus credits of the bank account's ledger (cash) account dated on or
  before D, all funds;
* cleared: a ledger line is cleared at D when it is in a match whose bank lines all are dated
  on or before D (`Match.cleared_on <= D`). For a finished reconciliation, only the matches it
  or an earlier reconciliation reconciled count, so its report stays what it was when finished;
* outstanding: ledger lines dated on or before D (and not before `books_from`) that are not
  cleared: debits are deposits in transit, credits outstanding payments;
* adjusted bank balance = statement balance + deposits in transit - outstanding payments, and
  difference = adjusted bank balance - book balance (cleared balance = book balance - deposits
  in transit + outstanding payments, so difference = statement balance - cleared balance too);
* not cleared on the statement: bank lines dated on or before D that are in no match cleared at
  D. They explain a difference and need an entry (the matching page makes one).

Each figure is one aggregate over indexed ranges: the ledger lines of one account up to D,
joined once (hash join) to the match lines cleared at D. Nothing runs per row, so 100,000 lines
cost one scan, never 100,000 probes. The lists are pages of the same sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Min, QuerySet

from ifm.banking.models import BankAccount, BankTransaction, Reconciliation, Statement

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PAGE = 50


def money(value: Any) -> Decimal:
    """A sum from the database as two-decimal money (SQLite sums numeric columns as floats)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Figures:
    statement_date: date
    statement_balance: Decimal
    book_balance: Decimal
    deposits_in_transit: Decimal
    deposits_in_transit_count: int
    # Outstanding checks and payments, as a positive amount.
    outstanding_payments: Decimal
    outstanding_payments_count: int
    # Bank lines this reconciliation clears (while open: those finishing will lock).
    cleared_count: int
    cleared_total: Decimal
    # Bank lines on the statement (dated on or before D) in no match cleared at D.
    unmatched_bank_count: int
    unmatched_bank_total: Decimal
    books_from: date | None

    @property
    def adjusted_bank_balance(self) -> Decimal:
        return self.statement_balance + self.deposits_in_transit - self.outstanding_payments

    @property
    def cleared_balance(self) -> Decimal:
        return self.book_balance - self.deposits_in_transit + self.outstanding_payments

    @property
    def difference(self) -> Decimal:
        return self.adjusted_bank_balance - self.book_balance

    @property
    def outstanding_count(self) -> int:
        return self.deposits_in_transit_count + self.outstanding_payments_count

    @property
    def balanced(self) -> bool:
        return self.difference == ZERO


# --- Queries ---------------------------------------------------------------------------------

# The ledger lines cleared at D: one join of the account's matches cleared by D (index on
# organization, bank_account, cleared_on) to their match lines. A finished reconciliation
# counts only matches whose bank lines it or an earlier one reconciled.
_CLEARED = """
SELECT ml.journal_line_id AS id
  FROM banking_match m
  JOIN banking_matchline ml ON ml.match_id = m.id
 WHERE m.organization_id = %(org)s AND m.bank_account_id = %(bank)s
   AND m.cleared_on <= %(d)s
   {finished}
"""
_FINISHED_ONLY = """
   AND EXISTS (SELECT 1 FROM banking_banktransaction rb
                WHERE rb.match_id = m.id AND rb.reconciliation_id <= %(rec)s)
"""

# Ledger lines of the account up to D, each marked outstanding or not: a LEFT JOIN that the
# planner runs as one hash join (never a probe per line). A finished reconciliation leaves
# out entries posted after it was finished (backdated ones), as they were not there.
_LINES = """
SELECT jl.id, jl.date, jl.debit, jl.credit, jl.entry_id,
       (c.id IS NULL AND jl.date >= %(since)s) AS outstanding
  FROM ledger_journalline jl
  LEFT JOIN ({cleared}) c ON c.id = jl.id{posted}
 WHERE jl.organization_id = %(org)s AND jl.account_id = %(account)s AND jl.date <= %(d)s
"""

_POSTED_BY_FINISH = """
  JOIN ledger_journalentry pe ON pe.id = jl.entry_id AND pe.created_at <= %(finished_at)s"""

_LEDGER_TOTALS = """
SELECT COALESCE(SUM(l.debit - l.credit), 0),
       COALESCE(SUM(CASE WHEN l.outstanding THEN l.debit END), 0),
       COUNT(CASE WHEN l.outstanding AND l.debit > 0 THEN 1 END),
       COALESCE(SUM(CASE WHEN l.outstanding THEN l.credit END), 0),
       COUNT(CASE WHEN l.outstanding AND l.credit > 0 THEN 1 END)
  FROM ({lines}) l
"""

# Bank lines on the statement not cleared at D: unmatched ones (index on organization,
# bank_account, status, date) and matched ones whose match clears after D (index on
# organization, bank_account, cleared_on). Both ranges are small; reconciled lines never are.
_NOT_CLEARED_OPEN = """
SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
  FROM banking_banktransaction b
 WHERE b.organization_id = %(org)s AND b.bank_account_id = %(bank)s
   AND b.status = 'unmatched' AND b.date <= %(d)s
UNION ALL
SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
  FROM banking_match m
  JOIN banking_banktransaction b ON b.match_id = m.id
 WHERE m.organization_id = %(org)s AND m.bank_account_id = %(bank)s
   AND m.cleared_on > %(d)s AND b.date <= %(d)s
"""
# A finished reconciliation: lines on its statement, imported by the time it was finished,
# that neither it nor an earlier one reconciled.
_NOT_CLEARED_FINISHED = """
SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
  FROM banking_banktransaction b
 WHERE b.organization_id = %(org)s AND b.bank_account_id = %(bank)s AND b.date <= %(d)s
   AND (b.reconciliation_id IS NULL OR b.reconciliation_id > %(rec)s)
   AND b.created_at <= %(finished_at)s
"""

# Bank lines this reconciliation clears: while open, the matched (not yet reconciled) lines
# dated by D whose match clears by D; once finished, the lines it reconciled.
_TO_CLEAR = """
SELECT COUNT(*), COALESCE(SUM(b.amount), 0)
  FROM banking_banktransaction b
  JOIN banking_match m ON m.id = b.match_id
 WHERE b.organization_id = %(org)s AND b.bank_account_id = %(bank)s
   AND b.status = 'matched' AND b.date <= %(d)s AND m.cleared_on <= %(d)s
"""
_CLEARED_BY = """
SELECT COUNT(*), COALESCE(SUM(b.amount), 0)
  FROM banking_banktransaction b
 WHERE b.organization_id = %(org)s AND b.reconciliation_id = %(rec)s
"""


def _fetchall(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _finished(rec: Reconciliation) -> bool:
    return rec.status == Reconciliation.Status.FINISHED


def _params(rec: Reconciliation, books_from: date | None) -> dict[str, Any]:
    bank = rec.bank_account
    return {
        "org": rec.organization_id,
        "bank": bank.pk,
        "account": bank.ledger_account_id,
        "d": rec.statement_date,
        "rec": rec.pk or 0,
        "since": books_from or date.min,
        "finished_at": rec.finished_at,
    }


def _lines_sql(rec: Reconciliation) -> str:
    finished = _finished(rec)
    cleared = _CLEARED.format(finished=_FINISHED_ONLY if finished else "")
    return _LINES.format(cleared=cleared, posted=_POSTED_BY_FINISH if finished else "")


def books_from_for(bank_account: BankAccount, *, before: Reconciliation | None = None) -> date | None:
    """The day the bank's own records begin for this account: the first statement's start (or
    its first line). Ledger lines before it are in the statement's opening balance. Once a
    reconciliation is finished its day is kept, so importing an older statement later changes
    no finished reconciliation and no later one."""
    earlier = Reconciliation.objects.filter(
        bank_account=bank_account,
        status=Reconciliation.Status.FINISHED,
        books_from__isnull=False,
    )
    if before is not None and before.pk:
        earlier = earlier.filter(pk__lt=before.pk)
    kept = earlier.order_by("pk").values_list("books_from", flat=True).first()
    if kept is not None:
        return kept
    starts = [
        Statement.objects.filter(bank_account=bank_account).aggregate(d=Min("start_date"))["d"],
        BankTransaction.objects.filter(bank_account=bank_account).aggregate(d=Min("date"))["d"],
    ]
    found = [d for d in starts if d is not None]
    return min(found) if found else None


def reconciliation_books_from(rec: Reconciliation) -> date | None:
    """The day set when it was started (or kept when finished), else the account's default."""
    if rec.books_from is not None:
        return rec.books_from
    return books_from_for(rec.bank_account, before=rec)


def reconciliation_figures(rec: Reconciliation) -> Figures:
    """The figures of a reconciliation: live while open, as finished once finished."""
    books_from = reconciliation_books_from(rec)
    params = _params(rec, books_from)
    finished = _finished(rec)
    ((book, dit, dit_n, op, op_n),) = _fetchall(
        _LEDGER_TOTALS.format(lines=_lines_sql(rec)), params
    )
    not_cleared = _NOT_CLEARED_FINISHED if finished else _NOT_CLEARED_OPEN
    ((bank_n, bank_total),) = _fetchall(
        f"SELECT COUNT(*), COALESCE(SUM(x.amount), 0) FROM ({not_cleared}) x",  # noqa: S608
        params,
    )
    ((clear_n, clear_total),) = _fetchall(_CLEARED_BY if finished else _TO_CLEAR, params)
    if finished and rec.book_balance is not None:
        # The figures stored when it was finished are the record; the lists are their items.
        book = rec.book_balance
        if rec.deposits_in_transit is not None and rec.outstanding_payments is not None:
            dit, op = rec.deposits_in_transit, rec.outstanding_payments
    return Figures(
        statement_date=rec.statement_date,
        statement_balance=money(rec.statement_balance),
        book_balance=money(book),
        deposits_in_transit=money(dit),
        deposits_in_transit_count=int(dit_n),
        outstanding_payments=money(op),
        outstanding_payments_count=int(op_n),
        cleared_count=int(clear_n),
        cleared_total=money(clear_total),
        unmatched_bank_count=int(bank_n),
        unmatched_bank_total=money(bank_total),
        books_from=books_from,
    )


# --- The items behind the figures -------------------------------------------------------------

_ITEMS = """
SELECT l.id, l.date, je.number, je.reference, je.memo, jl.memo, l.debit, l.credit, je.id
  FROM ({lines}) l
  JOIN ledger_journalentry je ON je.id = l.entry_id
  JOIN ledger_journalline jl ON jl.id = l.id
 WHERE l.outstanding AND {side}
 ORDER BY l.date DESC, l.id DESC
"""


@dataclass(frozen=True)
class LedgerItem:
    journal_line_id: int
    date: date
    entry_id: int
    entry_number: int
    reference: str
    memo: str
    amount: Decimal  # signed: deposits positive, payments negative


@dataclass(frozen=True)
class BankItem:
    bank_transaction_id: int
    date: date
    amount: Decimal
    payee: str
    memo: str
    reference: str
    status: str


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def outstanding_items(
    rec: Reconciliation, *, kind: str, limit: int | None = PAGE, offset: int = 0
) -> list[LedgerItem]:
    """Deposits in transit (`kind="deposits"`) or outstanding payments (`"payments"`), newest
    first; `limit=None` for all of them (exports)."""
    side = "l.debit > 0" if kind == "deposits" else "l.credit > 0"
    sql = _ITEMS.format(lines=_lines_sql(rec), side=side)
    params = _params(rec, reconciliation_books_from(rec))
    if limit is not None:
        sql += " LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    return [
        LedgerItem(
            journal_line_id=int(row[0]),
            date=_as_date(row[1]),
            entry_number=int(row[2]),
            reference=row[3] or "",
            memo=row[5] or row[4] or "",
            amount=money(row[6]) - money(row[7]),
            entry_id=int(row[8]),
        )
        for row in _fetchall(sql, params)
    ]


def not_cleared_bank_items(
    rec: Reconciliation, *, limit: int | None = PAGE, offset: int = 0
) -> list[BankItem]:
    """Bank lines on the statement that no match clears at its date, newest first."""
    not_cleared = _NOT_CLEARED_FINISHED if _finished(rec) else _NOT_CLEARED_OPEN
    sql = f"SELECT * FROM ({not_cleared}) x ORDER BY x.date DESC, x.id DESC"  # noqa: S608
    params = _params(rec, None)
    if limit is not None:
        sql += " LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    return [
        BankItem(
            bank_transaction_id=int(row[0]),
            date=_as_date(row[1]),
            amount=money(row[2]),
            payee=row[3] or "",
            memo=row[4] or "",
            reference=row[5] or "",
            status=row[6],
        )
        for row in _fetchall(sql, params)
    ]


# --- Lists of reconciliations -----------------------------------------------------------------


def reconciliation_list(
    *, bank_account: BankAccount | None = None, status: str = ""
) -> QuerySet[Reconciliation]:
    qs = Reconciliation.objects.select_related("bank_account", "finished_by", "created_by")
    if bank_account is not None:
        qs = qs.filter(bank_account=bank_account)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-statement_date", "-id")


def reconciliation_get(reconciliation_id: int) -> Reconciliation | None:
    return (
        Reconciliation.objects.select_related(
            "bank_account", "bank_account__ledger_account", "finished_by", "created_by"
        )
        .filter(pk=reconciliation_id)
        .first()
    )


def latest_finished(bank_account: BankAccount) -> Reconciliation | None:
    return (
        Reconciliation.objects.filter(
            bank_account=bank_account, status=Reconciliation.Status.FINISHED
        )
        .order_by("-statement_date", "-id")
        .first()
    )


def open_reconciliation(bank_account: BankAccount) -> Reconciliation | None:
    return Reconciliation.objects.filter(
        bank_account=bank_account, status=Reconciliation.Status.OPEN
    ).first()
