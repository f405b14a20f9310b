"""The workflow with real commits: PostgreSQL's ledger triggers and row-level security check it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.expenses.models import Expense
from ifm.expenses.tests.conftest import account, general_fund
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.journal.selectors import entries_for_source

BASE = "/api/v1/expenses"


@pytest.mark.django_db(transaction=True)
def test_committed_workflow_posts_balanced_entries(
    org_a: Any, org_b: Any, cast: dict[str, Any], run_jobs: Any
) -> None:
    staff = api_client_for(cast["staff"], org_a)
    finance = api_client_for(cast["finance"], org_a)
    with org_context(org_a):
        category, fund, bank = account("8520").pk, general_fund().pk, account("1010").pk
    created = send_json(
        staff,
        "POST",
        BASE,
        {
            "kind": "bill",
            "payee": "Insurer Inc.",
            "date": date.today().isoformat(),
            "function": "management",
            "amount": "1500.00",
            "category_id": category,
            "fund_id": fund,
        },
    )
    assert created.status_code == 201, created.content
    expense_id = created.json()["id"]
    assert staff.post(f"{BASE}/{expense_id}/submit").status_code == 200
    # Above the default threshold: finance first, then an admin.
    assert finance.post(f"{BASE}/{expense_id}/approve").json()["status"] == "submitted"
    admin = api_client_for(cast["admin"], org_a)
    assert admin.post(f"{BASE}/{expense_id}/approve").json()["status"] == "approved"
    paid = send_json(
        finance,
        "POST",
        f"{BASE}/{expense_id}/pay",
        {"paid_from_account_id": bank, "date": date.today().isoformat()},
    )
    assert paid.status_code == 200, paid.content
    run_jobs()
    subjects = sorted(m.subject.split(":")[0] for m in mail.outbox)
    assert subjects == ["Approved", "Expense to approve", "Paid", "Second approval needed"]

    with org_context(org_a):
        assert Expense.objects.get(pk=expense_id).status == "paid"
        assert entries_for_source(source_type="expense", source_id=expense_id).count() == 2
        tb = trial_balance(as_of=date.today())
        assert tb.total_debit == tb.total_credit
        rows = {row.number: row for row in tb.rows}
        assert rows["8520"].debit == 1500
        assert rows["1010"].credit == 1500
    with org_context(org_b):
        assert not Expense.objects.exists()
        assert trial_balance(as_of=date.today()).rows == []
