"""How fast a large statement imports into an account with a long history (PostgreSQL).

Run with BANKING_SPEED=1 and DATABASE_URL=postgres://...: 500,000 lines are written to the
account first, then a 50,000-line OFX file is imported (read, checked, compared with them,
stored) and imported again (all duplicates). The figures are printed (pytest -s)."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ifm.banking.imports.services import statement_import, statement_read
from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.banking.statements import ParsedLine
from ifm.banking.statements.generate import ofx_bytes
from ifm.core.bulk import insert_columns

EXISTING = 500_000
IMPORTED = 50_000

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(
        os.environ.get("BANKING_SPEED") != "1", reason="a timing test: run with BANKING_SPEED=1"
    ),
]


def _history(account: BankAccount, count: int) -> None:
    statement = Statement.objects.create(
        organization=account.organization,
        bank_account=account,
        format="ofx",
        filename="history.ofx",
        sha256="0" * 64,
        line_count=count,
        imported_count=count,
    )
    start = date(2010, 1, 1)
    insert_columns(
        BankTransaction,
        {
            "organization_id": account.organization_id,
            "bank_account_id": account.pk,
            "statement_id": statement.pk,
            "date": [start + timedelta(days=i // 200) for i in range(count)],
            "amount": [Decimal(i % 9000 - 4500) / 100 for i in range(count)],
            "payee": [f"Payee {i % 500}" for i in range(count)],
            "identity": [f"id:HIST{i}" for i in range(count)],
            "bank_id": [f"HIST{i}" for i in range(count)],
            "created_at": timezone.now(),
        },
        count,
    )


def _file_lines(count: int) -> list[ParsedLine]:
    start = date(2026, 1, 1)
    return [
        ParsedLine(
            date=start + timedelta(days=i * 365 // count),
            amount=Decimal((i * 7919) % 250000 - 100000) / 100 or Decimal("1.00"),
            payee=f"Vendor {i % 997}",
            memo=f"Card purchase {i}",
            reference=str(1000 + i) if i % 7 == 0 else "",
            bank_id=f"FIT{i:08d}",
        )
        for i in range(count)
    ]


def test_50k_lines_into_an_account_with_500k_import_well_under_5_seconds(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the figure is for PostgreSQL")
    _history(checking, EXISTING)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE banking_banktransaction")
    data = ofx_bytes(_file_lines(IMPORTED), account_number="000123456789", currency="USD")

    t0 = time.perf_counter()
    statement_read(data, filename="big.ofx")
    parse_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    first = statement_import(**finance, bank_account=checking, data=data, filename="big.ofx")
    first_s = time.perf_counter() - t0
    assert (first.imported, first.duplicates) == (IMPORTED, 0)

    t0 = time.perf_counter()
    again = statement_import(**finance, bank_account=checking, data=data, filename="big.ofx")
    again_s = time.perf_counter() - t0
    assert (again.imported, again.duplicates) == (0, IMPORTED)
    assert BankTransaction.objects.filter(bank_account=checking).count() == EXISTING + IMPORTED

    print(  # noqa: T201  (the figures are the point of this test)
        f"\n{IMPORTED:,}-line OFX ({len(data) / 1e6:.1f} MB) into {EXISTING:,} lines: "
        f"read {parse_s:.2f} s; import {first_s:.2f} s (storage {first_s - parse_s:.2f} s); "
        f"again, all duplicates {again_s:.2f} s"
    )
    assert first_s < 5.0
    assert again_s < 5.0
