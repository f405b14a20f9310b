"""The balance pages, through the Django test client, as the cast's users."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.ledger.journal.tests.test_pages import account, post, url
from ifm.ledger.models import Fund, Restriction
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(cast: dict[str, Any]) -> Any:
    return client_for(cast["finance"])


# --- Reports -------------------------------------------------------------------------------------


def test_trial_balance_page_and_export(finance: Any, org_a: Organization) -> None:
    post(org_a, "100.00")
    post(org_a, "25.50")
    html = finance.get(url("ledger:ledger_trial_balance")).content.decode()
    assert "Debits equal credits" in html
    assert "125.50" in html
    response = finance.get(url("ledger:ledger_trial_balance_csv"))
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    assert response["Content-Disposition"].startswith('attachment; filename="trial-balance-alpha-')
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Account", "Name", "Type", "Debit", "Credit"],
        ["1010", rows[1][1], "Asset", "125.50", "0.00"],
        ["4010", rows[2][1], "Revenue", "0.00", "125.50"],
        ["", "Total", "", "125.50", "125.50"],
    ]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    text = b"".join(
        finance.get(url("ledger:ledger_trial_balance_csv"), {"as_of": yesterday}).streaming_content
    ).decode()
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:] == [
        ["", "Total", "", "0.00", "0.00"]
    ]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(finance.get(url("ledger:ledger_trial_balance_xlsx")).content))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[0] == ["Account", "Name", "Type", "Debit", "Credit"]
    assert values[-1][1:] == ["Total", None, 125.5, 125.5]


def test_trial_balance_by_fund(finance: Any, org_a: Organization) -> None:
    post(org_a, "10.00")
    with org_context(org_a):
        youth = Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE)
    html = finance.get(url("ledger:ledger_trial_balance"), {"fund": youth.pk}).content.decode()
    assert "Nothing has been posted to YOUTH Youth" in html


def test_account_ledger_running_balance(finance: Any, org_a: Organization) -> None:
    today = timezone.localdate()
    with org_context(org_a):
        cash, revenue = account("1010"), account("4010")
    post(org_a, "100.00", on=today.replace(day=1))
    post(org_a, "50.00")
    html = finance.get(url("ledger:ledger_account", account_id=revenue.pk)).content.decode()
    # Revenue has a credit normal balance: it grows with credits.
    assert "normal balance: credit" in html
    assert 'id="closing-balance">150.00' in html
    later = (today + timedelta(days=1)).isoformat()
    html = finance.get(
        url("ledger:ledger_account", account_id=cash.pk), {"date_from": later}
    ).content.decode()
    assert "No postings match these filters" in html
    opening = html[html.index('id="opening-balance"') :]
    assert "150.00" in opening[: opening.index("</tr>")]


def test_fund_balances_page(finance: Any, org_a: Organization) -> None:
    post(org_a, "80.00")
    html = finance.get(url("ledger:ledger_fund_balances")).content.decode()
    assert "GEN" in html
    assert "80.00" in html
