"""The reconciliation pages: list, start, the reconciliation with its figures and items, finish,
reopen, discard, exports and the report."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from ifm.banking.models import BankAccount, Reconciliation
from ifm.banking.reconciliation.tests.factories import bank_lines, matched_pair, post_cash
from ifm.conftest import client_for

pytestmark = pytest.mark.django_db
BASE = "/o/alpha/banking/reconciliations/"


@pytest.fixture
def finance_client(cast: dict[str, Any]) -> Client:
    return client_for(cast["finance"])


@pytest.fixture
def items(org_a: Any, account: BankAccount) -> None:
    matched_pair(org_a, account, "300.00", date(2026, 1, 3))
    post_cash(org_a, "75.00", date(2026, 1, 30), memo="Friday deposit")
    bank_lines(org_a, account, [(date(2026, 1, 31), "-4.00", "Service charge")])


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _start(client: Client, account: BankAccount, balance: str) -> Reconciliation:
    response = client.post(
        BASE + "new/",
        {"bank_account": account.pk, "statement_date": "2026-01-31", "statement_balance": balance},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Reconciliation.objects.get()


def test_empty_list_invites_to_start(finance_client: Client, account: BankAccount) -> None:
    page = finance_client.get(BASE).content.decode()
    assert "No reconciliations yet." in page
    assert "Start a reconciliation" in page


def test_start_and_see_the_figures(
    finance_client: Client, account: BankAccount, items: None
) -> None:
    form = finance_client.get(BASE + f"new/?bank_account={account.pk}")
    assert form.status_code == 200
    rec = _start(finance_client, account, "$296.00")
    page = finance_client.get(BASE + f"{rec.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Friday deposit" in text
    assert "Service charge" in text
    assert "The difference is <strong>-4.00 USD</strong>" in text
    assert 'disabled aria-describedby="finish-help"' in text
    # The finish is refused by the service too.
    response = finance_client.post(BASE + f"{rec.pk}/finish/", follow=True)
    assert "difference is -4.00 USD" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "open"
    fragment = finance_client.get(BASE + f"{rec.pk}/?part=figures", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="reconciliation-figures"')


def test_bad_start_shows_errors_beside_fields(finance_client: Client, account: BankAccount) -> None:
    response = finance_client.post(
        BASE + "new/", {"bank_account": account.pk, "statement_date": "2026-01-31"}
    )
    assert response.status_code == 200
    assert "No imported statement closes on 2026-01-31" in response.content.decode()
    response = finance_client.post(
        BASE + "new/",
        {"bank_account": account.pk, "statement_date": "soon", "statement_balance": "12,34"},
    )
    text = response.content.decode()
    assert "Type a date as" in text
    assert "Type an amount" in text
    assert not Reconciliation.objects.exists()


def test_finish_reopen_and_discard(
    finance_client: Client, account: BankAccount, items: None
) -> None:
    rec = _start(finance_client, account, "296.00")
    balance = finance_client.post(
        BASE + f"{rec.pk}/balance/", {"statement_balance": "300.00", "version": rec.version}
    )
    assert balance.status_code == 302
    stale = finance_client.post(
        BASE + f"{rec.pk}/balance/", {"statement_balance": "1.00", "version": rec.version}
    )
    assert stale.status_code == 422
    assert "reload it" in stale.content.decode()
    finished = finance_client.post(BASE + f"{rec.pk}/finish/", follow=True)
    assert "finished: its lines are locked" in finished.content.decode()
    rec.refresh_from_db()
    assert rec.status == "finished"
    page = finance_client.get(BASE + f"{rec.pk}/").content.decode()
    assert "Reopen…" in page
    assert "Finish the reconciliation" not in page
    refused = finance_client.post(BASE + f"{rec.pk}/reopen/", {"reason": ""})
    assert refused.status_code == 422
    reopened = finance_client.post(BASE + f"{rec.pk}/reopen/", {"reason": "Wrong month"})
    assert reopened.status_code == 302
    page = finance_client.get(BASE + f"{rec.pk}/").content.decode()
    assert "Wrong month" in page
    discarded = finance_client.post(BASE + f"{rec.pk}/discard/")
    assert discarded.status_code == 302
    assert not Reconciliation.objects.exists()


def test_exports_and_report(finance_client: Client, account: BankAccount, items: None) -> None:
    rec = _start(finance_client, account, "296.00")
    csv = finance_client.get(BASE + f"{rec.pk}/deposits.csv")
    assert csv.status_code == 200
    body = _streamed(csv)
    assert "Friday deposit" in body
    assert "75.00" in body
    xlsx = finance_client.get(BASE + f"{rec.pk}/bank.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "Service charge"
    listed = finance_client.get(BASE + "export.csv")
    assert "2026-01-31" in _streamed(listed)
    account_list = finance_client.get(BASE + f"account/{account.pk}/")
    assert account_list.status_code == 200
    assert "2026-01-31" in account_list.content.decode()
    pdf = finance_client.get(BASE + f"{rec.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_viewer_sees_but_cannot_reconcile(
    cast: Any, finance_client: Client, account: BankAccount, items: None
) -> None:
    rec = _start(finance_client, account, "296.00")
    viewer = client_for(cast["viewer"])
    page = viewer.get(BASE + f"{rec.pk}/")
    assert page.status_code == 200
    assert "Finish the reconciliation" not in page.content.decode()
    assert viewer.get(BASE + "new/").status_code == 403
    assert viewer.post(BASE + f"{rec.pk}/finish/").status_code == 403
    assert client_for(cast["staff"]).get(BASE).status_code == 403


def test_long_lists_are_paged(finance_client: Client, org_a: Any, account: BankAccount) -> None:
    bank_lines(
        org_a,
        account,
        [(date(2026, 1, 1 + i % 28), f"-{i + 1}.00", f"Fee {i}") for i in range(60)],
    )
    rec = _start(finance_client, account, "0")
    first = finance_client.get(BASE + f"{rec.pk}/").content.decode()
    assert "1\u201350 of 60" in first
    second = finance_client.get(BASE + f"{rec.pk}/?bank_page=2").content.decode()
    assert "51\u201360 of 60" in second
    assert finance_client.get(BASE + f"{rec.pk}/?bank_page=999999999999").status_code == 200
