"""Faults survived: the worker is killed (-9) in the middle of a donation import, a year-end
statements run and a bank statement import; a worker started again takes the job back and the
result is exactly what an uninterrupted run gives in another organization.

Real worker processes (`ifm worker`) against this test database (PostgreSQL: the test commits,
so the worker sees what it writes). Each job is caught in the middle (the import writing, some
statements issued, the statement saving), killed, and the new worker's start finds the dead
worker's pid gone and queues its job again at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ifm.banking.accounts.services import bank_account_create
from ifm.banking.imports.runs import statement_import_queue
from ifm.banking.models import BankAccount, BankTransaction, StatementImport
from ifm.banking.models import ImportStatus as BankImportStatus
from ifm.banking.statements import ParsedLine
from ifm.banking.statements.generate import ofx_bytes
from ifm.core.org_context import org_context
from ifm.donors.imports.services import import_start
from ifm.donors.models import (
    Donation,
    ImportRun,
    ImportStatus,
    ReceiptRun,
    RunStatus,
    TaxReceipt,
)
from ifm.donors.receipts.services import year_end_statements_start
from ifm.ledger.models import Account, JournalEntry
from ifm.tenancy.models import Membership, Organization

ROOT = Path(__file__).resolve().parents[3]
WORKER = [sys.executable, "-m", "ifm.cli", "worker"]
DONORS = 8
GIFTS = 2000
BANK_LINES = 6000

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: a worker process must share the test database while it runs",
    ),
]


def _wait(what: str, predicate: Callable[[], bool], seconds: float, log: Path) -> None:
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        if predicate():
            print(f"{what}: {time.monotonic() - start:.1f} s")  # noqa: T201
            return
        time.sleep(0.02)
    raise AssertionError(f"waited {seconds} s for {what}\n{log.read_text()[-4000:]}")


class Worker:
    """One `ifm worker` process on the test database."""

    def __init__(self, log: Path):
        self.log = log
        settings = connection.settings_dict
        url = (
            f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
        env.update(JOB_LEASE_SECONDS="60", DJANGO_SETTINGS_MODULE="ifm.settings")
        # Year-end statements two to a transaction, so a run of a few can be killed between
        # chunks (the default chunk of 50 would issue them all in one).
        env.update(RECEIPT_CHUNK_SIZE="2")
        with log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [*WORKER, "--queue-name", "*", "--no-reload", "--interval", "0.1"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """kill -9, and reap it (as a supervisor would): its pid is then gone."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Side:
    """One organization and its admin, as services take them."""

    org: Organization
    user: Any

    def args(self) -> dict[str, Any]:
        with org_context(self.org):
            access = Membership.objects.get(user=self.user)
        return {"organization": self.org, "actor": self.user, "access": access}

    def call(self, service: Callable[..., Any], **kwargs: Any) -> Any:
        args = self.args()
        with org_context(self.org):
            return service(**args, **kwargs)

    def read(self, fn: Callable[[], Any]) -> Any:
        with org_context(self.org):
            return fn()


@pytest.fixture
def worker_log(tmp_path: Path) -> Path:
    log = tmp_path / "worker.log"
    log.touch()
    return log


def _donors_csv() -> bytes:
    rows = ["External ID,First Name,Last Name,Email"]
    rows += [f"D-{i},Pat,Giver{i:02d},giver{i}@example.org" for i in range(DONORS)]
    return ("\n".join(rows) + "\n").encode()


def _gifts_csv(year: int) -> bytes:
    rows = ["Gift ID,LGL Constituent ID,Gift Amount,Gift date,Payment type"]
    for i in range(GIFTS):
        # Two gifts a donor in the tax year (their statements are short); the rest before.
        day = date(year if i < 2 * DONORS else year - 1, 1, 1) + timedelta(days=i % 360)
        rows.append(f"G-{i},D-{i % DONORS},{5 + i % 500}.{i % 100:02d},{day.isoformat()},Cash")
    return ("\n".join(rows) + "\n").encode()


def _statement(year: int) -> bytes:
    lines = [
        ParsedLine(
            date=date(year, 1, 1) + timedelta(days=i % 360),
            amount=Decimal(i % 9000 - 4500) / 100 or Decimal("1.00"),
            payee=f"Payee {i % 300}",
            memo="",
            reference="",
            bank_id=f"TX{i:06d}",
            balance=None,
        )
        for i in range(BANK_LINES)
    ]
    return ofx_bytes(lines)


def _import(side: Side, kind: str, data: bytes, name: str) -> int:
    _result, run, _earlier = side.call(
        import_start, kind=kind, data=data, filename=name, dry_run=False
    )
    assert run is not None, _result.problems[:3]
    return int(run.pk)


def _import_run(side: Side, run_id: int) -> ImportRun:
    return side.read(lambda: ImportRun.objects.get(pk=run_id))


def _gifts(side: Side) -> list[tuple[str, Decimal, date]]:
    return sorted(
        side.read(lambda: list(Donation.objects.values_list("donor__email", "amount", "date")))
    )


def _receipts(side: Side, run_id: int) -> list[tuple[int, str, Decimal]]:
    return sorted(
        side.read(
            lambda: list(
                TaxReceipt.objects.filter(run_id=run_id).values_list(
                    "number", "donor__email", "total_amount"
                )
            )
        )
    )


def _bank_lines(side: Side) -> list[tuple[str, Decimal, date]]:
    return sorted(
        side.read(lambda: list(BankTransaction.objects.values_list("bank_id", "amount", "date")))
    )


def test_a_worker_killed_mid_job_and_started_again_gives_the_uninterrupted_result(
    cast: dict[str, Any], org_a: Organization, org_b: Organization, worker_log: Path
) -> None:
    reference, hit = Side(org_b, cast["other_admin"]), Side(org_a, cast["admin"])
    year = date.today().year
    worker = Worker(worker_log)
    try:
        for side in (reference, hit):
            run_id = _import(side, "donors", _donors_csv(), "donors.csv")

            def donors_done(side: Side = side, run_id: int = run_id) -> bool:
                return bool(_import_run(side, run_id).status == ImportStatus.DONE)

            _wait("the donors", donors_done, 60, worker_log)

        # 1. A donation import: one transaction, killed while it writes.
        gifts = _gifts_csv(year)
        ref_run = _import(reference, "donations", gifts, "gifts.csv")
        _wait(
            "the reference import",
            lambda: _import_run(reference, ref_run).status == ImportStatus.DONE,
            90,
            worker_log,
        )
        hit_run = _import(hit, "donations", gifts, "gifts.csv")
        _wait(
            "the import to write",
            lambda: _import_run(hit, hit_run).phase == "writing",
            90,
            worker_log,
        )
        worker.kill()
        run = _import_run(hit, hit_run)
        assert run.status == ImportStatus.RUNNING
        assert _gifts(hit) == []  # all or nothing: nothing half-written
        worker = Worker(worker_log)
        _wait(
            "the import to finish",
            lambda: _import_run(hit, hit_run).status == ImportStatus.DONE,
            90,
            worker_log,
        )
        expected = _gifts(reference)
        assert len(expected) == GIFTS
        assert _gifts(hit) == expected
        run, ref = _import_run(hit, hit_run), _import_run(reference, ref_run)
        assert (run.created_count, run.skipped_count) == (ref.created_count, ref.skipped_count)
        assert hit.read(lambda: JournalEntry.objects.count()) == reference.read(
            lambda: JournalEntry.objects.count()
        )

        # 2. Year-end statements: one transaction per chunk of two, killed after a few.
        def receipt_run(side: Side, run_id: int) -> ReceiptRun:
            return side.read(lambda: ReceiptRun.objects.get(pk=run_id))

        ref_year = reference.call(year_end_statements_start, year=year).pk
        _wait(
            "the reference year-end run",
            lambda: receipt_run(reference, ref_year).status == RunStatus.DONE,
            120,
            worker_log,
        )
        hit_year = hit.call(year_end_statements_start, year=year).pk
        _wait(
            "a few statements",
            lambda: receipt_run(hit, hit_year).done >= 3,
            120,
            worker_log,
        )
        worker.kill()
        issued_before = len(_receipts(hit, hit_year))
        assert 0 < issued_before < DONORS
        assert receipt_run(hit, hit_year).status == RunStatus.RUNNING
        worker = Worker(worker_log)
        _wait(
            "the year-end run to finish",
            lambda: receipt_run(hit, hit_year).status == RunStatus.DONE,
            120,
            worker_log,
        )
        expected_receipts = _receipts(reference, ref_year)
        assert [number for number, *_ in expected_receipts] == list(range(1, DONORS + 1))
        assert _receipts(hit, hit_year) == expected_receipts  # no gap, no number twice
        done, ref_done = receipt_run(hit, hit_year), receipt_run(reference, ref_year)
        assert (done.created, done.done, done.total) == (DONORS, DONORS, DONORS)
        assert (ref_done.created, ref_done.done, ref_done.total) == (DONORS, DONORS, DONORS)

        # 3. A bank statement import: one transaction, killed while it saves.
        statement = _statement(year)

        def bank_import(side: Side) -> int:
            account = side.call(
                bank_account_create,
                name="Checking",
                ledger_account=side.read(lambda: Account.objects.get(number="1010")),
                account_number="000123456789",
            )
            return int(
                side.call(
                    statement_import_queue,
                    bank_account=account,
                    data=statement,
                    filename="statement.ofx",
                ).pk
            )

        def bank_run(side: Side, run_id: int) -> StatementImport:
            return side.read(lambda: StatementImport.objects.get(pk=run_id))

        ref_bank = bank_import(reference)
        _wait(
            "the reference statement",
            lambda: bank_run(reference, ref_bank).status == BankImportStatus.DONE,
            120,
            worker_log,
        )
        hit_bank = bank_import(hit)
        _wait(
            "the statement to save",
            lambda: bank_run(hit, hit_bank).phase == "saving",
            120,
            worker_log,
        )
        worker.kill()
        assert _bank_lines(hit) == []
        worker = Worker(worker_log)
        _wait(
            "the statement import to finish",
            lambda: bank_run(hit, hit_bank).status == BankImportStatus.DONE,
            120,
            worker_log,
        )
        assert len(_bank_lines(reference)) == BANK_LINES
        assert _bank_lines(hit) == _bank_lines(reference)
        assert hit.read(lambda: BankAccount.objects.count()) == 1
    finally:
        worker.stop()
