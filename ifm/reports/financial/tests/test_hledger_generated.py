"""Our statements and trial balance agree with hledger on generated books, before and after a
year-end close.

The books: hypothesis's ledgers of `test_statements_tie_out` (gifts with and without donor
restrictions, expenses by function charged to restricted funds and released, loans, interest,
releases by hand, sometimes the first year closed), and `ifm.ledger.generate`'s organizations
(two seeds: funds, programs, payroll, bills, transfers, reversals over two fiscal years, one of
them starting in July), whose first fiscal year is then closed.

Each is written with `ifm export_ledger` and summed by hledger per account
(`hledger balance --flat`), for the organization and for each fund (`tag:fund=^CODE$`):

* the trial balance on a date is hledger's balance of every account to that date, closing
  entries included;
* the statement of financial position: total assets, liabilities, net assets (net-asset
  accounts plus revenue less expenses not yet closed into them) and net assets with donor
  restrictions (the accounts of that class), closing entries included: a close moves amounts
  between accounts of the same class, never from one class to the other;
* the statement of activities, closing entries left out (`not:tag:source=^closing`, as the
  statements read the activity where it was posted): each revenue account, total revenue,
  total expenses, the change in net assets per class, entries made directly to net assets, and
  net assets at the beginning and end.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifm.accounts.services import membership_set
from ifm.core.org_context import org_context
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.closing.services import fiscal_year_close
from ifm.ledger.exports import account_name
from ifm.ledger.generate import GenerateOptions, generate
from ifm.ledger.models import (
    Account,
    AccountType,
    FiscalYear,
    Fund,
    NetAssetClass,
    PeriodStatus,
    Program,
    Restriction,
)
from ifm.reports.financial.selectors import (
    statement_of_activities,
    statement_of_financial_position,
)
from ifm.reports.financial.tests.test_statements_tie_out import BASE, _apply, days, entries
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.roles import Role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("hledger") is None,
        reason="hledger is not on PATH (a Debian package: `make system-packages` installs it)",
    ),
]

D = Decimal
ZERO = D("0.00")
TODAY = date.today()
ROOTS = ("assets", "liabilities", "equity", "revenues", "expenses")


@dataclass
class Books:
    """An organization's exported journal, and the names hledger gives its accounts."""

    path: Path
    with_class: frozenset[str]  # net-asset and revenue accounts with donor restrictions
    asked: dict[tuple[str, ...], dict[str, Decimal]] = field(default_factory=dict)

    def balances(self, *query: str) -> dict[str, Decimal]:
        """hledger's balance of each account for the query (debits positive)."""
        if query in self.asked:
            return self.asked[query]
        command = ["hledger", "-f", str(self.path), "balance", "--flat", "-N", "-O", "csv"]
        done = subprocess.run(  # noqa: S603
            [*command, *query], capture_output=True, text=True, check=True
        )
        sums: dict[str, Decimal] = {}
        for account, balance in list(csv.reader(io.StringIO(done.stdout)))[1:]:
            amount = balance.replace("USD", "").strip()
            sums[account] = D(amount) if amount else ZERO
        self.asked[query] = sums
        return sums


def _export(org: Organization, tmp_path: Path, name: str) -> Books:
    path = tmp_path / f"{name}.journal"
    call_command("export_ledger", org=org.slug, format="hledger", output=str(path))
    restricted = Account.objects.filter(
        net_asset_class=NetAssetClass.WITH,
        type__in=[AccountType.NET_ASSETS, AccountType.REVENUE],
    )
    return Books(path, frozenset(account_name(account, "hledger") for account in restricted))


def _root(sums: dict[str, Decimal], root: str) -> Decimal:
    return sum((v for k, v in sums.items() if k.startswith(f"{root}:")), ZERO)


def _fund_query(fund: Fund | None) -> list[str]:
    return [f"tag:fund=^{fund.code}$"] if fund is not None else []


def _after(on: date) -> str:
    return (on + timedelta(days=1)).isoformat()  # hledger's end date is exclusive


def _check_position(books: Books, on: date, fund: Fund | None) -> None:
    """The trial balance and the statement of financial position on `on`."""
    sums = books.balances("-e", _after(on), *_fund_query(fund))
    fund_id = fund.pk if fund is not None else None
    tb = trial_balance(as_of=on, fund_id=fund_id)
    ours = {
        account_name({"number": row.number, "type": row.type}, "hledger"): row.debit - row.credit
        for row in tb.rows
        if row.debit or row.credit
    }
    assert ours == {k: v for k, v in sums.items() if v}, (on, fund)
    assert tb.total_debit == tb.total_credit

    position = statement_of_financial_position(as_of=on, fund_id=fund_id).totals
    net_assets = -(_root(sums, "equity") + _root(sums, "revenues") + _root(sums, "expenses"))
    with_ = -sum((v for k, v in sums.items() if k in books.with_class), ZERO)
    assert position["total_assets"] == _root(sums, "assets"), (on, fund)
    assert position["total_liabilities"] == -_root(sums, "liabilities"), (on, fund)
    assert position["net_assets_end"] == net_assets, (on, fund)
    assert position["net_assets_with"] == with_, (on, fund)
    assert position["net_assets_without"] == net_assets - with_, (on, fund)
    assert position["total_assets"] == position["total_liabilities_and_net_assets"]


def _check_activities(books: Books, date_from: date, date_to: date, fund: Fund | None) -> None:
    """The statement of activities of a period, closing entries left out."""
    query = [
        "-b",
        date_from.isoformat(),
        "-e",
        _after(date_to),
        "not:tag:source=^closing",
        *_fund_query(fund),
    ]
    sums = books.balances(*query)
    report = statement_of_activities(
        date_from=date_from, date_to=date_to, fund_id=fund.pk if fund is not None else None
    )
    names = {
        account.pk: account_name(account, "hledger")
        for account in Account.objects.filter(type=AccountType.REVENUE)
    }
    shown = {names[row.account_id]: row.values["total"] for row in report.rows if row.account_id}
    revenue = {k: -v for k, v in sums.items() if k.startswith("revenues:") and v}
    # Every revenue account with activity has its row (releases are one line of their own).
    release_accounts = {names[a.pk] for a in Account.objects.filter(role__startswith="release_")}
    assert {k: v for k, v in shown.items() if v} == {
        k: v for k, v in revenue.items() if k not in release_accounts
    }, (date_from, date_to, fund)
    totals = report.totals
    change = -(_root(sums, "revenues") + _root(sums, "expenses"))
    change_with = -sum(
        (v for k, v in sums.items() if k in books.with_class and k.startswith("revenues:")), ZERO
    )
    assert totals["total_revenue"] == -_root(sums, "revenues"), (date_from, date_to, fund)
    assert totals["total_expenses"] == _root(sums, "expenses"), (date_from, date_to, fund)
    assert totals["change_in_net_assets"] == change
    assert totals["change_with"] == change_with
    assert totals["change_without"] == change - change_with
    assert totals.get("direct_changes", ZERO) == -_root(sums, "equity")

    def net_assets(before: str) -> Decimal:
        sums = books.balances("-e", before, *_fund_query(fund))
        return -(_root(sums, "equity") + _root(sums, "revenues") + _root(sums, "expenses"))

    assert totals["net_assets_beginning"] == net_assets(date_from.isoformat())
    assert totals["net_assets_end"] == net_assets(_after(date_to))


def _check(books: Books, periods: list[tuple[date, date]], funds: list[Fund | None]) -> None:
    for fund in funds:
        for date_from, date_to in periods:
            _check_activities(books, date_from, date_to, fund)
            _check_position(books, date_to, fund)


def _close(org: Organization, actor: Any, access: Membership, year: FiscalYear) -> None:
    fiscal_year_close(organization=org, actor=actor, access=access, fiscal_year=year)


def _closed_year_left_out(books: Books, year: FiscalYear) -> None:
    """hledger, closing entry included, sees nothing left on revenue and expense accounts for
    the closed year; the statement of activities shows the year's activity (checked above
    against hledger without the closing entry)."""
    closed = books.balances(
        "-b", year.start_date.isoformat(), "-e", _after(year.end_date), "revenues", "expenses"
    )
    assert not any(closed.values()), closed


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=entries, cut=st.tuples(days, days), close=st.booleans())
def test_statements_agree_with_hledger_on_generated_ledgers(
    books: Organization,
    cast: Any,
    general: Fund,
    tmp_path: Path,
    ledger: list[tuple[Any, ...]],
    cut: tuple[int, int],
    close: bool,
) -> None:
    admin = cast["admin"]
    with transaction.atomic():
        ctx: dict[str, Any] = {
            "funds": [
                general,
                Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE),
                Fund.objects.create(code="LATER", name="Next year", restriction=Restriction.TIME),
            ],
            "programs": [
                Program.objects.create(code="P1", name="Meals"),
                Program.objects.create(code="P2", name="Shelter"),
            ],
            "access": Membership.objects.get(user=admin),
        }
        for entry in ledger:
            _apply(books, admin, entry, ctx)
        year = FiscalYear.objects.filter(end_date__lt=TODAY).order_by("start_date").first()
        if close and year is not None:
            _close(books, admin, ctx["access"], year)
        exported = _export(books, tmp_path, "books")
        start, end = sorted(BASE + timedelta(days=d) for d in cut)
        periods = [(start, end), (BASE, TODAY)]
        if year is not None:
            periods.append((year.start_date, year.end_date))
        _check(exported, periods, [None, *ctx["funds"]])
        if close and year is not None:
            _closed_year_left_out(exported, year)
        transaction.set_rollback(True)


@pytest.mark.parametrize("seed", [3, 11])
def test_generated_organizations_agree_with_hledger_before_and_after_a_close(
    seed: int, cast: Any, tmp_path: Path
) -> None:
    first_year = TODAY.year - 3  # two fiscal years, all of them over (one starts in July)
    options = GenerateOptions(
        orgs=2, years=2, scale=0.002, seed=seed, first_year=first_year, prefix=f"hl{seed}"
    )
    generate(options)
    for org in Organization.objects.filter(slug__startswith=f"hl{seed}-").order_by("slug"):
        admin = cast["admin"]
        # The generator makes no members: the admin of organization A closes the year here.
        access = membership_set(organization=org, user=admin, role=Role.ADMIN)
        with org_context(org):
            # The two generated years (the organization also has the year of today).
            first, second = FiscalYear.objects.order_by("start_date")[:2]
            assert second.start_date == first.end_date + timedelta(days=1)
            assert second.end_date < TODAY
            middle = first.start_date + (second.end_date - first.start_date) / 2
            periods = [
                (first.start_date, first.end_date),
                (second.start_date, second.end_date),
                (first.start_date + timedelta(days=40), middle),
                (middle + timedelta(days=1), second.end_date),
            ]
            funds: list[Fund | None] = [None, *Fund.objects.order_by("code")]
            _check(_export(org, tmp_path, f"{org.slug}-open"), periods, funds)

            _close(org, admin, access, first)
            first.refresh_from_db()
            assert first.status == PeriodStatus.CLOSED
            assert first.closing_entry is not None
            closed = _export(org, tmp_path, f"{org.slug}-closed")
            _check(closed, periods, funds)
            _closed_year_left_out(closed, first)
            # ... while the statement still shows the closed year's activity.
            activities = statement_of_activities(
                date_from=first.start_date, date_to=first.end_date
            ).totals
            assert activities["total_revenue"] > 0
            assert activities["total_expenses"] > 0
