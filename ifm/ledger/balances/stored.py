"""The stored monthly balances (ledger.MonthlyBalance): how the database keeps them, how they
are rebuilt from the lines, and how they are checked against the lines (`ifm ledger_verify`).

Triggers on the journal line table keep the rows (ifm/ledger/sql/ledger_monthly_balances.sql on
PostgreSQL, ledger_monthly_balances_sqlite.sql on SQLite), so every way lines are written (one
entry, a reversal, an import's bulk insert, the closing entry, generated data) updates them in
the same transaction, and no code path can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from ifm.ledger.models import LedgerCounter, MonthlyBalance
from ifm.tenancy.db import load_sql, run_sql_file

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
POSTGRES_SQL = SQL_DIR / "ledger_monthly_balances.sql"
SQLITE_SQL = SQL_DIR / "ledger_monthly_balances_sqlite.sql"
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


def install_triggers(db: BaseDatabaseWrapper, *, reverse: bool = False) -> None:
    """Create (or with `reverse`, drop) the triggers that keep the monthly balances."""
    if db.vendor == "postgresql":
        run_sql_file(db, POSTGRES_SQL, reverse=reverse)
        return
    forward, backward = load_sql(SQLITE_SQL)
    with db.cursor() as cursor:
        for statement in (backward if reverse else forward).split("\n--;\n"):
            if statement.strip():
                cursor.execute(statement)


def _lines_sql(db: BaseDatabaseWrapper) -> str:
    return _FROM_LINES.format(month=_MONTH[db.vendor], closing=_CLOSING[db.vendor])


def rebuild(organization_id: int, db: BaseDatabaseWrapper = connection) -> int:
    """Replace the organization's monthly balances with the sums of its lines; the row count.

    Holds the organization's entry counter first, as posting does, so no entry is posted
    between reading the lines and writing the sums."""
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {LedgerCounter._meta.db_table} "  # noqa: S608
            "WHERE organization_id = %s" + (" FOR UPDATE" if db.vendor == "postgresql" else ""),
            [organization_id],
        )
        cursor.execute(
            "DELETE FROM ledger_monthlybalance WHERE organization_id = %s", [organization_id]
        )
        cursor.execute(
            f"INSERT INTO ledger_monthlybalance ({_COLUMNS}, debit, credit) " + _lines_sql(db),
            [organization_id],
        )
        return int(cursor.rowcount)


# account, fund, program, function, month, closing
Key = tuple[int, int, int | None, str, date, bool]


@dataclass(frozen=True)
class Difference:
    """One key whose stored debits or credits differ from the sums of its lines."""

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


def _cents(value: Any) -> Decimal:
    # SQLite sums decimals loosely (125.5, or 0.1 + 0.2): compare to the cent.
    return Decimal(str(value or 0)).quantize(CENT)


def _month(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _from_lines(organization_id: int) -> dict[Key, tuple[Decimal, Decimal]]:
    with connection.cursor() as cursor:
        cursor.execute(_lines_sql(connection), [organization_id])
        rows = cursor.fetchall()
    return {
        (account, fund, program, function, _month(month), bool(closing)): (
            _cents(debit),
            _cents(credit),
        )
        for _org, account, fund, program, function, month, closing, debit, credit in rows
    }


def differences(organization_id: int) -> list[Difference]:
    """Every key whose stored balance is not the sum of its lines (rows at zero with no lines
    left, as a removed line leaves them, are not differences)."""
    expected = _from_lines(organization_id)
    stored: dict[Key, tuple[Decimal, Decimal]] = {}
    rows = MonthlyBalance.all_orgs.filter(organization_id=organization_id).values_list(
        "account_id", "fund_id", "program_id", "function", "month", "closing", "debit", "credit"
    )
    for account, fund, program, function, month, closing, debit, credit in rows:
        key: Key = (account, fund, program, function, month, bool(closing))
        before = stored.get(key, (ZERO, ZERO))
        stored[key] = (before[0] + _cents(debit), before[1] + _cents(credit))
    found = []
    for key in sorted(set(expected) | set(stored), key=lambda k: (k[4], k[0], k[1], str(k[2]))):
        have = stored.get(key, (ZERO, ZERO))
        want = expected.get(key, (ZERO, ZERO))
        if have != want:
            found.append(Difference(*key, *have, *want))
    return found
