"""/api/v1/expenses: the workflow, errors, receipts and idempotency, with real tokens."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.expenses.models import Expense, ExpenseApproval, Receipt
from ifm.expenses.tests.conftest import (
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    account,
    general_fund,
)
from ifm.ledger.journal.selectors import entries_for_source

pytestmark = pytest.mark.django_db
BASE = "/api/v1/expenses"


def _body(**extra: Any) -> dict[str, Any]:
    body = {
        "kind": "claim",
        "payee": "Dana Staff",
        "date": date.today().isoformat(),
        "function": "management",
        "amount": "80.25",
        "category_id": account("8110").pk,
        "fund_id": general_fund().pk,
        "description": "Printer paper",
    }
    body.update(extra)
    return body


@pytest.fixture
def clients(in_a: Any, cast: dict[str, Any]) -> dict[str, Client]:
    return {
        role: api_client_for(cast[role], in_a)
        for role in ("staff", "finance", "admin", "fundraising", "viewer")
    }


def _create(client: Client, **extra: Any) -> dict[str, Any]:
    response = send_json(client, "POST", BASE, _body(**extra))
    assert response.status_code == 201, response.content
    return response.json()


def test_workflow_through_the_api(clients: dict[str, Client], in_a: Any) -> None:
    staff, finance = clients["staff"], clients["finance"]
    created = _create(staff)
    assert created["status"] == "draft"
    assert created["amount"] == "80.25"
    assert created["reference"] == f"EXP-{created['id']}"
    url = f"{BASE}/{created['id']}"

    patched = send_json(staff, "PATCH", url, {"version": created["version"], "amount": "81.00"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["amount"] == "81.00"
    assert patched.json()["version"] == created["version"] + 1

    stale = send_json(staff, "PATCH", url, {"version": created["version"], "amount": "1.00"})
    assert_problem(stale, 409)
    assert Expense.objects.get(pk=created["id"]).amount == 81

    # Paying a draft is a conflict with its state.
    pay = {"paid_from_account_id": account("1010").pk, "date": date.today().isoformat()}
    problem = assert_problem(send_json(finance, "POST", f"{url}/pay", pay), 409)
    assert "Only an approved expense can be paid" in problem["detail"]

    submitted = staff.post(f"{url}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"

    own = assert_problem(staff.post(f"{url}/approve"), 403)  # staff may not approve at all
    approved = finance.post(f"{url}/approve")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved"
    assert body["liability_entry_id"] is not None
    assert [a["approver"]["email"] for a in body["approvals"]] == ["finance@alpha.test"]
    assert own["status"] == 403

    paid = send_json(finance, "POST", f"{url}/pay", pay)
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    assert paid.json()["paid_from_account_id"] == account("1010").pk
    assert entries_for_source(source_type="expense", source_id=created["id"]).count() == 2


def test_own_approval_is_403_and_nothing_changes(clients: dict[str, Client]) -> None:
    finance = clients["finance"]
    created = _create(finance)
    assert finance.post(f"{BASE}/{created['id']}/submit").status_code == 200
    problem = assert_problem(finance.post(f"{BASE}/{created['id']}/approve"), 403)
    assert "your own expense" in problem["detail"]
    assert not ExpenseApproval.objects.exists()
    assert Expense.objects.get(pk=created["id"]).status == "submitted"


def test_reject_needs_a_reason(clients: dict[str, Client]) -> None:
    created = _create(clients["staff"])
    url = f"{BASE}/{created['id']}"
    clients["staff"].post(f"{url}/submit")
    problem = assert_problem(send_json(clients["admin"], "POST", f"{url}/reject", {}), 422)
    assert problem["errors"][0]["field"] == "reason"
    problem = assert_problem(
        send_json(clients["admin"], "POST", f"{url}/reject", {"reason": "   "}), 422
    )
    assert problem["errors"][0]["field"] == "reason"
    rejected = send_json(clients["admin"], "POST", f"{url}/reject", {"reason": "Duplicate"})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejected_reason"] == "Duplicate"
    assert not entries_for_source(source_type="expense", source_id=created["id"]).exists()


def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    clients: dict[str, Client], org_b: Any
) -> None:
    staff = clients["staff"]
    with org_context(org_b):
        theirs_category = account("8110").pk
        theirs_fund = general_fund().pk
    cases = [
        ({"amount": "abc"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"category_id": account("8100").pk}, "category_id"),  # a header
        ({"category_id": account("1010").pk}, "category_id"),  # not an expense
        ({"category_id": theirs_category}, "category_id"),
        ({"fund_id": theirs_fund}, "fund_id"),
        ({"function": "lunch"}, "function"),
        ({"colour": "red"}, "colour"),
        ({"payee": ""}, "payee"),
    ]
    for extra, field in cases:
        problem = assert_problem(send_json(staff, "POST", BASE, _body(**extra)), 422)
        assert field in {e["field"] for e in problem["errors"]}, (extra, problem)
    assert not Expense.objects.exists()


def test_idempotent_create(clients: dict[str, Client]) -> None:
    staff = clients["staff"]
    key = {"HTTP_IDEMPOTENCY_KEY": "8d7e6f0a-expense-1"}
    first = send_json(staff, "POST", BASE, _body(), **key)
    again = send_json(staff, "POST", BASE, _body(), **key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Expense.objects.count() == 1
    other = send_json(staff, "POST", BASE, _body(amount="1.00"), **key)
    assert_problem(other, 422)
    assert Expense.objects.count() == 1


def test_other_organizations_expense_is_404(
    clients: dict[str, Client], org_b: Any, cast: dict[str, Any]
) -> None:
    created = _create(clients["staff"])
    theirs = api_client_for(cast["other_admin"], org_b)
    for method, path in (
        ("GET", f"{BASE}/{created['id']}"),
        ("POST", f"{BASE}/{created['id']}/submit"),
        ("POST", f"{BASE}/{created['id']}/approve"),
    ):
        assert_problem(send_json(theirs, method, path, ""), 404)
    assert theirs.get(BASE).json()["items"] == []


def test_list_mine_or_all_and_status_filter(clients: dict[str, Client]) -> None:
    mine = _create(clients["staff"])
    other = _create(clients["fundraising"], payee="Fundraiser")
    clients["fundraising"].post(f"{BASE}/{other['id']}/submit")
    staff_list = clients["staff"].get(BASE).json()
    assert [e["id"] for e in staff_list["items"]] == [mine["id"]]
    # Another staff member's expense is not found, not forbidden.
    assert_problem(clients["staff"].get(f"{BASE}/{other['id']}"), 404)
    everyone = clients["finance"].get(BASE).json()
    assert {e["id"] for e in everyone["items"]} == {mine["id"], other["id"]}
    submitted = clients["finance"].get(BASE, {"status": "submitted"}).json()
    assert [e["id"] for e in submitted["items"]] == [other["id"]]
    assert clients["finance"].get(BASE, {"mine": "true"}).json()["items"] == []
    assert_problem(clients["viewer"].get(BASE), 403)
    assert_problem(clients["viewer"].post(BASE, _body(), content_type="application/json"), 403)
    assert_problem(clients["finance"].get(BASE, {"status": "lost"}), 422)


def test_bulk_approve(clients: dict[str, Client]) -> None:
    ids = []
    for amount in ("10.00", "20.00"):
        created = _create(clients["staff"], amount=amount)
        clients["staff"].post(f"{BASE}/{created['id']}/submit")
        ids.append(created["id"])
    own = _create(clients["finance"])
    clients["finance"].post(f"{BASE}/{own['id']}/submit")
    refused = send_json(
        clients["finance"], "POST", f"{BASE}/approve", {"expense_ids": [*ids, own["id"]]}
    )
    problem = assert_problem(refused, 422)
    assert problem["errors"] == [
        {
            "field": "expense_ids.2",
            "message": f"EXP-{own['id']}: You cannot approve your own expense.",
        }
    ]
    assert not ExpenseApproval.objects.exists()
    done = send_json(clients["finance"], "POST", f"{BASE}/approve", {"expense_ids": ids})
    assert done.status_code == 200, done.content
    assert [(e["id"], e["status"]) for e in done.json()] == [(i, "approved") for i in ids]


# --- Receipts ------------------------------------------------------------------------------------


def _upload(client: Client, expense_id: int, name: str, content: bytes, content_type: str) -> Any:
    return client.post(
        f"{BASE}/{expense_id}/receipts",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_receipts_accepted_by_content_and_downloaded(
    clients: dict[str, Client], cast: dict[str, Any], org_b: Any
) -> None:
    staff = clients["staff"]
    created = _create(staff)
    for name, content, ctype in (
        ("scan.pdf", PDF_BYTES, "application/pdf"),
        ("photo.jpg", JPEG_BYTES, "image/jpeg"),
        # A PNG with a misleading name and browser type is still a PNG.
        ("photo.gif", PNG_BYTES, "image/gif"),
    ):
        response = _upload(staff, created["id"], name, content, ctype)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["original_name"] == name
        assert body["size"] == len(content)
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
    receipts = {r.original_name: r for r in Receipt.objects.all()}
    assert {r.content_type for r in receipts.values()} == {
        "application/pdf",
        "image/jpeg",
        "image/png",
    }
    png = receipts["photo.gif"]
    url = f"{BASE}/{created['id']}/receipts/{png.pk}"
    download = staff.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download) == PNG_BYTES
    assert clients["finance"].get(url).status_code == 200  # expenses.view_all
    assert_problem(clients["fundraising"].get(url), 404)  # not theirs, no view_all
    theirs = api_client_for(cast["other_admin"], org_b)
    assert_problem(theirs.get(url), 404)
    # A receipt through another expense's URL is not found either.
    second = _create(staff)
    assert_problem(staff.get(f"{BASE}/{second['id']}/receipts/{png.pk}"), 404)
    # The file lives outside the web root, under PRIVATE_MEDIA_ROOT.
    from django.conf import settings

    assert png.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


def test_disguised_and_oversized_receipts_are_refused(clients: dict[str, Client]) -> None:
    staff = clients["staff"]
    created = _create(staff)
    problem = assert_problem(
        _upload(staff, created["id"], "invoice.pdf", HTML_BYTES, "application/pdf"), 422
    )
    assert problem["errors"][0]["field"] == "file"
    assert "invoice.pdf" in problem["detail"]
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    problem = assert_problem(_upload(staff, created["id"], "huge.pdf", big, "application/pdf"), 422)
    assert "huge.pdf" in problem["detail"]
    assert "10 MB" in problem["detail"]
    problem = assert_problem(staff.post(f"{BASE}/{created['id']}/receipts"), 422)
    assert problem["errors"][0]["field"] == "file"
    assert not Receipt.objects.exists()
    # Not the owner: refused; after submitting: a conflict.
    assert_problem(
        _upload(clients["finance"], created["id"], "a.pdf", PDF_BYTES, "application/pdf"), 403
    )
    staff.post(f"{BASE}/{created['id']}/submit")
    assert_problem(_upload(staff, created["id"], "a.pdf", PDF_BYTES, "application/pdf"), 409)
    assert not Receipt.objects.exists()


def test_list_queries_do_not_grow_with_rows(
    clients: dict[str, Client], django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        _create(clients["staff"], amount=f"{i + 1}.00")
    with django_assert_max_num_queries(12):
        page = clients["finance"].get(BASE, {"limit": 50})
    assert len(page.json()["items"]) == 30
