from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry

D = Decimal


def _post_sample(org: Any, actor: Any, general: Any, restricted: Any) -> None:
    post_entry(
        organization=org,
        actor=actor,
        date=date(2026, 1, 5),
        memo="Gift; with semicolon",
        lines=[
            LineInput(acct("1010"), general, debit=D("250.00")),
            LineInput(acct("4010"), general, credit=D("250.00")),
        ],
    )
    post_entry(
        organization=org,
        actor=actor,
        date=date(2026, 2, 9),
        lines=[
            LineInput(acct("1010"), restricted, debit=D("80.10")),
            LineInput(acct("4015"), restricted, credit=D("80.10")),
        ],
    )
    post_entry(
        organization=org,
        actor=actor,
        date=date(2026, 2, 20),
        lines=[
            LineInput(acct("8110"), restricted, debit=D("19.99"), function="program"),
            LineInput(acct("1010"), general, credit=D("19.99")),
        ],
    )


def test_hledger_export_lists_every_posting_with_its_fund(
    books: Any, cast: Any, general: Any, restricted: Any
) -> None:
    _post_sample(books, cast["finance"], general, restricted)
    out = io.StringIO()
    call_command("export_ledger", org=books.slug, format="hledger", stdout=out)
    text = out.getvalue()
    assert "2026-01-05 * JE-1 | Gift, with semicolon" in text
    assert "    assets:1010  250.00 USD  ; fund:GEN" in text
    assert "    expenses:8110  19.99 USD  ; fund:YOUTH" in text


def _ours() -> dict[str, Decimal]:
    tb = trial_balance(as_of=date(2026, 12, 31))
    return {row.number: row.debit - row.credit for row in tb.rows if row.debit or row.credit}


@pytest.mark.skipif(
    shutil.which("hledger") is None, reason="hledger is not installed (.ci/run installs it)"
)
def test_hledger_computes_the_same_trial_balance_as_we_do(
    books: Any, cast: Any, general: Any, restricted: Any, tmp_path: Path
) -> None:
    _post_sample(books, cast["finance"], general, restricted)
    path = tmp_path / "books.journal"
    call_command("export_ledger", org=books.slug, format="hledger", output=str(path))
    done = subprocess.run(  # noqa: S603
        ["hledger", "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = {
        row[0].split(":")[-1]: D(row[1].replace("USD", "").strip())
        for row in list(csv.reader(io.StringIO(done.stdout)))[1:]
    }
    assert theirs == _ours()


def test_beancount_reads_our_export_without_errors_and_agrees(
    books: Any, cast: Any, general: Any, restricted: Any, tmp_path: Path
) -> None:
    loader = pytest.importorskip("beancount.loader")
    _post_sample(books, cast["finance"], general, restricted)
    path = tmp_path / "books.beancount"
    call_command("export_ledger", org=books.slug, format="beancount", output=str(path))
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    theirs: dict[str, Decimal] = {}
    for entry in entries:
        for posting in getattr(entry, "postings", []):
            number = posting.account.split(":")[-1].removeprefix("A")
            theirs[number] = theirs.get(number, D("0")) + posting.units.number
    assert {k: v for k, v in theirs.items() if v} == _ours()
