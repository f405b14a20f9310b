"""Reconciliation figures and the items behind them, computed set-based.

For a bank account and a statement date D:

* book balance: debits minus credits of the bank account's ledger (cash) account dated on or
  before D, all funds;
* cleared: a ledger line is cleared at D when it is in a match whose bank lines all are dated
  on or before D (`Match.cleared_on <= D`);
* outstanding: ledger lines dated on or before D (and not before `books_from`, the day the
  bank's records begin) that are not cleared: debits are deposits in transit, credits
  outstanding payments;
* adjusted bank balance = statement balance + deposits in transit - outstanding payments, and
  difference = adjusted bank balance - book balance (cleared balance = book balance - deposits
  in transit + outstanding payments, so difference = statement balance - cleared balance too);
* not cleared on the statement: bank lines dated on or before D that are in no match cleared at
  D. They explain a difference and need an entry (the matching page makes one).

How it stays fast with years of history: finishing a reconciliation locks every match it
cleared, and ledger lines never change, so what it left outstanding (kept as
`outstanding_line_ids`) is all of the history before its date that can still be outstanding.
The next reconciliation looks only at those lines, the lines dated after that date and the
entries posted since (numbered from `ledger_watermark` on), each probed once through the
unique index on match lines; its book balance is the last one's plus those lines. The first
reconciliation of an account has no such start: one aggregate over the account's lines joined
once (a hash join) to its cleared match lines. Nothing runs per row of the whole history.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, QuerySet

from ifm.banking import months
from ifm.banking.models import (
    BankAccount,
    BankTransaction,
    LineStatus,
    Reconciliation,
    Statement,
)
from ifm.ledger.balances.selectors import account_sides

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PAGE = 50


def money(value: Any) -> Decimal:
    """A sum from the database as two-decimal money (SQLite sums numeric columns as floats)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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


# --- SQL ----------------------------------------------------------------------------------------


def _fetchall(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _in_ids(column: str, name: str) -> str:
    """`column` is one of the ids in parameter `name` (see _ids_param)."""
    # Column and parameter names are this module's constants; the ids travel as a parameter.
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%({name})s::bigint[])"
    return f"{column} IN (SELECT value FROM json_each(%({name})s))"  # noqa: S608


def _ids_param(ids: Sequence[int]) -> Any:
    return list(ids) if connection.vendor == "postgresql" else json.dumps(list(ids))


_NOT_CLEARED_AT_D = """
NOT EXISTS (SELECT 1 FROM banking_matchline ml JOIN banking_match m ON m.id = ml.match_id
             WHERE ml.organization_id = %(org)s AND ml.journal_line_id = c.id
               AND m.cleared_on <= %(d)s)
"""

# The first reconciliation has no finished one to start from. Its figures are aggregates, never
# the lines themselves: the account's debits and credits up to D (the book balance) and from
# `books_from` (the ledger's stored monthly balances, the edges from the lines), the lines of
# that range counted (an index-only scan of the covering index), less the lines cleared at D
# (the lines in a match, a join from the match lines: none in an account never matched). A
# ledger line is in at most one match, so a line is cleared exactly when its match is not one
# of this bank account's clearing after D.
_COUNTS = """
SELECT COUNT(CASE WHEN jl.debit > 0 THEN 1 END), COUNT(CASE WHEN jl.credit > 0 THEN 1 END)
  FROM ledger_journalline jl
 WHERE jl.organization_id = %(org)s AND jl.account_id = %(account)s
   AND jl.date <= %(d)s AND jl.date >= %(since)s
"""
_CLEARED_AT_D = """
SELECT {debit}, {credit},
       COUNT(CASE WHEN jl.debit > 0 THEN 1 END), COUNT(CASE WHEN jl.credit > 0 THEN 1 END)
  FROM banking_matchline ml
  JOIN banking_match m ON m.id = ml.match_id
  JOIN ledger_journalline jl ON jl.id = ml.journal_line_id
 WHERE ml.organization_id = %(org)s AND jl.organization_id = %(org)s
   AND jl.account_id = %(account)s AND jl.date <= %(d)s AND jl.date >= %(since)s
   AND NOT (m.bank_account_id = %(bank)s AND m.cleared_on > %(d)s)
"""
# Its items, a page at a time, newest first: a range of the index on (organization, account,
# date), each line probed once through the unique index on match lines.
_OUTSTANDING_FIRST = """
SELECT jl.id, jl.date, jl.debit, jl.credit
  FROM ledger_journalline jl
 WHERE jl.organization_id = %(org)s AND jl.account_id = %(account)s
   AND jl.date <= %(d)s AND jl.date >= %(since)s AND {side}
   AND NOT EXISTS (SELECT 1 FROM banking_matchline ml JOIN banking_match m ON m.id = ml.match_id
                    WHERE ml.organization_id = %(org)s AND ml.journal_line_id = jl.id
                      AND NOT (m.bank_account_id = %(bank)s AND m.cleared_on > %(d)s))
 ORDER BY jl.date DESC, jl.id DESC
"""
_OUTSTANDING_FIRST_DETAILS = """
SELECT jl.id, jl.date, je.number, je.reference, je.memo, jl.memo, jl.debit, jl.credit, je.id
  FROM ({lines} LIMIT %(limit)s OFFSET %(offset)s) o
  JOIN ledger_journalline jl ON jl.id = o.id
  JOIN ledger_journalentry je ON je.id = jl.entry_id
 ORDER BY jl.date DESC, jl.id DESC
"""
_SIDES = {"deposits": "jl.debit > 0", "payments": "jl.credit > 0", None: "1 = 1"}

# Later reconciliations: the candidates are what the last finished one (at base_d) left
# outstanding, and what was added to the book balance since: the lines dated after base_d and
# lines dated by base_d of entries posted since it was finished (numbered from the watermark).
_SINCE_BASE = """
SELECT jl.id, jl.date, jl.debit, jl.credit
  FROM ledger_journalline jl
 WHERE jl.organization_id = %(org)s AND jl.account_id = %(account)s
   AND jl.date > %(base_d)s AND jl.date <= %(d)s
UNION ALL
SELECT jl.id, jl.date, jl.debit, jl.credit
  FROM ledger_journalentry je
  JOIN ledger_journalline jl ON jl.entry_id = je.id
 WHERE je.organization_id = %(org)s AND je.number >= %(watermark)s
   AND jl.account_id = %(account)s AND jl.date <= %(base_d)s
"""
_CANDIDATES = (
    """
SELECT jl.id, jl.date, jl.debit, jl.credit
  FROM ledger_journalline jl
 WHERE jl.organization_id = %(org)s AND {old_ids}
UNION ALL
"""
    + _SINCE_BASE
)
# Each candidate is probed once through the match lines' index: a few thousand probes for a
# month of lines, whatever the length of the history.
_OUTSTANDING_FROM_BASE = f"""
SELECT c.id, c.date, c.debit, c.credit
  FROM ({_CANDIDATES}) c
 WHERE c.date <= %(d)s AND c.date >= %(since)s AND {_NOT_CLEARED_AT_D}
"""  # noqa: S608
_BOOK_SINCE_BASE = f"SELECT COALESCE(SUM(c.debit - c.credit), 0) FROM ({_SINCE_BASE}) c"  # noqa: S608

# Bank lines on the statement not cleared at D: unmatched ones (index on organization,
# bank_account, status, date) and matched ones whose match clears after D (index on
# organization, bank_account, cleared_on). Both ranges are small; reconciled lines are in
# neither.
_UNMATCHED_BY_D = """
SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
  FROM banking_banktransaction b
 WHERE b.organization_id = %(org)s AND b.bank_account_id = %(bank)s
   AND b.status = 'unmatched' AND b.date <= %(d)s
"""
_CLEARING_LATER = """
SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
  FROM banking_match m
  JOIN banking_banktransaction b ON b.match_id = m.id
 WHERE m.organization_id = %(org)s AND m.bank_account_id = %(bank)s
   AND m.cleared_on > %(d)s AND b.date <= %(d)s
"""
_NOT_CLEARED_BANK = _UNMATCHED_BY_D + "UNION ALL" + _CLEARING_LATER

# A page of them, newest first: each range read newest first up to the page's end, so no sort
# of every line (SQLite wants a compound's ORDER BY and LIMIT inside a subquery).
_NOT_CLEARED_BANK_PAGE = """
SELECT * FROM (
  SELECT * FROM (
    SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
      FROM banking_banktransaction b
     WHERE b.organization_id = %(org)s AND b.bank_account_id = %(bank)s
       AND b.status = 'unmatched' AND b.date <= %(d)s
     ORDER BY b.date DESC, b.id DESC LIMIT %(upto)s) u
  UNION ALL
  SELECT * FROM (
    SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
      FROM banking_match m
      JOIN banking_banktransaction b ON b.match_id = m.id
     WHERE m.organization_id = %(org)s AND m.bank_account_id = %(bank)s
       AND m.cleared_on > %(d)s AND b.date <= %(d)s
     ORDER BY b.date DESC, b.id DESC LIMIT %(upto)s) l
) x
 ORDER BY x.date DESC, x.id DESC LIMIT %(limit)s OFFSET %(offset)s
"""

# Bank lines this reconciliation clears: while open, the matched (not yet reconciled) lines
# dated by D (the kept totals per month) less those whose match clears after D (index on
# organization, bank_account, cleared_on); once finished, the lines it reconciled.
_TO_CLEAR_LATER = """
SELECT COUNT(*)
  FROM banking_match m
  JOIN banking_banktransaction b ON b.match_id = m.id
 WHERE m.organization_id = %(org)s AND m.bank_account_id = %(bank)s
   AND m.cleared_on > %(d)s AND b.status = 'matched' AND b.date <= %(d)s
"""
_CLEARED_BY = """
SELECT COUNT(*)
  FROM banking_banktransaction b
 WHERE b.organization_id = %(org)s AND b.reconciliation_id = %(rec)s
"""

_LEDGER_DETAILS = """
SELECT jl.id, jl.date, je.number, je.reference, je.memo, jl.memo, jl.debit, jl.credit, je.id
  FROM ledger_journalline jl
  JOIN ledger_journalentry je ON je.id = jl.entry_id
 WHERE jl.organization_id = %(org)s AND {ids} AND {side}
 ORDER BY jl.date DESC, jl.id DESC
"""
_BANK_DETAILS = """
SELECT b.id, b.date, b.amount, b.payee, b.memo, b.reference, b.status
  FROM banking_banktransaction b
 WHERE b.organization_id = %(org)s AND {ids}
 ORDER BY b.date DESC, b.id DESC
"""


# --- Where the bank's records begin ------------------------------------------------------------


def books_from_for(
    bank_account: BankAccount, *, before: Reconciliation | None = None
) -> date | None:
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


# --- The state of a reconciliation -------------------------------------------------------------


def _base_for(rec: Reconciliation) -> Reconciliation | None:
    """The last finished reconciliation of the account before this open one, when it kept what
    it left outstanding."""
    return (
        Reconciliation.objects.filter(
            bank_account_id=rec.bank_account_id,
            status=Reconciliation.Status.FINISHED,
            statement_date__lte=rec.statement_date,
            outstanding_line_ids__isnull=False,
            ledger_watermark__isnull=False,
            book_balance__isnull=False,
        )
        .exclude(pk=rec.pk)
        .order_by("-statement_date", "-id")
        .first()
    )


@dataclass
class ReconciliationState:
    """A reconciliation's figures and the items behind them, read once per request."""

    rec: Reconciliation
    figures: Figures
    # Open, from the last finished one: the outstanding ledger lines as (id, date, debit,
    # credit), newest first. None for a first reconciliation: its items are read a page at a
    # time from the database (`first_params`), never all of them for a page.
    outstanding: list[tuple[int, date, Decimal, Decimal]] | None = field(default_factory=list)
    uncleared_bank_ids: list[int] | None = None
    first_params: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.rec.status == Reconciliation.Status.FINISHED

    def outstanding_ids(self, kind: str | None = None) -> list[int]:
        if self.finished:
            return [int(i) for i in self.rec.outstanding_line_ids or []]
        if self.outstanding is None:
            sql = _OUTSTANDING_FIRST.format(side=_SIDES[kind])
            return [int(row[0]) for row in _fetchall(sql, dict(self.first_params or {}))]
        return [
            pk
            for pk, _d, debit, credit in self.outstanding
            if kind is None or (debit > 0 if kind == "deposits" else credit > 0)
        ]

    def items(self, kind: str, *, limit: int | None = PAGE, offset: int = 0) -> list[LedgerItem]:
        """Deposits in transit (`kind="deposits"`) or outstanding payments (`"payments"`),
        newest first; `limit=None` for all of them (exports)."""
        if self.finished:
            ids = self.outstanding_ids()
        elif self.outstanding is None:
            return _first_details(self.first_params or {}, kind, limit=limit, offset=offset)
        else:
            ids = self.outstanding_ids(kind)
            ids = ids[offset : None if limit is None else offset + limit]
            offset, limit = 0, None
        return _ledger_details(self.rec, ids, kind, limit=limit, offset=offset)

    def bank_items(self, *, limit: int | None = PAGE, offset: int = 0) -> list[BankItem]:
        """Bank lines on the statement not cleared at its date, newest first."""
        params = _params(self.rec)
        if self.uncleared_bank_ids is not None:
            sql = _BANK_DETAILS.format(ids=_in_ids("b.id", "ids"))
            params["ids"] = _ids_param(self.uncleared_bank_ids)
            if limit is not None:
                sql += " LIMIT %(limit)s OFFSET %(offset)s"
                params.update(limit=limit, offset=offset)
        elif limit is not None:
            sql = _NOT_CLEARED_BANK_PAGE
            params.update(limit=limit, offset=offset, upto=offset + limit)
        else:
            sql = f"SELECT * FROM ({_NOT_CLEARED_BANK}) x ORDER BY x.date DESC, x.id DESC"  # noqa: S608
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


def _params(rec: Reconciliation, books_from: date | None = None) -> dict[str, Any]:
    bank = rec.bank_account
    return {
        "org": rec.organization_id,
        "bank": bank.pk,
        "account": bank.ledger_account_id,
        "d": rec.statement_date,
        "rec": rec.pk or 0,
        "since": books_from or date.min,
    }


def _ledger_details(
    rec: Reconciliation, ids: list[int], kind: str, *, limit: int | None, offset: int
) -> list[LedgerItem]:
    if not ids:
        return []
    side = "jl.debit > 0" if kind == "deposits" else "jl.credit > 0"
    sql = _LEDGER_DETAILS.format(ids=_in_ids("jl.id", "ids"), side=side)
    params = {"org": rec.organization_id, "ids": _ids_param(ids)}
    if limit is not None:
        sql += " LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    return [_ledger_item(row) for row in _fetchall(sql, params)]


def _ledger_item(row: Sequence[Any]) -> LedgerItem:
    return LedgerItem(
        journal_line_id=int(row[0]),
        date=_as_date(row[1]),
        entry_number=int(row[2]),
        reference=row[3] or "",
        memo=row[5] or row[4] or "",
        amount=money(row[6]) - money(row[7]),
        entry_id=int(row[8]),
    )


def _first_details(
    params: dict[str, Any], kind: str, *, limit: int | None, offset: int
) -> list[LedgerItem]:
    """A page of a first reconciliation's outstanding lines of one side, in full."""
    lines = _OUTSTANDING_FIRST.format(side=_SIDES[kind])
    sql = _OUTSTANDING_FIRST_DETAILS.format(lines=lines)
    # LIMIT ALL is PostgreSQL's, LIMIT -1 SQLite's: "no limit" in the same statement.
    unlimited = -1 if connection.vendor == "sqlite" else None
    wanted = {**params, "limit": unlimited if limit is None else limit, "offset": offset}
    return [_ledger_item(row) for row in _fetchall(sql, wanted)]


def _sums(sql: str, params: dict[str, Any]) -> tuple[Decimal, Decimal, int, int]:
    """Debits and credits summed exactly, and how many lines of each side."""
    if connection.vendor == "postgresql":
        text = sql.format(debit="COALESCE(SUM(jl.debit), 0)", credit="COALESCE(SUM(jl.credit), 0)")
    else:  # SQLite sums decimals as floats: sum whole cents instead.
        text = sql.format(
            debit="COALESCE(SUM(CAST(ROUND(jl.debit * 100) AS INTEGER)), 0)",
            credit="COALESCE(SUM(CAST(ROUND(jl.credit * 100) AS INTEGER)), 0)",
        )
    ((debit, credit, debits, credits),) = _fetchall(text, params)
    if connection.vendor != "postgresql":
        debit, credit = Decimal(int(debit)) / 100, Decimal(int(credit)) / 100
    return money(debit), money(credit), int(debits or 0), int(credits or 0)


@dataclass(frozen=True)
class _Totals:
    book: Decimal
    deposits: Decimal
    deposits_n: int
    payments: Decimal
    payments_n: int


def _first_totals(params: dict[str, Any]) -> _Totals:
    """A first reconciliation's book balance and outstanding totals, by aggregates: the
    account's debits and credits up to D and from `books_from` (whole months from the ledger's
    stored balances), their lines counted on the covering index, less those cleared at D."""
    account, on, since = params["account"], params["d"], params["since"]
    book_debit, book_credit = account_sides(account_id=account, date_to=on)
    debit, credit = (
        account_sides(account_id=account, date_from=since, date_to=on)
        if since > date.min
        else (book_debit, book_credit)
    )
    ((debits, credits),) = _fetchall(_COUNTS, params)
    cleared = _sums(_CLEARED_AT_D, params)
    return _Totals(
        book=book_debit - book_credit,
        deposits=debit - cleared[0],
        deposits_n=int(debits) - cleared[2],
        payments=credit - cleared[1],
        payments_n=int(credits) - cleared[3],
    )


def _outstanding_from_base(
    rec: Reconciliation, base: Reconciliation, books_from: date | None
) -> tuple[list[tuple[int, date, Decimal, Decimal]], Decimal]:
    params = _params(rec, books_from)
    params.update(
        base_d=base.statement_date,
        watermark=base.ledger_watermark,
        old=_ids_param([int(i) for i in base.outstanding_line_ids or []]),
    )
    old_ids = _in_ids("jl.id", "old")
    rows = _fetchall(_OUTSTANDING_FROM_BASE.format(old_ids=old_ids), params)
    ((since_base,),) = _fetchall(_BOOK_SINCE_BASE, params)
    book = money(base.book_balance) + money(since_base)
    lines = [(int(r[0]), _as_date(r[1]), money(r[2]), money(r[3])) for r in rows]
    lines.sort(key=lambda r: (r[1], r[0]), reverse=True)
    return lines, book


def _stored_counts(rec: Reconciliation) -> tuple[int, int]:
    ids = [int(i) for i in rec.outstanding_line_ids or []]
    if not ids:
        return 0, 0
    counts = "COUNT(CASE WHEN jl.debit > 0 THEN 1 END), COUNT(CASE WHEN jl.credit > 0 THEN 1 END)"
    where = f"jl.organization_id = %(org)s AND {_in_ids('jl.id', 'ids')}"
    sql = f"SELECT {counts} FROM ledger_journalline jl WHERE {where}"  # noqa: S608
    ((deposits, payments),) = _fetchall(sql, {"org": rec.organization_id, "ids": _ids_param(ids)})
    return int(deposits), int(payments)


@contextmanager
def _serial_reads() -> Iterator[None]:
    """PostgreSQL: one transaction, without parallel workers. The queries here touch a few
    thousand rows; starting workers costs more than they save (measured: 17 ms instead of
    8 ms for the outstanding lines of a month), and on a busy server they take cores."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def reconciliation_state(rec: Reconciliation, *, full: bool = False) -> ReconciliationState:
    """Figures and items: live while open, as finished once finished. `full` computes an open
    one from the whole history instead of from the last finished one (the same figures)."""
    with _serial_reads():
        return _state(rec, full=full)


def _state(rec: Reconciliation, *, full: bool) -> ReconciliationState:
    books_from = reconciliation_books_from(rec)
    params = _params(rec, books_from)
    finished = rec.status == Reconciliation.Status.FINISHED
    if finished and rec.outstanding_line_ids is not None:
        ((clear_n,),) = _fetchall(_CLEARED_BY, params)
        bank_ids = [int(i) for i in rec.uncleared_bank_line_ids or []]
        bank_total = ZERO
        if bank_ids:
            ((total,),) = _fetchall(
                "SELECT COALESCE(SUM(b.amount), 0) FROM banking_banktransaction b "  # noqa: S608
                f"WHERE b.organization_id = %(org)s AND {_in_ids('b.id', 'ids')}",
                {"org": rec.organization_id, "ids": _ids_param(bank_ids)},
            )
            bank_total = money(total)
        deposits_n, payments_n = _stored_counts(rec)
        figures = Figures(
            statement_date=rec.statement_date,
            statement_balance=money(rec.statement_balance),
            book_balance=money(rec.book_balance),
            deposits_in_transit=money(rec.deposits_in_transit),
            deposits_in_transit_count=deposits_n,
            outstanding_payments=money(rec.outstanding_payments),
            outstanding_payments_count=payments_n,
            cleared_count=int(clear_n),
            unmatched_bank_count=len(bank_ids),
            unmatched_bank_total=bank_total,
            books_from=books_from,
        )
        return ReconciliationState(rec, figures, uncleared_bank_ids=bank_ids)
    # Unmatched and matched lines by D: whole months from the kept totals, then the days of
    # D's month; the lines whose match clears after D are an index range of their own.
    org, bank, on = rec.organization_id, params["bank"], rec.statement_date
    unmatched = months.totals_through(org, bank, LineStatus.UNMATCHED, on)
    ((later_bank_n, later_bank_total),) = _fetchall(
        f"SELECT COUNT(*), COALESCE(SUM(x.amount), 0) FROM ({_CLEARING_LATER}) x",  # noqa: S608
        params,
    )
    bank_n = unmatched.lines + int(later_bank_n)
    bank_total = unmatched.amount + money(later_bank_total)
    clear_n = months.totals_through(org, bank, LineStatus.MATCHED, on).lines
    ((later_n,),) = _fetchall(_TO_CLEAR_LATER, params)
    base = None if full else _base_for(rec)
    lines: list[tuple[int, date, Decimal, Decimal]] | None = None
    if base is None:
        totals = _first_totals(params)
    else:
        lines, book = _outstanding_from_base(rec, base, books_from)
        deposits = [debit for _i, _d, debit, _c in lines if debit > 0]
        payments = [credit for _i, _d, _d2, credit in lines if credit > 0]
        totals = _Totals(
            book=book,
            deposits=sum(deposits, ZERO),
            deposits_n=len(deposits),
            payments=sum(payments, ZERO),
            payments_n=len(payments),
        )
    figures = Figures(
        statement_date=rec.statement_date,
        statement_balance=money(rec.statement_balance),
        book_balance=totals.book,
        deposits_in_transit=totals.deposits,
        deposits_in_transit_count=totals.deposits_n,
        outstanding_payments=totals.payments,
        outstanding_payments_count=totals.payments_n,
        cleared_count=int(clear_n) - int(later_n),
        unmatched_bank_count=int(bank_n),
        unmatched_bank_total=money(bank_total),
        books_from=books_from,
    )
    return ReconciliationState(
        rec, figures, outstanding=lines, first_params=params if lines is None else None
    )


def reconciliation_figures(rec: Reconciliation) -> Figures:
    return reconciliation_state(rec).figures


def outstanding_items(
    rec: Reconciliation, *, kind: str, limit: int | None = PAGE, offset: int = 0
) -> list[LedgerItem]:
    return reconciliation_state(rec).items(kind, limit=limit, offset=offset)


def not_cleared_bank_items(
    rec: Reconciliation, *, limit: int | None = PAGE, offset: int = 0
) -> list[BankItem]:
    return reconciliation_state(rec).bank_items(limit=limit, offset=offset)


def uncleared_bank_ids(rec: Reconciliation) -> list[int]:
    """Ids of the bank lines on the statement not cleared at its date (kept when finished)."""
    return [int(row[0]) for row in _fetchall(_NOT_CLEARED_BANK, _params(rec))]


# --- Lists of reconciliations -------------------------------------------------------------------


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
