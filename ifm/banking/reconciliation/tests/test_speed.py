"""The reconciliation page of an account with 100,000 bank lines and 100,000 ledger lines renders
in under 100 ms of server time on PostgreSQL.

Slow to set up (the rows take about 15 s to write), so it runs only with BANKING_SPEED=1:

    BANKING_SPEED=1 DATABASE_URL=postgres://... pytest -s \
        ifm/banking/reconciliation/tests/test_speed.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Any

import pytest
from django.db import connection

from ifm.banking.models import BankAccount
from ifm.banking.reconciliation import selectors
from ifm.banking.reconciliation.tests.large_data import build
from ifm.conftest import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        os.environ.get("BANKING_SPEED") != "1", reason="set BANKING_SPEED=1 to run (slow set-up)"
    ),
]
LINES = 100_000
BUDGET_MS = 100.0


def _report(text: str) -> None:
    """The figures measured, on the terminal (run with -s)."""
    sys.stdout.write(text + "\n")


def _median_ms(run: Any, times: int = 7) -> float:
    run()  # warm: templates, plans, caches
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def test_the_reconciliation_page_of_a_large_account(
    org_a: Any, account: BankAccount, cast: Any
) -> None:
    started = time.perf_counter()
    data = build(org_a, account, LINES)
    built = time.perf_counter() - started
    rec = data.open_reconciliation
    client = client_for(cast["finance"])
    url = f"/o/alpha/banking/reconciliations/{rec.pk}/"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200

    page_ms = _median_ms(page)
    fresh = selectors.reconciliation_get(rec.pk)
    assert fresh is not None
    figures_ms = _median_ms(lambda: selectors.reconciliation_state(fresh))
    full_ms = _median_ms(lambda: selectors.reconciliation_state(fresh, full=True), times=3)
    state = selectors.reconciliation_state(fresh)
    assert state.figures == selectors.reconciliation_state(fresh, full=True).figures
    f = state.figures
    _report(
        f"\n{connection.vendor}: {data.ledger_lines:,} ledger lines, {data.bank_lines:,} bank "
        f"lines (built in {built:.1f} s); outstanding {f.outstanding_count}, bank lines not "
        f"cleared {f.unmatched_bank_count}\n"
        f"  reconciliation page: {page_ms:.1f} ms (median of 7)\n"
        f"  figures and items from the last finished reconciliation: {figures_ms:.1f} ms\n"
        f"  the same from the whole history (an account's first reconciliation): "
        f"{full_ms:.1f} ms"
    )
    assert f.outstanding_count == data.outstanding
    assert f.unmatched_bank_count == data.unmatched_bank
    if connection.vendor == "postgresql":
        assert page_ms < BUDGET_MS


def test_the_first_reconciliation_of_a_large_account(
    org_a: Any, account: BankAccount, cast: Any
) -> None:
    """Nothing reconciled yet: the figures come from the whole history."""
    data = build(org_a, account, LINES, reconciled=False)
    client = client_for(cast["finance"])
    url = f"/o/alpha/banking/reconciliations/{data.open_reconciliation.pk}/"
    page_ms = _median_ms(lambda: client.get(url))
    f = selectors.reconciliation_figures(data.open_reconciliation)
    _report(
        f"\n{connection.vendor}: the first reconciliation of {data.ledger_lines:,} ledger lines "
        f"and {data.bank_lines:,} bank lines (outstanding {f.outstanding_count}): page "
        f"{page_ms:.1f} ms (median of 7)"
    )
    assert f.outstanding_count == data.outstanding
    if connection.vendor == "postgresql":
        assert page_ms < 2 * BUDGET_MS
