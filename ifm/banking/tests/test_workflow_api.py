"""The accounting workflow end to end through /api/v1, as an integrator would drive it: an
expense is created, approved and paid; its payment comes back on the bank's statement (an OFX
file uploaded as multipart), is matched from the suggestions, and the month is reconciled to
0.00, with its report as PDF and Excel. Around it: a reconciliation that does not come to zero
cannot be finished, a bad file changes nothing, the same file twice adds nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.banking.models import BankTransaction, Match, Reconciliation, Statement
from ifm.banking.statements.generate import ofx_bytes
from ifm.banking.statements.types import ParsedLine
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.services import journal_entry_create
from ifm.ledger.models import Account, Fund, JournalLine
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db
API = "/api/v1"
ACCOUNT_NUMBER = "000987654321"
OPENING = Decimal("1500.00")


@pytest.fixture
def in_a(org_a: Organization, cast: dict[str, Any]) -> Any:
    with org_context(org_a):
        yield org_a


@pytest.fixture
def clients(in_a: Organization, cast: dict[str, Any]) -> dict[str, Client]:
    return {role: api_client_for(cast[role], in_a) for role in ("staff", "finance", "viewer")}


def _account(number: str) -> Account:
    return Account.objects.get(number=number)


def _general() -> Fund:
    return Fund.objects.get(is_general=True)


def _opening_deposit(org: Organization, finance: Any, on: date) -> JournalLine:
    """The money in the bank before the expense: an entry of the bookkeeper's, on the bank's
    statement as a deposit."""
    entry = journal_entry_create(
        organization=org,
        actor=finance,
        access=Membership.objects.get(user=finance),
        date=on,
        memo="Grant received",
        reference="GRANT-1",
        lines=[
            LineInput(account=_account("1010"), fund=_general(), debit=OPENING),
            LineInput(account=_account("4010"), fund=_general(), credit=OPENING),
        ],
    )
    return entry.lines.get(account__number="1010")


def _pay_an_expense(clients: dict[str, Client], on: date) -> dict[str, Any]:
    """Staff claims 80.25, finance approves it and pays it by check 1001 from the bank."""
    staff, finance = clients["staff"], clients["finance"]
    body = {
        "kind": "claim",
        "payee": "Office Depot",
        "date": on.isoformat(),
        "function": "management",
        "amount": "80.25",
        "category_id": _account("8110").pk,
        "fund_id": _general().pk,
        "description": "Printer paper and toner",
    }
    created = send_json(staff, "POST", f"{API}/expenses", body)
    assert created.status_code == 201, created.content
    url = f"{API}/expenses/{created.json()['id']}"
    assert staff.post(f"{url}/submit").status_code == 200
    approved = finance.post(f"{url}/approve")
    assert approved.status_code == 200, approved.content
    pay = {
        "paid_from_account_id": _account("1010").pk,
        "date": on.isoformat(),
        "check_number": "1001",
    }
    paid = send_json(finance, "POST", f"{url}/pay", pay)
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    return paid.json()


def _statement(on: date) -> bytes:
    """The bank's statement: the grant deposited, check 1001 cleared, a closing balance."""
    lines = [
        ParsedLine(date=on, amount=OPENING, payee="Deposit", memo="Grant", bank_id="B-0001"),
        ParsedLine(
            date=on,
            amount=Decimal("-80.25"),
            payee="Check",
            memo="Check 1001",
            reference="1001",
            bank_id="B-0002",
            kind="CHECK",
        ),
    ]
    closing = OPENING - Decimal("80.25")
    return ofx_bytes(lines, account_number=ACCOUNT_NUMBER, closing_balance=closing, closing_date=on)


def _create_bank_account(finance: Client) -> dict[str, Any]:
    body = {
        "name": "Operating checking",
        "institution": "First Community Bank",
        "account_number": ACCOUNT_NUMBER,
        "ledger_account_id": _account("1010").pk,
        "default_fund_id": _general().pk,
    }
    created = send_json(finance, "POST", f"{API}/bank-accounts", body)
    assert created.status_code == 201, created.content
    return created.json()


def _upload(client: Client, bank_account_id: int, data: bytes, name: str = "statement.ofx") -> Any:
    return client.post(
        f"{API}/bank-accounts/{bank_account_id}/statements",
        {"file": SimpleUploadedFile(name, data, "application/octet-stream")},
    )


def _content(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _suggested_ids(client: Client, line_id: int) -> list[list[int]]:
    """The ledger lines of each suggestion for the bank line, best first."""
    response = client.get(f"{API}/bank-transactions/{line_id}/suggestions")
    assert response.status_code == 200, response.content
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return [[line["id"] for line in item["journal_lines"]] for item in items]


def test_expense_to_reconciled_month_through_the_api(
    in_a: Organization, cast: dict[str, Any], clients: dict[str, Client]
) -> None:
    today = date.today()
    finance = clients["finance"]
    grant = _opening_deposit(in_a, cast["finance"], today)
    expense = _pay_an_expense(clients, today)
    payment = JournalLine.objects.get(
        entry__source_type="expense",
        entry__source_id=str(expense["id"]),
        account__number="1010",
    )
    assert payment.credit == Decimal("80.25")

    account = _create_bank_account(finance)
    assert account["name"] == "Operating checking"
    data = _statement(today)
    uploaded = _upload(finance, account["id"], data)
    assert uploaded.status_code == 201, uploaded.content
    statement = uploaded.json()
    assert statement["format"] == "ofx"
    assert (statement["imported"], statement["duplicates"]) == (2, 0)
    assert Decimal(statement["closing_balance"]) == Decimal("1419.75")

    listed = finance.get(f"{API}/bank-accounts/{account['id']}/transactions?status=unmatched")
    assert listed.status_code == 200, listed.content
    rows = {row["amount"]: row for row in listed.json()["items"]}
    assert set(rows) == {"1500.00", "-80.25"}
    assert {row["status"] for row in rows.values()} == {"unmatched"}

    # The check's first suggestion is the expense's payment; the deposit's is the grant.
    check, deposit = rows["-80.25"], rows["1500.00"]
    assert _suggested_ids(finance, check["id"])[0] == [payment.pk]
    assert _suggested_ids(finance, deposit["id"])[0] == [grant.pk]
    for line, ledger_line in ((check, payment), (deposit, grant)):
        matched = send_json(
            finance,
            "POST",
            f"{API}/bank-transactions/{line['id']}/match",
            {"journal_line_ids": [ledger_line.pk]},
        )
        assert matched.status_code in (200, 201), matched.content
    assert not BankTransaction.objects.filter(status="unmatched").exists()
    assert Match.objects.count() == 2

    started = send_json(
        finance,
        "POST",
        f"{API}/reconciliations",
        {
            "bank_account_id": account["id"],
            "statement_date": today.isoformat(),
            "statement_balance": "1419.75",
        },
    )
    assert started.status_code == 201, started.content
    reconciliation = started.json()
    assert reconciliation["difference"] == "0.00"
    assert reconciliation["cleared_balance"] == "1419.75"

    finished = finance.post(f"{API}/reconciliations/{reconciliation['id']}/finish")
    assert finished.status_code == 200, finished.content
    assert finished.json()["status"] == "finished"
    assert set(BankTransaction.objects.values_list("status", flat=True)) == {"reconciled"}

    pdf = finance.get(f"{API}/reconciliations/{reconciliation['id']}/report.pdf")
    assert pdf.status_code == 200, pdf.content[:300]
    assert pdf["Content-Type"] == "application/pdf"
    assert _content(pdf).startswith(b"%PDF")
    xlsx = finance.get(f"{API}/reconciliations/{reconciliation['id']}/report.xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert _content(xlsx)[:2] == b"PK"

    # The same file again: every line is known, nothing is added.
    again = _upload(finance, account["id"], data, "statement-again.ofx")
    assert again.status_code == 201, again.content
    assert (again.json()["imported"], again.json()["duplicates"]) == (0, 2)
    assert BankTransaction.objects.count() == 2

    # A reconciled line is locked: unmatching it is refused.
    refused = send_json(
        finance, "POST", f"{API}/bank-transactions/{check['id']}/unmatch", {"reason": "oops"}
    )
    assert refused.status_code == 409, refused.content


def test_a_reconciliation_that_does_not_come_to_zero_cannot_be_finished(
    in_a: Organization, cast: dict[str, Any], clients: dict[str, Client]
) -> None:
    today = date.today()
    finance = clients["finance"]
    grant = _opening_deposit(in_a, cast["finance"], today)
    account = _create_bank_account(finance)
    lines = [ParsedLine(date=today, amount=OPENING, payee="Deposit", bank_id="B-1")]
    data = ofx_bytes(lines, account_number=ACCOUNT_NUMBER, closing_balance=OPENING)
    assert _upload(finance, account["id"], data).status_code == 201
    line = BankTransaction.objects.get()
    matched = send_json(
        finance,
        "POST",
        f"{API}/bank-transactions/{line.pk}/match",
        {"journal_line_ids": [grant.pk]},
    )
    assert matched.status_code in (200, 201), matched.content

    # The balance typed from the paper statement is 10.00 short.
    started = send_json(
        finance,
        "POST",
        f"{API}/reconciliations",
        {
            "bank_account_id": account["id"],
            "statement_date": today.isoformat(),
            "statement_balance": "1490.00",
        },
    )
    assert started.status_code == 201, started.content
    assert started.json()["difference"] == "-10.00"
    problem = assert_problem(
        finance.post(f"{API}/reconciliations/{started.json()['id']}/finish"), 409
    )
    assert "10.00" in problem["detail"]
    reconciliation = Reconciliation.objects.get()
    assert reconciliation.status == "open"
    assert BankTransaction.objects.get().status == "matched"


def test_a_bad_file_is_422_and_changes_nothing(
    in_a: Organization, clients: dict[str, Client]
) -> None:
    finance = clients["finance"]
    account = _create_bank_account(finance)
    good = ofx_bytes(
        [ParsedLine(date=date.today(), amount=Decimal("5.00"), payee="Deposit", bank_id="X1")],
        account_number=ACCOUNT_NUMBER,
    )
    for name, data in (
        ("truncated.ofx", good[: len(good) // 2]),
        ("nonsense.ofx", b"\x00\x01 this is not a statement"),
        ("empty.ofx", b""),
    ):
        problem = assert_problem(_upload(finance, account["id"], data, name), 422)
        assert problem["errors"], name
    # Another account's statement (its number does not end like ours).
    other = ofx_bytes(
        [ParsedLine(date=date.today(), amount=Decimal("5.00"), payee="Deposit", bank_id="X1")],
        account_number="555500001111",
    )
    problem = assert_problem(_upload(finance, account["id"], other, "other.ofx"), 422)
    assert "account" in (problem["detail"] + str(problem["errors"])).lower()
    assert not Statement.objects.exists()
    assert not BankTransaction.objects.exists()


def test_a_viewer_sees_but_cannot_import_or_reconcile(
    in_a: Organization, clients: dict[str, Client]
) -> None:
    account = _create_bank_account(clients["finance"])
    viewer = clients["viewer"]
    assert viewer.get(f"{API}/bank-accounts/{account['id']}").status_code == 200
    data = ofx_bytes(
        [ParsedLine(date=date.today(), amount=Decimal("5.00"), payee="Deposit", bank_id="V1")],
        account_number=ACCOUNT_NUMBER,
    )
    assert_problem(_upload(viewer, account["id"], data), 403)
    body = {
        "bank_account_id": account["id"],
        "statement_date": date.today().isoformat(),
        "statement_balance": "0.00",
    }
    assert_problem(send_json(viewer, "POST", f"{API}/reconciliations", body), 403)
    assert not Statement.objects.exists()
