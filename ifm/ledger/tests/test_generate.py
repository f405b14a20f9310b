"""`ifm generate_data`: deterministic bulk data that keeps every invariant of post_entry.

These tests commit for real (transaction=True): on PostgreSQL the deferred triggers then check
every generated entry at commit, as they do for the full-size run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max, Min

from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.generate import GenerateOptions, generate, org_specs
from ifm.ledger.models import JournalEntry, JournalLine, LedgerCounter, SourceType
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = GenerateOptions(orgs=3, years=2, scale=0.004, seed=7, first_year=2022, prefix="ta")


def _fingerprint(slug: str) -> tuple[str, dict[str, Decimal], int]:
    """A hash of everything an organization's journal says (not its row ids), and its totals."""
    org = Organization.objects.get(slug=slug)
    digest = hashlib.sha256()
    with org_context(org):
        for entry in JournalEntry.objects.select_related("reverses").order_by("number"):
            reversed_number = entry.reverses.number if entry.reverses else None
            digest.update(
                f"{entry.number}|{entry.date}|{entry.source_type}|{entry.memo}|"
                f"{entry.reference}|{reversed_number}\n".encode()
            )
        lines = JournalLine.objects.select_related("entry", "account", "fund", "program")
        for line in lines.order_by("entry__number", "id"):
            program = line.program.code if line.program else ""
            digest.update(
                f"{line.entry.number}|{line.account.number}|{line.fund.code}|{program}|"
                f"{line.function}|{line.debit}|{line.credit}\n".encode()
            )
        tb = trial_balance(as_of=JournalLine.objects.aggregate(d=Max("date"))["d"])
        totals = {"debit": tb.total_debit, "credit": tb.total_credit}
        return digest.hexdigest(), totals, JournalLine.objects.count()


def test_small_run_keeps_every_ledger_invariant() -> None:
    result = generate(SMALL)

    assert [o.slug for o in result.orgs] == ["ta-01", "ta-02", "ta-03"]
    with all_organizations(), connection.cursor() as cursor:
        # Every entry balances in each fund, has two lines or more, and lines are one-sided.
        # (SQLite sums decimals as floating point: compare within half a cent.)
        cursor.execute(
            "SELECT entry_id, fund_id FROM ledger_journalline GROUP BY entry_id, fund_id "
            "HAVING ABS(SUM(debit) - SUM(credit)) > 0.005"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT e.id FROM ledger_journalentry e LEFT JOIN ledger_journalline l "
            "ON l.entry_id = e.id GROUP BY e.id HAVING COUNT(l.id) < 2"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT COUNT(*) FROM ledger_journalline WHERE NOT ((debit > 0 AND credit = 0) "
            "OR (credit > 0 AND debit = 0))"
        )
        assert cursor.fetchone()[0] == 0
        # Lines, their entry, account, fund and period all belong to the same organization.
        cursor.execute(
            "SELECT COUNT(*) FROM ledger_journalline l "
            "JOIN ledger_journalentry e ON e.id = l.entry_id "
            "JOIN ledger_account a ON a.id = l.account_id "
            "JOIN ledger_fund f ON f.id = l.fund_id "
            "JOIN ledger_period p ON p.id = e.period_id "
            "WHERE e.organization_id <> l.organization_id OR a.organization_id <> l.organization_id"
            " OR f.organization_id <> l.organization_id OR p.organization_id <> l.organization_id"
            " OR l.date <> e.date OR e.date < p.start_date OR e.date > p.end_date"
        )
        assert cursor.fetchone()[0] == 0

    sizes = {}
    for done in result.orgs:
        org = Organization.objects.get(slug=done.slug)
        with org_context(org):
            entries = JournalEntry.objects.aggregate(
                n=Count("id"), lo=Min("number"), hi=Max("number")
            )
            # Numbers run 1..N without a gap, and the counter continues after them.
            assert (entries["lo"], entries["hi"], entries["n"]) == (1, done.entries, done.entries)
            assert LedgerCounter.objects.get().next_entry_number == done.entries + 1
            assert JournalLine.objects.count() == done.lines
            # The journal is made of the kinds of entries a nonprofit posts.
            kinds = set(JournalEntry.objects.values_list("source_type", flat=True))
            assert {SourceType.DONATION, SourceType.EXPENSE, SourceType.BANK} <= kinds
            for reversal in JournalEntry.objects.filter(source_type=SourceType.REVERSAL):
                assert reversal.reverses is not None
                assert reversal.source_id == str(reversal.reverses_id)
                assert reversal.date >= reversal.reverses.date
            # Debits equal credits in the trial balance, as of the last day.
            tb = trial_balance(as_of=JournalLine.objects.aggregate(d=Max("date"))["d"])
            assert tb.total_debit == tb.total_credit > 0
            # Entries fall in the generated fiscal years.
            span = JournalEntry.objects.aggregate(lo=Min("date"), hi=Max("date"))
            assert span["lo"].year == 2022
            assert span["hi"].year <= 2024
        sizes[done.slug] = done.lines
    # One large organization holds the biggest share (half, by design), the others less and less.
    assert sizes["ta-01"] > sizes["ta-02"] > sizes["ta-03"]
    assert sizes["ta-01"] >= 0.4 * sum(sizes.values())
    # Reversals happened somewhere in the run.
    with all_organizations():
        assert JournalEntry.all_orgs.filter(source_type=SourceType.REVERSAL).exists()
        assert JournalLine.all_orgs.filter(account__role="interfund_receivable").exists()


def test_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    generate(SMALL)
    generate(GenerateOptions(**{**SMALL.__dict__, "prefix": "tb"}))
    generate(GenerateOptions(**{**SMALL.__dict__, "prefix": "tc", "seed": 8, "orgs": 1}))

    for index in ("01", "02", "03"):
        assert _fingerprint(f"ta-{index}") == _fingerprint(f"tb-{index}")
        assert Organization.objects.get(slug=f"ta-{index}").name == (
            Organization.objects.get(slug=f"tb-{index}").name
        )
    assert _fingerprint("ta-01")[0] != _fingerprint("tc-01")[0]
    assert [s.name for s in org_specs(SMALL)] == [s.name for s in org_specs(SMALL)]


def test_running_again_skips_complete_organizations_and_refuses_other_arguments() -> None:
    first = generate(SMALL)
    lines = first.lines

    again = generate(SMALL)

    assert all(o.skipped for o in again.orgs)
    assert again.lines == 0
    with all_organizations():
        assert JournalLine.all_orgs.filter(organization__slug__startswith="ta-").count() == lines
    with pytest.raises(ServiceError, match="other arguments"):
        generate(GenerateOptions(**{**SMALL.__dict__, "scale": 0.005}))


def test_an_organization_made_otherwise_is_never_written_over() -> None:
    organization_create(slug="ta-02", name="Someone else's")

    with pytest.raises(ServiceError, match="ta-02 exists but was not made by generate_data"):
        generate(SMALL)

    assert not Organization.objects.filter(slug="ta-01").exists()


def test_command_prints_progress_and_totals() -> None:
    out = io.StringIO()
    call_command(
        "generate_data", "--orgs", "2", "--years", "1", "--scale", "0.002", "--prefix", "td",
        stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    assert "td-01:" in text
    assert "td-02:" in text
    assert "Done:" in text
    with pytest.raises(CommandError, match="other arguments"):
        call_command(
            "generate_data", "--orgs", "2", "--years", "2", "--scale", "0.002", "--prefix", "td",
            stdout=io.StringIO(),
        )  # fmt: skip


@pytest.mark.skipif(
    shutil.which("hledger") is None, reason="hledger is not installed (.ci/run installs it)"
)
def test_hledger_agrees_with_our_trial_balance_on_generated_data(tmp_path: Path) -> None:
    generate(SMALL)
    slug = f"{SMALL.prefix}-01"
    org = Organization.objects.get(slug=slug)
    path = tmp_path / "gen.journal"
    call_command("export_ledger", org=slug, format="hledger", output=str(path))
    done = subprocess.run(  # noqa: S603
        ["hledger", "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = {
        row[0].split(":")[-1]: Decimal(row[1].replace("USD", "").strip())
        for row in list(csv.reader(io.StringIO(done.stdout)))[1:]
    }
    with org_context(org):
        tb = trial_balance(as_of=date(2100, 1, 1))
    ours = {row.number: row.debit - row.credit for row in tb.rows if row.debit or row.credit}
    assert len(ours) > 10
    assert theirs == ours
