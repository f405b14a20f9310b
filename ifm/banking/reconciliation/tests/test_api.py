"""/api/v1/reconciliations: start, figures, finish only at 0.00 (409 naming the difference),
reopen with a reason, the report files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from ifm.banking.models import BankAccount, BankTransaction, Reconciliation
from ifm.banking.reconciliation.tests.factories import bank_lines, matched_pair, post_cash
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/reconciliations"


@pytest.fixture
def api(cast: dict[str, Any], org_a: Any) -> Any:
    return api_client_for(cast["finance"], org_a)


@pytest.fixture
def items(org_a: Any, account: BankAccount) -> dict[str, Any]:
    """A cleared 500.00 deposit, a 40.00 check in transit, a 2.50 fee the books lack."""
    cleared, _ = matched_pair(org_a, account, "500.00", date(2026, 1, 3))
    post_cash(org_a, "-40.00", date(2026, 1, 28), memo="Check 1001")
    (fee,) = bank_lines(org_a, account, [(date(2026, 1, 31), "-2.50", "Service charge")])
    return {"cleared": cleared, "fee": fee}


def _start(api: Any, account: BankAccount, balance: str | None = "497.50", **extra: Any) -> Any:
    body = {"bank_account_id": account.pk, "statement_date": "2026-01-31", **extra}
    if balance is not None:
        body["statement_balance"] = balance
    return send_json(api, "POST", URL, body)


def test_start_answers_the_figures(api: Any, account: BankAccount, items: Any) -> None:
    response = _start(api, account)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert {k: body[k] for k in ("statement_balance", "book_balance", "deposits_in_transit")} == {
        "statement_balance": "497.50",
        "book_balance": "460.00",
        "deposits_in_transit": "0.00",
    }
    assert body["outstanding_payments"] == "40.00"
    assert body["adjusted_bank_balance"] == "457.50"
    assert body["cleared_balance"] == "500.00"
    assert body["difference"] == "-2.50"
    assert (body["unmatched_bank_count"], body["unmatched_bank_total"]) == (1, "-2.50")
    got = api.get(f"{URL}/{body['id']}")
    assert got.status_code == 200
    assert got.json()["difference"] == "-2.50"


def test_finish_is_refused_with_a_difference_and_names_it(
    api: Any, account: BankAccount, items: Any
) -> None:
    rec_id = _start(api, account).json()["id"]
    problem = assert_problem(api.post(f"{URL}/{rec_id}/finish"), 409)
    assert "difference is -2.50 USD" in problem["detail"]
    assert problem["errors"][0]["field"] == "difference"
    assert Reconciliation.objects.get(pk=rec_id).status == "open"
    # Correct the balance (the fee was a statement error) and finish.
    version = api.get(f"{URL}/{rec_id}").json()["version"]
    patched = send_json(
        api, "PATCH", f"{URL}/{rec_id}", {"version": version, "statement_balance": "500"}
    )
    assert patched.status_code == 200
    assert patched.json()["difference"] == "0.00"
    stale = send_json(
        api, "PATCH", f"{URL}/{rec_id}", {"version": version, "statement_balance": "1"}
    )
    assert_problem(stale, 409)
    finished = api.post(f"{URL}/{rec_id}/finish")
    assert finished.status_code == 200, finished.content
    body = finished.json()
    assert (body["status"], body["cleared_count"], body["finished_by"]) == (
        "finished",
        1,
        "finance@alpha.test",
    )
    items["cleared"].refresh_from_db()
    assert items["cleared"].status == "reconciled"
    assert_problem(api.post(f"{URL}/{rec_id}/finish"), 409)
    listed = api.get(URL, {"status": "finished"}).json()
    assert [r["id"] for r in listed["items"]] == [rec_id]
    assert listed["items"][0]["difference"] == "0.00"


def test_reopen_needs_a_reason(api: Any, account: BankAccount, items: Any) -> None:
    rec_id = _start(api, account, balance="500.00").json()["id"]
    assert api.post(f"{URL}/{rec_id}/finish").status_code == 200
    problem = assert_problem(send_json(api, "POST", f"{URL}/{rec_id}/reopen", {}), 422)
    assert problem["errors"][0]["field"] == "reason"
    reopened = send_json(api, "POST", f"{URL}/{rec_id}/reopen", {"reason": "Bank corrected"})
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["reopen_reason"]) == (
        "open",
        "Bank corrected",
    )
    assert not BankTransaction.objects.filter(status="reconciled").exists()
    assert api.delete(f"{URL}/{rec_id}").status_code == 204
    assert not Reconciliation.objects.exists()


def test_bad_input_is_a_422_naming_the_field(api: Any, account: BankAccount) -> None:
    problem = assert_problem(_start(api, account, balance=None), 422)
    assert problem["errors"][0]["field"] == "statement_balance"
    for bad in ("1e3", "12.345", "-", "99999999999999"):
        assert_problem(_start(api, account, balance=bad), 422)
    problem = assert_problem(
        send_json(
            api,
            "POST",
            URL,
            {"bank_account_id": 2**62, "statement_date": "2026-01-31", "statement_balance": "0"},
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "bank_account_id"
    assert_problem(_start(api, account, statement_date="2026-02-30"), 422)


def test_a_retried_start_with_the_same_key_starts_one(api: Any, account: BankAccount) -> None:
    body = {"bank_account_id": account.pk, "statement_date": "2026-01-31", "statement_balance": "0"}
    first = send_json(api, "POST", URL, body, headers={"Idempotency-Key": "k-1"})
    again = send_json(api, "POST", URL, body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Reconciliation.objects.count() == 1


def test_a_viewer_reads_but_does_not_reconcile(
    cast: Any, org_a: Any, account: BankAccount, api: Any
) -> None:
    rec_id = _start(api, account, balance="0").json()["id"]
    viewer = api_client_for(cast["viewer"], org_a)
    assert viewer.get(f"{URL}/{rec_id}").status_code == 200
    assert_problem(viewer.post(f"{URL}/{rec_id}/finish"), 403)
    assert_problem(_start(viewer, account), 403)
    staff = api_client_for(cast["staff"], org_a)
    assert_problem(staff.get(f"{URL}/{rec_id}"), 403)


def test_report_files(api: Any, account: BankAccount, items: Any) -> None:
    rec_id = _start(api, account).json()["id"]
    pdf = api.get(f"{URL}/{rec_id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "reconciliation-operating-alpha-2026-01-31.pdf" in pdf["Content-Disposition"]
    xlsx = api.get(f"{URL}/{rec_id}/report.xlsx")
    assert xlsx.status_code == 200
    assert (
        xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    as_bytes = api.get(
        f"{URL}/{rec_id}/report.xlsx", headers={"Accept": "application/octet-stream"}
    )
    assert as_bytes["Content-Type"] == "application/octet-stream"
    assert as_bytes.content[:2] == b"PK"
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert book.sheetnames == [
        "Reconciliation",
        "Deposits in transit",
        "Outstanding payments",
        "Not cleared on statement",
    ]
    rows = book["Reconciliation"].iter_rows(values_only=True)
    summary = {row[0]: row[1] for row in rows if len(row) > 1}
    assert Decimal(str(summary["Difference"])) == Decimal("-2.50")
    payments = list(book["Outstanding payments"].iter_rows(values_only=True))
    assert payments[1][3] == "Check 1001"
    assert Decimal(str(payments[1][4])) == Decimal("-40")
    fees = list(book["Not cleared on statement"].iter_rows(values_only=True))
    assert fees[1][1] == "Service charge"
