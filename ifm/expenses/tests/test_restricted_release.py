"""An approved expense charged to a purpose-restricted fund releases that much from restriction
in its own ledger entry (the ledger's posting rule, ifm/ledger/journal/releases.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from ifm.expenses import workflow
from ifm.expenses.tests.conftest import access, account, make_expense
from ifm.ledger.balances.selectors import restricted_balance
from ifm.ledger.journal.posting import LineInput, post_entry

pytestmark = pytest.mark.django_db


def test_approving_an_expense_on_a_purpose_fund_releases_it(in_a: Any, cast: Any) -> None:
    staff, finance = cast["staff"], cast["finance"]
    fund = apps.get_model("ledger", "Fund").objects.create(
        code="R1", name="Grant", restriction="purpose", purpose="Youth"
    )
    post_entry(
        organization=in_a,
        actor=finance,
        date=date.today(),
        lines=[
            LineInput(account("1010"), fund, debit=Decimal("1000.00")),
            LineInput(account("4015"), fund, credit=Decimal("1000.00")),
        ],
    )
    expense = make_expense(in_a, staff, amount="240.00", fund=fund, submit=True)
    expense = workflow.expense_approve(
        organization=in_a, actor=finance, access=access(finance), expense=expense
    )
    entry = expense.liability_entry
    assert entry is not None
    lines = {line.account.number: (line.debit, line.credit) for line in entry.lines.all()}
    assert lines["6910"] == (Decimal("240.00"), Decimal("0.00"))
    assert lines["6915"] == (Decimal("0.00"), Decimal("240.00"))
    assert restricted_balance(fund_id=fund.pk, as_of=date.today()) == Decimal("760.00")
