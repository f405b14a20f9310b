"""Storing a statement's lines fast: which identities the account already has, and the new
lines in one statement per 20,000 rows.

The lookup asks only about the file's own identities, through the unique index
(organization, bank_account, identity): on PostgreSQL one query joining the candidates as an
array (`unnest`), elsewhere chunked `IN` lists. The account's other lines, however many, are
never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.banking.statements import ParsedLine
from ifm.core.bulk import array_literal, insert_columns

IN_CHUNK = 500  # SQLite allows 999 parameters per statement by default

_EXISTING_SQL = (
    "SELECT t.identity FROM unnest(%s::varchar[]) AS c(identity) "
    "JOIN banking_banktransaction t ON t.identity = c.identity "
    "AND t.organization_id = %s AND t.bank_account_id = %s"
)


def existing_identities(bank_account: BankAccount, identities: Sequence[str]) -> set[str]:
    """Those of `identities` that lines of the bank account already have."""
    if not identities:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _EXISTING_SQL,
                [array_literal(list(identities)), bank_account.organization_id, bank_account.pk],
            )
            return {row[0] for row in cursor.fetchall()}
    found: set[str] = set()
    lines = BankTransaction.objects.filter(bank_account=bank_account)
    for start in range(0, len(identities), IN_CHUNK):
        chunk = identities[start : start + IN_CHUNK]
        found.update(lines.filter(identity__in=chunk).values_list("identity", flat=True))
    return found


def _cut(text: str, limit: int) -> str:
    # Text columns cannot hold NUL; no bank means one.
    return " ".join(text.replace("\x00", " ").split())[:limit]


def insert_lines(
    *,
    statement: Statement,
    lines: Sequence[ParsedLine],
    identities: Sequence[str],
    now: datetime,
) -> None:
    """Insert the lines (already known to be new) of the statement. Text longer than its
    column is cut (a bank's memo may run on; what matters of it is kept)."""
    fields = {f.name: f for f in BankTransaction._meta.concrete_fields}

    def limit(name: str) -> int:
        return int(fields[name].max_length or 0)

    payee, memo, reference = limit("payee"), limit("memo"), limit("reference")
    kind, bank_id = limit("kind"), limit("bank_id")
    insert_columns(
        BankTransaction,
        {
            "organization_id": statement.organization_id,
            "bank_account_id": statement.bank_account_id,
            "statement_id": statement.pk,
            "date": [line.date for line in lines],
            "amount": [line.amount for line in lines],
            "payee": [_cut(line.payee, payee) for line in lines],
            "memo": [_cut(line.memo, memo) for line in lines],
            "reference": [_cut(line.reference, reference) for line in lines],
            "kind": [_cut(line.kind, kind) for line in lines],
            "bank_id": [_cut(line.bank_id, bank_id) for line in lines],
            "identity": list(identities),
            "running_balance": [line.balance for line in lines],
            "status": "unmatched",
            "match_id": None,
            "reconciliation_id": None,
            "created_at": now,
        },
        len(lines),
    )
