"""The bank lines per account, month and status, as the database keeps them.

`banking_banklinemonth` holds, for each bank account, month (of the line's date) and status,
how many lines there are and their sum in whole cents. Triggers on the bank lines keep it in the
same statement that inserts, updates or deletes them: on PostgreSQL one aggregated upsert per
statement (transition tables); on SQLite a row trigger per line. Nothing in Python writes it, so
no path can forget it. `totals_through` reads whole months from it and only the lines of the
last, partial month; `drift` recomputes it from the lines (tests, and after a repair)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from ifm.banking.models import BankAccount
from ifm.tenancy.db import run_sql_file

SQL = Path(__file__).resolve().parent / "sql" / "line_months.sql"

# SQLite: the same rules as row triggers (its upsert needs a WHERE on INSERT ... SELECT).
_SQLITE_UPSERT = """
INSERT INTO banking_banklinemonth (organization_id, bank_account_id, month, status, lines, cents)
SELECT {row}.organization_id, {row}.bank_account_id, date({row}.date, 'start of month'),
       {row}.status, 1, CAST(ROUND({row}.amount * 100) AS INTEGER)
 WHERE true
ON CONFLICT (organization_id, bank_account_id, month, status) DO UPDATE
   SET lines = lines + excluded.lines, cents = cents + excluded.cents;
"""
# Old rows out by an update: their month exists (their insert made it), and a delete cascading
# from the bank account must not bring a row back.
_SQLITE_TAKE_OUT = """
UPDATE banking_banklinemonth
   SET lines = lines - 1, cents = cents - CAST(ROUND(OLD.amount * 100) AS INTEGER)
 WHERE organization_id = OLD.organization_id AND bank_account_id = OLD.bank_account_id
   AND month = date(OLD.date, 'start of month') AND status = OLD.status;
"""
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS banking_line_months_insert",
    "DROP TRIGGER IF EXISTS banking_line_months_update",
    "DROP TRIGGER IF EXISTS banking_line_months_delete",
    "CREATE TRIGGER banking_line_months_insert AFTER INSERT ON banking_banktransaction BEGIN "
    + _SQLITE_UPSERT.format(row="NEW")
    + " END",
    "CREATE TRIGGER banking_line_months_update AFTER UPDATE OF organization_id, bank_account_id,"
    " date, amount, status ON banking_banktransaction BEGIN "
    + _SQLITE_TAKE_OUT
    + _SQLITE_UPSERT.format(row="NEW")
    + " END",
    "CREATE TRIGGER banking_line_months_delete AFTER DELETE ON banking_banktransaction BEGIN "
    + _SQLITE_TAKE_OUT
    + " END",
]
SQLITE_DROP = SQLITE_TRIGGERS[:3]

_CENTS = {
    "postgresql": "(b.amount * 100)::bigint",
    "sqlite": "CAST(ROUND(b.amount * 100) AS INTEGER)",
}
_MONTH = {
    "postgresql": "date_trunc('month', b.date)::date",
    "sqlite": "date(b.date, 'start of month')",
}


def from_lines_sql(vendor: str, where: str = "1 = 1") -> str:
    """Per organization, account, month and status: the lines counted and summed."""
    return (
        f"SELECT b.organization_id, b.bank_account_id, {_MONTH[vendor]}, b.status, "  # noqa: S608
        f"COUNT(*), SUM({_CENTS[vendor]}) FROM banking_banktransaction b WHERE {where} "
        "GROUP BY 1, 2, 3, 4"
    )


def install(schema_editor: Any, *, backfill: bool = True) -> None:
    """The triggers, and the table filled from the lines already there (a migration's step)."""
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            run_sql_file(conn, SQL)
        else:
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
        if backfill:
            cursor.execute("DELETE FROM banking_banklinemonth")
            cursor.execute(
                "INSERT INTO banking_banklinemonth "
                "(organization_id, bank_account_id, month, status, lines, cents) "
                + from_lines_sql(conn.vendor)
            )


def uninstall(schema_editor: Any) -> None:
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        run_sql_file(conn, SQL, reverse=True)
        return
    with conn.cursor() as cursor:
        for statement in SQLITE_DROP:
            cursor.execute(statement)


@dataclass(frozen=True)
class Totals:
    lines: int
    amount: Decimal


def _first_of_month(on: date) -> date:
    return on.replace(day=1)


def totals_through(organization_id: int, bank_account_id: int, status: str, on: date) -> Totals:
    """The account's lines in `status` dated on or before `on`: whole months from the kept
    table, the days of `on`'s month from the lines (an index range of a month at most)."""
    vendor = connection.vendor
    month = _first_of_month(on)
    params: dict[str, Any] = {
        "org": organization_id,
        "bank": bank_account_id,
        "status": status,
        "month": month,
        "on": on,
    }
    sql = f"""
SELECT COALESCE(SUM(n), 0), COALESCE(SUM(c), 0) FROM (
  SELECT m.lines AS n, m.cents AS c FROM banking_banklinemonth m
   WHERE m.organization_id = %(org)s AND m.bank_account_id = %(bank)s
     AND m.status = %(status)s AND m.month < %(month)s
  UNION ALL
  SELECT 1, {_CENTS[vendor]} FROM banking_banktransaction b
   WHERE b.organization_id = %(org)s AND b.bank_account_id = %(bank)s
     AND b.status = %(status)s AND b.date >= %(month)s AND b.date <= %(on)s
) x"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        lines, cents = cursor.fetchone()
    return Totals(int(lines), Decimal(int(cents)) / 100)


def status_totals(bank_account: BankAccount) -> dict[str, int]:
    """How many lines the account has in each status, of every date."""
    sql = (
        "SELECT m.status, COALESCE(SUM(m.lines), 0) FROM banking_banklinemonth m "
        "WHERE m.organization_id = %s AND m.bank_account_id = %s GROUP BY m.status"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [bank_account.organization_id, bank_account.pk])
        return {status: int(n) for status, n in cursor.fetchall()}


def drift(organization_id: int | None = None) -> list[tuple[Any, ...]]:
    """Rows where the kept table and the lines disagree: (organization, account, month,
    status, kept lines, kept cents, counted lines, counted cents). Empty when they agree."""
    vendor = connection.vendor
    where = "1 = 1" if organization_id is None else f"b.organization_id = {int(organization_id)}"
    kept_where = (
        "" if organization_id is None else f"WHERE organization_id = {int(organization_id)}"
    )
    counted = from_lines_sql(vendor, where)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT organization_id, bank_account_id, month, status, lines, cents "  # noqa: S608
            f"FROM banking_banklinemonth {kept_where}"
        )
        kept = {(o, b, str(m), s): (int(n), int(c)) for o, b, m, s, n, c in cursor.fetchall()}
        cursor.execute(counted)
        real = {(o, b, str(m), s): (int(n), int(c)) for o, b, m, s, n, c in cursor.fetchall()}
    bad = []
    for key in sorted(set(kept) | set(real)):
        have, want = kept.get(key, (0, 0)), real.get(key, (0, 0))
        if have != want:
            bad.append((*key, *have, *want))
    return bad
