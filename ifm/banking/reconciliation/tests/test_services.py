"""Reconciliation: the figures, starting, finishing only at 0.00, reopening with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.banking.models import BankAccount, BankTransaction, Reconciliation
from ifm.banking.reconciliation import selectors, services
from ifm.banking.reconciliation.services import (
    ReconciledLineError,
    ReconciliationConflict,
    ensure_not_reconciled,
    reconciliation_figures,
    reconciliation_finish,
    reconciliation_reopen,
    reconciliation_start,
)
from ifm.banking.reconciliation.tests.factories import (
    bank_lines,
    match,
    matched_pair,
    post_cash,
)
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)


def _scenario(org: Any, account: BankAccount) -> dict[str, Any]:
    """January: a 1,000.00 opening deposit and a 200.00 check, both cleared; a 50.00 deposit and
    a 30.00 check in the books the bank has not seen; a 5.00 fee the books lack."""
    opening, _ = matched_pair(org, account, "1000.00", date(2026, 1, 2))
    check, _ = matched_pair(org, account, "-200.00", date(2026, 1, 10), cleared=date(2026, 1, 14))
    deposit = post_cash(org, "50.00", date(2026, 1, 30), memo="Deposit in transit")
    uncashed = post_cash(org, "-30.00", date(2026, 1, 29), memo="Check 1002")
    (fee,) = bank_lines(org, account, [(date(2026, 1, 31), "-5.00", "Service charge")])
    return {"deposit": deposit, "uncashed": uncashed, "fee": fee, "cleared": [opening, check]}


def test_figures_follow_the_definitions(org_a: Any, account: BankAccount, finance: Any) -> None:
    _scenario(org_a, account)
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("795.00")
    )
    f = reconciliation_figures(rec)
    assert f.book_balance == Decimal("820.00")  # 1000 - 200 + 50 - 30
    assert (f.deposits_in_transit, f.deposits_in_transit_count) == (Decimal("50.00"), 1)
    assert (f.outstanding_payments, f.outstanding_payments_count) == (Decimal("30.00"), 1)
    assert f.adjusted_bank_balance == Decimal("815.00")  # 795 + 50 - 30
    assert f.difference == Decimal("-5.00")  # the fee the books lack
    assert f.cleared_balance == Decimal("800.00")
    assert f.statement_balance - f.cleared_balance == f.difference
    assert (f.unmatched_bank_count, f.unmatched_bank_total) == (1, Decimal("-5.00"))
    assert f.cleared_count == 2
    deposits = selectors.outstanding_items(rec, kind="deposits")
    payments = selectors.outstanding_items(rec, kind="payments")
    assert [(i.amount, i.memo) for i in deposits] == [(Decimal("50.00"), "Deposit in transit")]
    assert [(i.amount, i.memo) for i in payments] == [(Decimal("-30.00"), "Check 1002")]
    assert [b.payee for b in selectors.not_cleared_bank_items(rec)] == ["Service charge"]


def test_a_reconciliation_with_a_difference_cannot_be_finished(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    items = _scenario(org_a, account)
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("795.00")
    )
    with pytest.raises(ReconciliationConflict, match=r"difference is -5\.00 USD") as caught:
        reconciliation_finish(**finance, reconciliation=rec)
    assert caught.value.status == 409
    assert caught.value.errors[0]["field"] == "difference"
    rec.refresh_from_db()
    assert rec.status == "open"
    assert rec.finished_at is None
    assert not BankTransaction.objects.filter(status="reconciled").exists()
    # The fee enters the books and is matched: now it balances.
    fee_line = post_cash(org_a, "-5.00", date(2026, 1, 31), memo="Bank fee")
    match(org_a, [items["fee"]], [fee_line])
    assert reconciliation_figures(rec).difference == 0
    reconciliation_finish(**finance, reconciliation=rec)


def test_finishing_locks_the_cleared_lines_and_keeps_the_figures(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    items = _scenario(org_a, account)
    fee_line = post_cash(org_a, "-5.00", date(2026, 1, 31))
    match(org_a, [items["fee"]], [fee_line])
    # February's line is matched already but not on January's statement.
    later, _ = matched_pair(org_a, account, "70.00", date(2026, 2, 3))
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("795.00")
    )
    reconciliation_finish(**finance, reconciliation=rec)
    rec.refresh_from_db()
    assert rec.status == "finished"
    assert rec.finished_by == finance["actor"]
    assert rec.finished_at is not None
    assert (rec.book_balance, rec.cleared_balance) == (Decimal("815.00"), Decimal("795.00"))
    assert (rec.deposits_in_transit, rec.outstanding_payments) == (
        Decimal("50.00"),
        Decimal("30.00"),
    )
    assert rec.books_from == date(2026, 1, 2)
    reconciled = BankTransaction.objects.filter(reconciliation=rec)
    assert reconciled.count() == 3
    assert set(reconciled.values_list("status", flat=True)) == {"reconciled"}
    later.refresh_from_db()
    assert later.status == "matched"
    assert later.reconciliation is None
    event = AuditEvent.objects.get(action="reconciliation.finish")
    assert event.changes["lines_reconciled"] == 3
    with pytest.raises(ReconciledLineError, match="reopen its reconciliation"):
        ensure_not_reconciled(list(reconciled))
    ensure_not_reconciled([later])
    with pytest.raises(ReconciliationConflict, match="already finished"):
        reconciliation_finish(**finance, reconciliation=rec)


def test_a_finished_reconciliation_reports_what_it_was(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    """Later matches and backdated entries change the next reconciliation, not this one."""
    _scenario(org_a, account)
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("800.00")
    )
    # The fee is left out of this statement's balance on purpose (a bank error, say).
    with org_context(org_a):
        BankTransaction.objects.filter(payee="Service charge").update(date=date(2026, 2, 1))
    rec = reconciliation_finish(**finance, reconciliation=rec)
    before = reconciliation_figures(rec)
    # The 50.00 deposit clears in January after all (a late-imported line), and an entry
    # dated in January is posted after finishing.
    (late,) = bank_lines(org_a, account, [(date(2026, 1, 31), "50.00", "Deposit")])
    deposit = selectors.outstanding_items(rec, kind="deposits")[0]
    from ifm.ledger.models import JournalLine

    match(org_a, [late], [JournalLine.objects.get(pk=deposit.journal_line_id)])
    post_cash(org_a, "-12.00", date(2026, 1, 20), memo="Backdated")
    after = reconciliation_figures(rec)
    assert after == before
    assert [i.amount for i in selectors.outstanding_items(rec, kind="payments")] == [
        Decimal("-30.00")
    ]
    assert selectors.not_cleared_bank_items(rec) == []


def test_ledger_lines_before_the_first_statement_are_in_its_opening_balance(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    post_cash(org_a, "500.00", date(2026, 1, 1), memo="Opening balance")
    lines = bank_lines(
        org_a,
        account,
        [(date(2026, 1, 5), "-40.00", "Utility")],
        start_date=date(2026, 1, 2),
        opening_balance=Decimal("500.00"),
        closing_balance=Decimal("460.00"),
        closing_balance_date=JAN,
    )
    match(org_a, lines, [post_cash(org_a, "-40.00", date(2026, 1, 4))])
    rec = reconciliation_start(**finance, bank_account=account, statement_date=JAN)
    assert rec.statement_balance == Decimal("460.00")  # from the imported statement
    f = reconciliation_figures(rec)
    assert f.books_from == date(2026, 1, 2)
    assert (f.book_balance, f.deposits_in_transit, f.difference) == (
        Decimal("460.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_a_match_that_clears_after_the_statement_date_is_not_cleared(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    """Two bank lines (31 January and 2 February) for one transfer: on January's statement the
    first is not cleared, and the ledger line is still in transit."""
    ledger = post_cash(org_a, "100.00", date(2026, 1, 30))
    lines = bank_lines(
        org_a, account, [(date(2026, 1, 31), "60.00", "Part 1"), (date(2026, 2, 2), "40.00", "P2")]
    )
    match(org_a, lines, [ledger])
    rec = reconciliation_start(
        **finance,
        bank_account=account,
        statement_date=JAN,
        statement_balance=Decimal("60.00"),
        books_from=date(2026, 1, 1),
    )
    f = reconciliation_figures(rec)
    assert (f.deposits_in_transit, f.unmatched_bank_total, f.cleared_count) == (
        Decimal("100.00"),
        Decimal("60.00"),
        0,
    )
    assert [b.payee for b in selectors.not_cleared_bank_items(rec)] == ["Part 1"]
    assert f.difference == Decimal("60.00")


def test_start_checks(org_a: Any, account: BankAccount, finance: Any) -> None:
    with pytest.raises(ServiceError, match="No imported statement closes on 2026-01-31") as e:
        reconciliation_start(**finance, bank_account=account, statement_date=JAN)
    assert e.value.errors[0]["field"] == "statement_balance"
    with pytest.raises(ServiceError, match="future"):
        reconciliation_start(
            **finance,
            bank_account=account,
            statement_date=date(2199, 1, 1),
            statement_balance=Decimal(0),
        )
    with pytest.raises(ServiceError, match="decimal number"):
        reconciliation_start(
            **finance,
            bank_account=account,
            statement_date=JAN,
            statement_balance=1.5,  # type: ignore[arg-type]
        )
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("-10.00")
    )
    assert rec.statement_balance == Decimal("-10.00")  # an overdrawn account
    with pytest.raises(ReconciliationConflict, match="in progress"):
        reconciliation_start(
            **finance, bank_account=account, statement_date=FEB, statement_balance=Decimal(0)
        )
    services.reconciliation_discard(**finance, reconciliation=rec)
    assert not Reconciliation.objects.exists()
    first = reconciliation_start(
        **finance, bank_account=account, statement_date=FEB, statement_balance=Decimal(0)
    )
    reconciliation_finish(**finance, reconciliation=first)
    with pytest.raises(ServiceError, match="reconciled to 2026-02-28") as e:
        reconciliation_start(
            **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal(0)
        )
    assert e.value.errors[0]["field"] == "statement_date"
    with pytest.raises(ReconciliationConflict, match="cannot be discarded"):
        services.reconciliation_discard(**finance, reconciliation=first)


def test_another_organizations_account_is_refused(
    org_a: Any, org_b: Any, account: BankAccount, finance: Any
) -> None:
    from ifm.banking.reconciliation.tests.factories import books

    other = books(org_b)
    with pytest.raises(ServiceError, match="bank account of this organization"):
        reconciliation_start(
            **finance, bank_account=other.pk, statement_date=JAN, statement_balance=Decimal(0)
        )


def test_a_viewer_cannot_reconcile(org_a: Any, account: BankAccount, cast: Any) -> None:
    viewer = cast["viewer"]
    with pytest.raises(PermissionDenied):
        reconciliation_start(
            organization=org_a,
            actor=viewer,
            access=Membership.objects.get(user=viewer),
            bank_account=account,
            statement_date=JAN,
            statement_balance=Decimal(0),
        )


def test_update_balance_needs_the_version_and_an_open_reconciliation(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    rec = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("1.00")
    )
    services.reconciliation_update_balance(
        **finance, reconciliation=rec, statement_balance=Decimal("0.00"), expected_version=1
    )
    with pytest.raises(ServiceError) as stale:
        services.reconciliation_update_balance(
            **finance, reconciliation=rec, statement_balance=Decimal("2.00"), expected_version=1
        )
    assert stale.value.status == 409
    reconciliation_finish(**finance, reconciliation=rec)
    with pytest.raises(ReconciliationConflict, match="reopen it to change it"):
        services.reconciliation_update_balance(
            **finance, reconciliation=rec, statement_balance=Decimal("3.00"), expected_version=3
        )


def test_reopen_needs_a_reason_and_only_the_latest(
    org_a: Any, account: BankAccount, finance: Any
) -> None:
    line, _ = matched_pair(org_a, account, "10.00", date(2026, 1, 5))
    first = reconciliation_start(
        **finance, bank_account=account, statement_date=JAN, statement_balance=Decimal("10.00")
    )
    reconciliation_finish(**finance, reconciliation=first)
    second = reconciliation_start(
        **finance, bank_account=account, statement_date=FEB, statement_balance=Decimal("10.00")
    )
    with pytest.raises(ReconciliationConflict, match="not finished"):
        reconciliation_reopen(**finance, reconciliation=second, reason="Typo")
    reconciliation_finish(**finance, reconciliation=second)
    with pytest.raises(ServiceError, match="Say why") as e:
        reconciliation_reopen(**finance, reconciliation=first, reason="   ")
    assert e.value.errors[0]["field"] == "reason"
    with pytest.raises(ReconciliationConflict, match=r"reopen the one of .* 2026-02-28 first"):
        reconciliation_reopen(**finance, reconciliation=first, reason="Wrong balance")
    reconciliation_reopen(**finance, reconciliation=second, reason="Wrong balance")
    with pytest.raises(ReconciliationConflict, match="in progress"):
        reconciliation_reopen(**finance, reconciliation=first, reason="Wrong balance")
    services.reconciliation_discard(**finance, reconciliation=second)
    reconciliation_reopen(**finance, reconciliation=first, reason="Wrong balance")
    line.refresh_from_db()
    assert (line.status, line.reconciliation) == ("matched", None)
    first.refresh_from_db()
    assert first.status == "open"
    assert first.reopen_reason == "Wrong balance"
    assert first.reopened_by == finance["actor"]
    assert first.book_balance is None
    events = AuditEvent.objects.filter(action="reconciliation.reopen").order_by("id")
    assert [e.changes["lines_released"] for e in events] == [0, 1]
    assert events[1].changes["reason"] == "Wrong balance"
    # Open again: it can be finished again, and locks the line again.
    reconciliation_finish(**finance, reconciliation=first)
    line.refresh_from_db()
    assert line.status == "reconciled"
