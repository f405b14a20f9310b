"""POST /api/v1/bank-accounts/{id}/statements: 201 with what was imported, 422 with every
problem and nothing stored, 404 for another organization's account, 403 for a viewer, and
an Idempotency-Key that makes a retried upload import nothing twice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.banking.accounts.services import csv_profile_create
from ifm.banking.imports.tests.conftest import line, month_of_lines
from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.banking.statements.generate import csv_bytes, ofx_bytes
from ifm.banking.tests.factories import bank_account as other_org_account
from ifm.banking.tests.factories import csv_profile as other_org_profile
from ifm.core.tests.api_helpers import api_client_for, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(in_a: Any, cast: dict[str, Any]) -> dict[str, Client]:
    return {role: api_client_for(cast[role], in_a) for role in ("finance", "viewer")}


def _post(client: Client, account_id: int, data: bytes, name: str = "s.ofx", **extra: Any) -> Any:
    form: dict[str, Any] = {"file": SimpleUploadedFile(name, data)}
    form.update({k: v for k, v in extra.items() if not k.startswith("HTTP_")})
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    return client.post(f"/api/v1/bank-accounts/{account_id}/statements", form, **headers)


def _ofx(lines: list[Any] | None = None, **kw: Any) -> bytes:
    kw.setdefault("account_number", "000123456789")
    kw.setdefault("currency", "USD")
    return ofx_bytes(lines or month_of_lines(date(2026, 3, 1), 10, with_ids=True), **kw)


def test_an_ofx_file_is_imported_and_again_adds_nothing(
    clients: dict[str, Client], checking: BankAccount
) -> None:
    lines = month_of_lines(date(2026, 3, 1), 10, with_ids=True)
    data = _ofx(lines, closing_balance=None)
    first = _post(clients["finance"], checking.pk, data)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["format"] == "ofx"
    assert body["imported"] == len(lines)
    assert body["duplicates"] == 0
    assert (body["start_date"], body["end_date"]) == ("2026-03-01", "2026-03-10")
    assert set(body) >= {"id", "opening_balance", "closing_balance"}
    again = _post(clients["finance"], checking.pk, data).json()
    assert (again["imported"], again["duplicates"]) == (0, len(lines))
    assert again["id"] != body["id"]
    assert BankTransaction.objects.count() == len(lines)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"OFXHEADER:100\r\nDATA:OFXSGML\r\n\r\n<OFX><BANKMSGSRSV1>", "file"),
        (b"", "file"),
        (b"%PDF-1.4\n%%EOF\n", "file"),
    ],
)
def test_a_bad_file_is_a_422_with_its_problems_and_changes_nothing(
    clients: dict[str, Client], checking: BankAccount, data: bytes, field: str
) -> None:
    problem = assert_problem(_post(clients["finance"], checking.pk, data), 422)
    assert problem["errors"]
    assert problem["errors"][0]["message"]
    assert not Statement.objects.exists()
    assert not BankTransaction.objects.exists()


def test_a_file_for_another_account_or_currency_is_a_422_saying_which(
    clients: dict[str, Client], checking: BankAccount
) -> None:
    data = _ofx(account_number="555544443333", currency="EUR")
    problem = assert_problem(_post(clients["finance"], checking.pk, data), 422)
    assert {e["field"] for e in problem["errors"]} == {"currency", "account_number"}
    assert "3333" in str(problem)
    assert "EUR" in str(problem)
    assert not Statement.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(
    clients: dict[str, Client], checking: BankAccount, settings: Any
) -> None:
    settings.BANKING_IMPORT_MAX_MB = 1
    problem = assert_problem(
        _post(clients["finance"], checking.pk, _ofx() + b" " * (2**20 + 1)), 422
    )
    assert problem["errors"][0]["field"] == "file"
    assert "1 MB" in problem["detail"]
    assert not Statement.objects.exists()


def test_csv_with_a_profile_and_a_profile_of_another_organization(
    clients: dict[str, Client], checking: BankAccount, finance: dict[str, Any], org_b: Any
) -> None:
    profile = csv_profile_create(
        **finance,
        name="Generated",
        date_column="Date",
        amount_column="Amount",
        payee_column="Description",
    )
    data = csv_bytes([line("2026-04-01", "-4.50", "Coffee"), line("2026-04-02", "99.00", "Gift")])
    theirs = other_org_profile(org_b)
    problem = assert_problem(
        _post(clients["finance"], checking.pk, data, "s.csv", profile_id=theirs.pk), 422
    )
    assert problem["errors"][0]["field"] == "profile_id"
    needs = assert_problem(_post(clients["finance"], checking.pk, data, "s.csv"), 422)
    assert needs["errors"][0]["field"] == "profile"
    made = _post(clients["finance"], checking.pk, data, "s.csv", profile_id=profile.pk)
    assert made.status_code == 201, made.content
    assert (made.json()["format"], made.json()["imported"]) == ("csv", 2)


def test_permissions_and_another_organizations_account(
    clients: dict[str, Client], checking: BankAccount, org_b: Any
) -> None:
    assert_problem(_post(clients["viewer"], checking.pk, _ofx()), 403)
    theirs = other_org_account(org_b)
    assert_problem(_post(clients["finance"], theirs.pk, _ofx()), 404)
    assert_problem(_post(clients["finance"], 2**40, _ofx()), 404)
    assert not Statement.objects.exists()


@pytest.mark.parametrize("padding", [0, 3 * 2**20], ids=["small", "streamed"])
def test_a_retried_upload_with_its_idempotency_key_is_replayed(
    clients: dict[str, Client], checking: BankAccount, padding: int
) -> None:
    # An upload over the in-memory limit (2.5 MB) is streamed: its fingerprint is the file's.
    data = _ofx() + b" " * padding
    key = {"HTTP_IDEMPOTENCY_KEY": f"upload-{padding}"}
    first = _post(clients["finance"], checking.pk, data, **key)
    again = _post(clients["finance"], checking.pk, data, **key)
    assert first.status_code == again.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Statement.objects.count() == 1
    other = _post(clients["finance"], checking.pk, _ofx(month_of_lines(date(2026, 5, 1), 2)), **key)
    assert_problem(other, 422)
