"""Banking's demo step: an organization's month-end as the demo shows it, made once and fast."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest

from ifm.banking import demo as banking_demo
from ifm.banking.models import (
    BankAccount,
    BankRule,
    BankTransaction,
    Match,
    MatchVia,
    Reconciliation,
    Statement,
)
from ifm.banking.reconciliation.selectors import reconciliation_figures
from ifm.core.org_context import org_context
from ifm.ledger.demo import month_start
from ifm.ledger.models import JournalLine
from ifm.orgs import demo
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def timed_banking(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each run of the banking step took (the registry's step, timed)."""
    took: list[float] = []
    step = demo._STEPS["banking"]

    def run(ctx: demo.DemoContext) -> str:
        t0 = time.perf_counter()
        try:
            return step.run(ctx)
        finally:
            took.append(time.perf_counter() - t0)

    monkeypatch.setitem(demo._STEPS, "banking", demo.DemoStep("banking", run, step.after))
    return took


def _counts() -> dict[str, int]:
    models = [BankAccount, Statement, BankTransaction, Match, BankRule, Reconciliation]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["JournalLine"] = JournalLine.objects.count()
    return counts


def test_demo_reconciles_a_month_and_leaves_the_next_in_progress(
    org_a: Organization, cast: dict[str, Any], timed_banking: list[float]
) -> None:
    report = dict(demo.seed_organization(org_a, cast, donors=12, today=TODAY))
    assert "reconciled" in report["banking"], report["banking"]
    assert len(timed_banking) == 1
    assert timed_banking[0] < 1.0, f"the step took {timed_banking[0]:.2f} s"
    first_end = month_start(TODAY, 1) - timedelta(days=1)
    end = month_start(TODAY) - timedelta(days=1)
    with org_context(org_a):
        account = BankAccount.objects.get()
        assert account.name == "Operating checking"
        # On the cash account the expenses are paid from and the deposits go to.
        assert account.ledger_account.number == "1010"
        assert account.ledger_account.role == "default_bank"

        statement = Statement.objects.get()
        assert statement.format == "ofx"
        assert statement.end_date is not None
        assert statement.end_date <= end
        assert statement.start_date is not None
        assert statement.start_date >= month_start(TODAY, 2)
        lines = BankTransaction.objects.filter(bank_account=account)
        assert lines.count() == statement.imported_count >= 5
        # Most lines are matched; what is left is the bank's interest the books lack.
        left = list(lines.filter(status="unmatched"))
        assert [line.payee for line in left] == ["Interest paid"]
        assert left[0].amount > 0
        assert lines.exclude(status="unmatched").count() >= 0.8 * lines.count()
        vias = set(Match.objects.values_list("via", flat=True))
        assert MatchVia.RULE in vias
        assert vias & {MatchVia.SUGGESTION, MatchVia.MANUAL}

        rule = BankRule.objects.get()
        assert rule.name == "Service charge"
        fees = lines.filter(payee="Service charge")
        assert fees.count() == 2
        assert all(fee.match is not None and fee.match.rule_id == rule.pk for fee in fees)

        finished, in_progress = Reconciliation.objects.order_by("statement_date")
        assert (finished.status, finished.statement_date) == ("finished", first_end)
        assert finished.book_balance is not None
        assert (in_progress.status, in_progress.statement_date) == ("open", end)
        assert lines.filter(date__lte=first_end).exclude(status="reconciled").count() == 0
        assert lines.filter(date__gt=first_end, status="reconciled").count() == 0
        # The second month is off by exactly the interest, until it is entered.
        figures = reconciliation_figures(in_progress)
        assert figures.difference == left[0].amount
        assert in_progress.statement_balance == statement.closing_balance

        # The latest items of the books are not on the statement yet.
        on_bank = set(
            JournalLine.objects.filter(
                pk__in=Match.objects.values_list("ledger_lines__journal_line_id", flat=True)
            ).values_list("pk", flat=True)
        )
        recent = JournalLine.objects.filter(account=account.ledger_account, date__gt=end)
        assert recent.exists()
        assert not set(recent.values_list("pk", flat=True)) & on_bank

        before = _counts()
    again = dict(demo.seed_organization(org_a, cast, donors=12, today=TODAY))
    assert again["banking"] == "already there"
    with org_context(org_a):
        assert _counts() == before


def test_the_step_itself_adds_nothing_the_second_time(
    org_a: Organization, cast: dict[str, Any]
) -> None:
    """Run without the registry's record (a partial seed): it still adds no second account."""
    demo.seed_organization(org_a, cast, donors=4, today=TODAY)
    ctx = demo.DemoContext(organization=org_a, users=cast, donors=4, today=TODAY)
    with org_context(org_a):
        before = _counts()
        assert banking_demo.seed(ctx) == "already there"
        assert _counts() == before


def test_check_numbers_are_read_from_the_payment_memo() -> None:
    assert banking_demo._check_number("Payment of EXP-4: Office Depot by check 1004") == "1004"
    assert banking_demo._check_number("Transfer to savings") == ""
    assert banking_demo._check_number("Payment of EXP-2: by check") == ""
