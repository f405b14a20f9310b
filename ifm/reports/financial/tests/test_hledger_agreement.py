"""Our statements agree with hledger on the same books: the journal written by
`ifm export_ledger` (accounts under assets, liabilities, equity, revenues and expenses, named by
number), summed by hledger per top-level account, gives the statement of activities' total
revenue, total expenses and change in net assets for a period, and the statement of financial
position's total assets, liabilities and net assets on its last day."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund, JournalLine, Program, Restriction
from ifm.reports.financial.selectors import (
    statement_of_activities,
    statement_of_financial_position,
)
from ifm.tenancy.models import Organization

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("hledger") is None,
        reason="hledger is not on PATH (a Debian package: `make system-packages` installs it)",
    ),
]

D = Decimal
TODAY = date.today()
START = date(TODAY.year, 1, 1)  # the period: this calendar year to date
BEFORE = date(TODAY.year - 1, 3, 1)  # last year's activity: net assets at the beginning


def _post(org: Organization, actor: Any, on: date, *lines: LineInput) -> None:
    post_entry(organization=org, actor=actor, date=on, memo="Entry", lines=list(lines))


def _books(org: Organization, actor: Any, general: Fund) -> Fund:
    youth = Fund.objects.create(
        code="YOUTH", name="Youth program", restriction=Restriction.PURPOSE, purpose="Youth"
    )
    meals = Program.objects.create(code="MEALS", name="Meals")
    # Last year: opening balances, a restricted gift, an expense of that fund (released).
    _post(
        org,
        actor,
        BEFORE,
        LineInput(acct("1010"), general, debit=D("10000.00")),
        LineInput(acct("3010"), general, credit=D("10000.00")),
    )
    _post(
        org,
        actor,
        BEFORE + timedelta(days=3),
        LineInput(acct("1010"), youth, debit=D("4000.00")),
        LineInput(acct("4015"), youth, credit=D("4000.00")),
    )
    _post(
        org,
        actor,
        BEFORE + timedelta(days=10),
        LineInput(acct("8110"), youth, debit=D("750.25"), function="program", program=meals),
        LineInput(acct("1010"), youth, credit=D("750.25")),
    )
    day = [START + timedelta(days=min(k, (TODAY - START).days)) for k in range(8)]
    # This year: gifts with and without restrictions, interest, a loan, expenses by function,
    # one owed (accounts payable), one charged to the restricted fund (released automatically).
    _post(
        org,
        actor,
        day[0],
        LineInput(acct("1010"), general, debit=D("2500.00")),
        LineInput(acct("4010"), general, credit=D("2500.00")),
    )
    _post(
        org,
        actor,
        day[1],
        LineInput(acct("1010"), youth, debit=D("1200.50")),
        LineInput(acct("4015"), youth, credit=D("1200.50")),
    )
    _post(
        org,
        actor,
        day[2],
        LineInput(acct("1010"), general, debit=D("12.34")),
        LineInput(acct("5310"), general, credit=D("12.34")),
    )
    _post(
        org,
        actor,
        day[3],
        LineInput(acct("1010"), general, debit=D("5000.00")),
        LineInput(acct("2550"), general, credit=D("5000.00")),
    )
    for on, account, amount, function, credit in [
        (day[4], "8210", "900.00", "management", "1010"),
        (day[5], "7220", "310.10", "fundraising", "2010"),
        (day[6], "8110", "420.00", "program", "1010"),
    ]:
        _post(
            org,
            actor,
            on,
            LineInput(
                acct(account),
                general,
                debit=D(amount),
                function=function,
                program=meals if function == "program" else None,
            ),
            LineInput(acct(credit), general, credit=D(amount)),
        )
    _post(
        org,
        actor,
        day[7],
        LineInput(acct("8110"), youth, debit=D("333.33"), function="program", program=meals),
        LineInput(acct("1010"), youth, credit=D("333.33")),
    )
    return youth


def _hledger(path: Path, *period: str) -> dict[str, Decimal]:
    """hledger's balance per top-level account (missing: zero)."""
    command = ["hledger", "-f", str(path), "balance", "--flat", "-N", "--depth", "1", "-O", "csv"]
    done = subprocess.run(  # noqa: S603
        [*command, *period],
        capture_output=True,
        text=True,
        check=True,
    )
    sums = dict.fromkeys(("assets", "liabilities", "equity", "revenues", "expenses"), D("0.00"))
    for account, balance in list(csv.reader(io.StringIO(done.stdout)))[1:]:
        amount = balance.replace("USD", "").strip()
        sums[account] = D(amount) if amount else D("0.00")
    return sums


def test_statements_agree_with_hledger_on_the_exported_journal(
    books: Organization, cast: Any, general: Fund, tmp_path: Path
) -> None:
    youth = _books(books, cast["finance"], general)
    # The expense on the restricted fund carried its release (both years).
    assert JournalLine.objects.filter(fund=youth, account__number="6910").count() == 2
    path = tmp_path / "books.journal"
    call_command("export_ledger", org=books.slug, format="hledger", output=str(path))
    end = (TODAY + timedelta(days=1)).isoformat()  # hledger's end date is exclusive

    period = _hledger(path, "-b", START.isoformat(), "-e", end)
    activities = statement_of_activities(date_from=START, date_to=TODAY).totals
    assert activities["total_revenue"] == -period["revenues"] == D("3712.84")
    assert activities["total_expenses"] == period["expenses"] == D("1963.43")
    assert activities["change_in_net_assets"] == -(period["revenues"] + period["expenses"])
    assert period["equity"] == 0  # no entries made directly to net assets in the period
    assert "direct_changes" not in activities

    to_date = _hledger(path, "-e", end)
    position = statement_of_financial_position(as_of=TODAY).totals
    assert position["total_assets"] == to_date["assets"]
    assert position["total_liabilities"] == -to_date["liabilities"] == D("5310.10")
    # Net assets: net-asset accounts plus the revenue and expenses not yet closed into them.
    net_assets = -(to_date["equity"] + to_date["revenues"] + to_date["expenses"])
    assert position["net_assets_end"] == net_assets
    assert position["net_assets_end"] == activities["net_assets_end"]
    assert position["total_liabilities_and_net_assets"] == -(
        to_date["liabilities"] + to_date["equity"] + to_date["revenues"] + to_date["expenses"]
    )
