"""/api/v1 bank accounts, lines, statements and column profiles, with real tokens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ifm.banking.accounts.tests.conftest import account
from ifm.banking.models import (
    BankAccount,
    BankTransaction,
    CsvProfile,
    Match,
    Reconciliation,
    Statement,
)
from ifm.banking.tests.factories import bank_account as other_org_account
from ifm.banking.tests.factories import csv_profile as other_org_profile
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(in_a: Any, cast: dict[str, Any]) -> dict[str, Client]:
    return {role: api_client_for(cast[role], in_a) for role in ("finance", "viewer", "staff")}


def _create(client: Client, **extra: Any) -> Any:
    body = {"name": "Checking", "ledger_account_id": account("1010").pk, **extra}
    return send_json(client, "POST", "/api/v1/bank-accounts", body)


def test_create_read_and_change_a_bank_account(clients: dict[str, Client]) -> None:
    finance = clients["finance"]
    made = _create(finance, institution="First Bank", account_number="DE89 3704 0044 0532 0130 00")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["account_last_digits"] == "3000"
    assert body["masked_number"] == "••••3000"
    assert body["currency"] == "USD"
    assert body["unmatched_count"] == 0
    url = f"/api/v1/bank-accounts/{body['id']}"
    assert clients["viewer"].get(url).json()["name"] == "Checking"
    changed = send_json(finance, "PATCH", url, {"version": 1, "name": "Main", "is_archived": True})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["is_archived"], changed.json()["version"]) == (
        "Main",
        True,
        2,
    )
    stale = send_json(finance, "PATCH", url, {"version": 1, "name": "Stale"})
    assert_problem(stale, 409)
    assert BankAccount.objects.get().name == "Main"
    listed = clients["viewer"].get("/api/v1/bank-accounts?archived=true").json()
    assert [a["name"] for a in listed["items"]] == ["Main"]
    assert clients["viewer"].get("/api/v1/bank-accounts").json()["items"] == []


def test_bad_input_is_a_422_naming_the_field(clients: dict[str, Client]) -> None:
    problem = assert_problem(_create(clients["finance"], ledger_account_id=account("4000").pk), 422)
    assert [e["field"] for e in problem["errors"]] == ["ledger_account"]
    problem = assert_problem(_create(clients["finance"], colour="blue"), 422)
    assert problem["errors"][0]["field"] == "colour"
    assert not BankAccount.objects.exists()


def test_a_viewer_reads_but_may_not_write(clients: dict[str, Client]) -> None:
    assert_problem(_create(clients["viewer"]), 403)
    assert_problem(clients["staff"].get("/api/v1/bank-accounts"), 403)
    made = _create(clients["finance"]).json()
    patch = send_json(
        clients["viewer"], "PATCH", f"/api/v1/bank-accounts/{made['id']}", {"version": 1}
    )
    assert_problem(patch, 403)


def test_another_organizations_ids_are_404(clients: dict[str, Client], org_b: Any) -> None:
    theirs = other_org_account(org_b)
    profile = other_org_profile(org_b)
    for path in (
        f"/api/v1/bank-accounts/{theirs.pk}",
        f"/api/v1/bank-accounts/{theirs.pk}/transactions",
        f"/api/v1/bank-accounts/{theirs.pk}/statements",
        f"/api/v1/bank-csv-profiles/{profile.pk}",
    ):
        assert_problem(clients["finance"].get(path), 404)
    patch = send_json(
        clients["finance"], "PATCH", f"/api/v1/bank-accounts/{theirs.pk}", {"version": 1}
    )
    assert_problem(patch, 404)


def test_creating_twice_with_one_idempotency_key_creates_one(clients: dict[str, Client]) -> None:
    key = {"HTTP_IDEMPOTENCY_KEY": "6a0b1a44-bank-account"}
    body = {"name": "Checking", "ledger_account_id": account("1010").pk}
    first = send_json(clients["finance"], "POST", "/api/v1/bank-accounts", body, **key)
    again = send_json(clients["finance"], "POST", "/api/v1/bank-accounts", body, **key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert BankAccount.objects.count() == 1


def _lines(bank_account: BankAccount) -> None:
    statement = Statement.objects.create(
        organization=bank_account.organization,
        bank_account=bank_account,
        format="ofx",
        filename="s.ofx",
        sha256="0" * 64,
        closing_balance=Decimal("70.00"),
        line_count=3,
    )
    # A reconciled line is in a match and in a finished reconciliation (the table's rule).
    match = Match.objects.create(
        organization=bank_account.organization,
        bank_account=bank_account,
        cleared_on=date(2026, 2, 3),
    )
    reconciliation = Reconciliation.objects.create(
        organization=bank_account.organization,
        bank_account=bank_account,
        statement_date=date(2026, 2, 28),
        statement_balance=Decimal("70.00"),
        status="finished",
    )
    for n, (amount, status) in enumerate(
        [("100.00", "unmatched"), ("-30.00", "unmatched"), ("-0.50", "reconciled")]
    ):
        reconciled = status == "reconciled"
        BankTransaction.objects.create(
            organization=bank_account.organization,
            bank_account=bank_account,
            statement=statement,
            date=date(2026, 2, 1 + n),
            amount=Decimal(amount),
            payee=f"Payee {n}",
            status=status,
            identity=f"h:{n}",
            match=match if reconciled else None,
            reconciliation=reconciliation if reconciled else None,
        )


def test_lines_with_signed_amounts_filtered_by_status(
    clients: dict[str, Client], checking: BankAccount
) -> None:
    _lines(checking)
    base = f"/api/v1/bank-accounts/{checking.pk}"
    items = clients["viewer"].get(f"{base}/transactions").json()["items"]
    assert [(i["date"], i["amount"], i["status"]) for i in items] == [
        ("2026-02-03", "-0.50", "reconciled"),
        ("2026-02-02", "-30.00", "unmatched"),
        ("2026-02-01", "100.00", "unmatched"),
    ]
    assert set(items[0]) >= {"id", "date", "amount", "payee", "memo", "reference", "status"}
    unmatched = clients["viewer"].get(f"{base}/transactions?status=unmatched").json()["items"]
    assert len(unmatched) == 2
    page = clients["viewer"].get(f"{base}/transactions?limit=2").json()
    rest = clients["viewer"].get(f"{base}/transactions?limit=2&cursor={page['next']}").json()
    assert len(page["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next"] is None
    assert_problem(clients["viewer"].get(f"{base}/transactions?status=lost"), 422)
    assert (
        clients["viewer"].get(f"/api/v1/bank-accounts/{checking.pk}").json()["unmatched_count"] == 2
    )
    statements = clients["viewer"].get(f"{base}/statements").json()["items"]
    assert statements[0]["closing_balance"] == "70.00"
    assert statements[0]["line_count"] == 3


def test_column_profiles(clients: dict[str, Client]) -> None:
    body = {
        "name": "Chase",
        "date_column": "Posting Date",
        "date_format": "%m/%d/%Y",
        "amount_column": "Amount",
        "payee_column": "Description",
    }
    made = send_json(clients["finance"], "POST", "/api/v1/bank-csv-profiles", body)
    assert made.status_code == 201, made.content
    assert_problem(send_json(clients["viewer"], "POST", "/api/v1/bank-csv-profiles", body), 403)
    clash = assert_problem(
        send_json(clients["finance"], "POST", "/api/v1/bank-csv-profiles", body), 422
    )
    assert clash["errors"][0]["field"] == "name"
    listed = clients["viewer"].get("/api/v1/bank-csv-profiles").json()["items"]
    assert [p["name"] for p in listed] == ["Chase"]
    url = f"/api/v1/bank-csv-profiles/{made.json()['id']}"
    changed = send_json(clients["finance"], "PATCH", url, {"version": 1, "decimal_comma": True})
    assert changed.json()["decimal_comma"] is True
    assert CsvProfile.objects.get().version == 2
