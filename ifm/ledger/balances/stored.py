"""The stored balances (ledger.MonthlyBalance, and ledger.PeriodBalance for quarters and
years): how the database keeps them, how they are rebuilt from the lines, and how they are
checked against the lines (`ifm ledger_verify`).

Triggers on the journal line table keep the rows (ifm/ledger/sql/ledger_monthly_balances.sql
and ledger_period_balances.sql on PostgreSQL, the *_sqlite.sql files on SQLite), so every way
lines are written (one entry, a reversal, an import's bulk insert, the closing entry, generated
data) updates them in the same transaction, and no code path can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from ifm.ledger.models import LedgerCounter, MonthlyBalance, PeriodBalance, Span
from ifm.tenancy.db import load_sql, run_sql_file

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
POSTGRES_SQL = SQL_DIR / "ledger_monthly_balances.sql"
SQLITE_SQL = SQL_DIR / "ledger_monthly_balances_sqlite.sql"
PERIOD_SQL = {
    "postgresql": SQL_DIR / "ledger_period_balances.sql",
    "sqlite": SQL_DIR / "ledger_period_balances_sqlite.sql",
}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# One month's totals of the lines, per key, as the triggers add them up.
_MONTH = {
    "postgresql": "date_trunc('month', l.date)::date",
    "sqlite": "substr(l.date, 1, 8) || '01'",
}
_CLOSING = {
    "postgresql": "COALESCE(e.source_type = 'closing', false)",
    "sqlite": "COALESCE(e.source_type = 'closing', 0)",
}
_COLUMNS = "organization_id, account_id, fund_id, program_id, function, month, closing"
_FROM_LINES = """
SELECT l.organization_id, l.account_id, l.fund_id, l.program_id, l.function, {month},
       {closing}, sum(l.debit), sum(l.credit)
  FROM ledger_journalline l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
 WHERE l.organization_id = %s
 GROUP BY l.organization_id, l.account_id, l.fund_id, l.program_id, l.function, {month},
          {closing}
"""


def _install(db: BaseDatabaseWrapper, postgres: Path, sqlite: Path, reverse: bool) -> None:
    if db.vendor == "postgresql":
        run_sql_file(db, postgres, reverse=reverse)
        return
    forward, backward = load_sql(sqlite)
    with db.cursor() as cursor:
        for statement in (backward if reverse else forward).split("\n--;\n"):
            if statement.strip():
                cursor.execute(statement)


def install_triggers(db: BaseDatabaseWrapper, *, reverse: bool = False) -> None:
    """Create (or with `reverse`, drop) the triggers that keep the monthly balances."""
    _install(db, POSTGRES_SQL, SQLITE_SQL, reverse)


def install_period_triggers(db: BaseDatabaseWrapper, *, reverse: bool = False) -> None:
    """Create (or with `reverse`, drop) the triggers that keep the quarter and year balances."""
    _install(db, PERIOD_SQL["postgresql"], PERIOD_SQL["sqlite"], reverse)


def _lines_sql(db: BaseDatabaseWrapper) -> str:
    return _FROM_LINES.format(month=_MONTH[db.vendor], closing=_CLOSING[db.vendor])


# The first day of a line's quarter and year.
_SPAN_START = {
    "postgresql": {
        "quarter": "date_trunc('quarter', l.date)::date",
        "year": "date_trunc('year', l.date)::date",
    },
    "sqlite": {
        "quarter": "substr(l.date, 1, 5) || printf('%%02d', "
        "((CAST(substr(l.date, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1) || '-01'",
        "year": "substr(l.date, 1, 4) || '-01-01'",
    },
}
_PERIOD_COLUMNS = "organization_id, account_id, fund_id, program_id, function, span, start, closing"


def _lock(cursor: Any, organization_id: int, db: BaseDatabaseWrapper) -> None:
    """Hold the organization's entry counter, as posting does, so no entry is posted between
    reading the lines and writing the sums."""
    cursor.execute(
        f"SELECT id FROM {LedgerCounter._meta.db_table} "  # noqa: S608
        "WHERE organization_id = %s" + (" FOR UPDATE" if db.vendor == "postgresql" else ""),
        [organization_id],
    )


def rebuild_months(organization_id: int, db: BaseDatabaseWrapper = connection) -> int:
    """Replace the organization's monthly balances with the sums of its lines; the row count."""
    with db.cursor() as cursor:
        _lock(cursor, organization_id, db)
        cursor.execute(
            "DELETE FROM ledger_monthlybalance WHERE organization_id = %s", [organization_id]
        )
        cursor.execute(
            f"INSERT INTO ledger_monthlybalance ({_COLUMNS}, debit, credit) " + _lines_sql(db),
            [organization_id],
        )
        return int(cursor.rowcount)


def _periods_sql(db: BaseDatabaseWrapper, span: str) -> str:
    start, closing = _SPAN_START[db.vendor][span], _CLOSING[db.vendor]
    return f"""
SELECT l.organization_id, l.account_id, l.fund_id, l.program_id, l.function, '{span}', {start},
       {closing}, sum(l.debit), sum(l.credit)
  FROM ledger_journalline l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
 WHERE l.organization_id = %s
 GROUP BY l.organization_id, l.account_id, l.fund_id, l.program_id, l.function, {start},
          {closing}
"""  # noqa: S608


def rebuild_periods(organization_id: int, db: BaseDatabaseWrapper = connection) -> int:
    """Replace the organization's quarter and year balances with the sums of its lines; the
    row count."""
    rows = 0
    with db.cursor() as cursor:
        _lock(cursor, organization_id, db)
        cursor.execute(
            "DELETE FROM ledger_periodbalance WHERE organization_id = %s", [organization_id]
        )
        for span in Span.values:
            cursor.execute(
                f"INSERT INTO ledger_periodbalance ({_PERIOD_COLUMNS}, debit, credit) "
                + _periods_sql(db, span),
                [organization_id],
            )
            rows += int(cursor.rowcount)
    return rows


def rebuild(organization_id: int, db: BaseDatabaseWrapper = connection) -> int:
    """Replace all the organization's stored balances with the sums of its lines; the count
    of rows written."""
    return rebuild_months(organization_id, db) + rebuild_periods(organization_id, db)


# span ("month", "quarter" or "year"), account, fund, program, function, the span's first
# day, closing
SpanKey = tuple[str, int, int, int | None, str, date, bool]
Sums = tuple[Decimal, Decimal]


@dataclass(frozen=True)
class Difference:
    """One key whose stored debits or credits differ from the sums of its lines; `month` is
    the first day of the month, or of the quarter or year that `span` names."""

    account_id: int
    fund_id: int
    program_id: int | None
    function: str
    month: date
    closing: bool
    stored_debit: Decimal
    stored_credit: Decimal
    lines_debit: Decimal
    lines_credit: Decimal
    span: str = "month"

    @property
    def period(self) -> str:
        if self.span == Span.YEAR:
            return f"{self.month:%Y}"
        if self.span == Span.QUARTER:
            return f"{self.month:%Y}-Q{(self.month.month - 1) // 3 + 1}"
        return f"{self.month:%Y-%m}"


def _cents(value: Any) -> Decimal:
    # SQLite sums decimals loosely (125.5, or 0.1 + 0.2): compare to the cent.
    return Decimal(str(value or 0)).quantize(CENT)


def _month(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _start(span: str, month: date) -> date:
    if span == Span.YEAR:
        return month.replace(month=1)
    if span == Span.QUARTER:
        return month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return month


def _from_lines(organization_id: int) -> dict[SpanKey, Sums]:
    """The sums of the lines per month, and per quarter and year added up from the months."""
    with connection.cursor() as cursor:
        cursor.execute(_lines_sql(connection), [organization_id])
        rows = cursor.fetchall()
    sums: dict[SpanKey, Sums] = {}
    for _org, account, fund, program, function, month, closing, debit, credit in rows:
        for span in ("month", *Span.values):
            start = _start(span, _month(month))
            key = (span, account, fund, program, function, start, bool(closing))
            _add(sums, key, _cents(debit), _cents(credit))
    return sums


def _add(sums: dict[SpanKey, Sums], key: SpanKey, debit: Decimal, credit: Decimal) -> None:
    before = sums.get(key, (ZERO, ZERO))
    sums[key] = (before[0] + debit, before[1] + credit)


def _stored(organization_id: int) -> dict[SpanKey, Sums]:
    stored: dict[SpanKey, Sums] = {}
    months = MonthlyBalance.all_orgs.filter(organization_id=organization_id).values_list(
        "account_id", "fund_id", "program_id", "function", "month", "closing", "debit", "credit"
    )
    for account, fund, program, function, month, closing, debit, credit in months:
        key = ("month", account, fund, program, function, month, bool(closing))
        _add(stored, key, _cents(debit), _cents(credit))
    periods = PeriodBalance.all_orgs.filter(organization_id=organization_id).values_list(
        "span", "account_id", "fund_id", "program_id", "function", "start", "closing", "debit",
        "credit",
    )  # fmt: skip
    for span, account, fund, program, function, start, closing, debit, credit in periods:
        key = (span, account, fund, program, function, start, bool(closing))
        _add(stored, key, _cents(debit), _cents(credit))
    return stored


_SPAN_ORDER = {"month": 0, Span.QUARTER.value: 1, Span.YEAR.value: 2}


def differences(organization_id: int) -> list[Difference]:
    """Every key whose stored balance (of a month, quarter or year) is not the sum of its lines
    (rows at zero with no lines left, as a removed line leaves them, are not differences)."""
    expected = _from_lines(organization_id)
    stored = _stored(organization_id)
    found = []
    for key in sorted(
        set(expected) | set(stored),
        key=lambda k: (_SPAN_ORDER[k[0]], k[5], k[1], k[2], str(k[3]), k[4], k[6]),
    ):
        have = stored.get(key, (ZERO, ZERO))
        want = expected.get(key, (ZERO, ZERO))
        if have != want:
            span, account, fund, program, function, start, closing = key
            found.append(
                Difference(
                    account, fund, program, function, start, closing, *have, *want, span=span
                )
            )
    return found
