"""Expense pages: list, form with receipt, detail actions, queue, settings, downloads, exports."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from ifm.conftest import client_for
from ifm.expenses import records, services, workflow
from ifm.expenses.models import Expense, ExpenseSettings, Receipt
from ifm.expenses.tests.conftest import (
    HTML_BYTES,
    PDF_BYTES,
    access,
    account,
    general_fund,
    make_expense,
)
from ifm.ledger.journal.selectors import entries_for_source

pytestmark = pytest.mark.django_db


def url(org: Any, name: str = "", **ids: Any) -> str:
    base = f"/o/{org.slug}/expenses/"
    if "expense_id" in ids:
        base += f"{ids['expense_id']}/"
    if "receipt_id" in ids:
        base += f"receipts/{ids['receipt_id']}/"
    return base + name


def _form(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": "claim",
        "payee": "Sam Staff",
        "date": date.today().isoformat(),
        "amount": "42.10",
        "category": account("8310").pk,
        "fund": general_fund().pk,
        "program": "",
        "function": "program",
        "description": "Bus to the site visit",
    }
    data.update(extra)
    return data


def test_list_empty_state_and_permissions(in_a: Any, cast: dict[str, Any]) -> None:
    page = client_for(cast["staff"]).get(url(in_a))
    assert page.status_code == 200
    assert b"No expenses yet" in page.content
    assert b"New claim or bill" in page.content
    assert client_for(cast["viewer"]).get(url(in_a)).status_code == 403
    dashboard = client_for(cast["staff"]).get(f"/o/{in_a.slug}/")
    assert f'href="{url(in_a)}"'.encode() in dashboard.content  # the nav entry


def test_new_form_with_receipt_then_submit_from_detail(
    in_a: Any, cast: dict[str, Any], django_capture_on_commit_callbacks: Any, run_jobs: Any
) -> None:
    client = client_for(cast["staff"])
    form = client.get(url(in_a, "new/"))
    assert form.status_code == 200
    assert b'name="category"' in form.content
    assert b"8310" in form.content
    assert b"8300 " not in form.content  # a header is not offered

    data = _form(receipt=SimpleUploadedFile("ticket.pdf", PDF_BYTES, "application/pdf"))
    response = client.post(url(in_a, "new/"), data)
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert response["Location"] == url(in_a, expense_id=expense.pk)
    assert expense.status == "draft"
    assert expense.receipts.get().original_name == "ticket.pdf"

    detail = client.get(response["Location"])
    assert b"ticket.pdf" in detail.content
    assert b"Submit for approval" in detail.content
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(url(in_a, "submit/", expense_id=expense.pk))
    assert submitted.status_code == 302
    expense.refresh_from_db()
    assert expense.status == "submitted"
    run_jobs()
    assert {tuple(m.to) for m in mail.outbox} == {("admin@alpha.test", "finance@alpha.test")}
    detail = client.get(url(in_a, expense_id=expense.pk))
    assert b"Withdraw" in detail.content
    assert b"Draft" in detail.content
    assert b"Submitted" in detail.content


def test_disguised_receipt_shows_an_error_beside_the_field_and_saves_nothing(
    in_a: Any, cast: dict[str, Any]
) -> None:
    client = client_for(cast["staff"])
    data = _form(receipt=SimpleUploadedFile("invoice.pdf", HTML_BYTES, "application/pdf"))
    response = client.post(url(in_a, "new/"), data)
    assert response.status_code == 200
    assert b"invoice.pdf is not a PDF, JPEG or PNG file" in response.content
    assert b"invalid-feedback" in response.content
    assert not Expense.objects.exists()
    assert not Receipt.objects.exists()


def test_form_errors_are_shown_beside_fields(in_a: Any, cast: dict[str, Any]) -> None:
    client = client_for(cast["staff"])
    response = client.post(url(in_a, "new/"), _form(payee="", amount="-1"), follow=False)
    assert response.status_code == 200
    assert b"is-invalid" in response.content
    assert not Expense.objects.exists()
    # Submitting an incomplete expense names what is missing.
    response = client.post(url(in_a, "new/"), _form(category="", submit="1"))
    assert response.status_code == 200
    assert b"Choose a category before submitting." in response.content
    assert not Expense.objects.exists()


def test_edit_with_stale_version_shows_conflict(in_a: Any, cast: dict[str, Any]) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff)
    client = client_for(staff)
    edit = client.get(url(in_a, "edit/", expense_id=expense.pk))
    assert edit.status_code == 200
    services.expense_update(
        organization=in_a,
        actor=staff,
        access=access(staff),
        expense=expense,
        expected_version=1,
        payee="Changed elsewhere",
    )
    response = client.post(url(in_a, "edit/", expense_id=expense.pk), _form(version="1"))
    assert response.status_code == 200
    assert b'id="conflict"' in response.content
    expense.refresh_from_db()
    assert expense.payee == "Changed elsewhere"
    # Someone else cannot edit it.
    assert (
        client_for(cast["admin"]).get(url(in_a, "edit/", expense_id=expense.pk)).status_code == 403
    )


def test_receipt_download_permissions(in_a: Any, cast: dict[str, Any], org_b: Any) -> None:
    staff = cast["staff"]
    expense = make_expense(in_a, staff)
    receipt = records.receipt_add(
        organization=in_a,
        actor=staff,
        access=access(staff),
        expense=expense,
        file=SimpleUploadedFile("r.pdf", PDF_BYTES, "text/plain"),
    )
    link = url(in_a, receipt_id=receipt.pk)
    mine = client_for(staff).get(link)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert mine["Content-Disposition"] == 'attachment; filename="r.pdf"'
    assert b"".join(mine) == PDF_BYTES
    assert client_for(cast["finance"]).get(link).status_code == 200
    assert client_for(cast["fundraising"]).get(link).status_code == 404
    assert (
        client_for(cast["other_admin"])
        .get(f"/o/{org_b.slug}/expenses/receipts/{receipt.pk}/")
        .status_code
        == 404
    )
    # Removing it: the owner, while a draft.
    assert (
        client_for(cast["admin"]).post(url(in_a, "remove/", receipt_id=receipt.pk)).status_code
        == 302
    )
    assert Receipt.objects.filter(pk=receipt.pk).exists()
    assert client_for(staff).post(url(in_a, "remove/", receipt_id=receipt.pk)).status_code == 302
    assert not Receipt.objects.filter(pk=receipt.pk).exists()


def test_queue_totals_bulk_approve_and_reject(in_a: Any, cast: dict[str, Any]) -> None:
    staff, finance = cast["staff"], cast["finance"]
    one = make_expense(in_a, staff, amount="100.00", submit=True)
    two = make_expense(in_a, staff, amount="250.50", submit=True)
    three = make_expense(in_a, staff, amount="5.00", submit=True)
    own = make_expense(in_a, finance, amount="7.00", submit=True)
    client = client_for(finance)
    queue = client.get(url(in_a, "queue/"))
    assert queue.status_code == 200
    text = queue.content.decode()
    assert "362.50" in text  # 100 + 250.50 + 5 + 7
    assert "<strong>4</strong> expenses waiting" in text
    assert f'value="{own.pk}" form="bulk-approve"' in text
    assert client_for(cast["staff"]).get(url(in_a, "queue/")).status_code == 403

    # All or nothing: with her own expense in the batch, nothing is approved.
    response = client.post(
        url(in_a, "queue/approve/"), {"expense_ids": [one.pk, own.pk]}, follow=True
    )
    assert "Nothing was approved" in response.content.decode()
    one.refresh_from_db()
    assert one.status == "submitted"
    response = client.post(
        url(in_a, "queue/approve/"), {"expense_ids": [one.pk, two.pk]}, follow=True
    )
    assert "Approved 2 expenses." in response.content.decode()
    for e in (one, two):
        e.refresh_from_db()
        assert e.status == "approved"
        assert entries_for_source(source_type="expense", source_id=e.pk).count() == 1

    rejected = client.post(
        url(in_a, "reject/", expense_id=three.pk),
        {"reason": "Not ours", "next": url(in_a, "queue/")},
    )
    assert rejected.status_code == 302
    assert rejected["Location"] == url(in_a, "queue/")
    three.refresh_from_db()
    assert three.status == "rejected"
    assert three.rejected_reason == "Not ours"
    empty_reason = client.post(url(in_a, "reject/", expense_id=own.pk), {"reason": ""})
    assert empty_reason.status_code == 422
    own.refresh_from_db()
    assert own.status == "submitted"


def test_pay_from_the_detail_page(in_a: Any, cast: dict[str, Any]) -> None:
    finance = cast["finance"]
    expense = make_expense(in_a, cast["staff"], submit=True)
    workflow.expense_approve(
        organization=in_a, actor=finance, access=access(finance), expense=expense
    )
    client = client_for(finance)
    detail = client.get(url(in_a, expense_id=expense.pk))
    assert b"Mark as paid" in detail.content
    bad = client.post(
        url(in_a, "pay/", expense_id=expense.pk),
        {"paid_from": account("8110").pk, "date": date.today().isoformat()},
    )
    assert bad.status_code == 422
    assert b"invalid-feedback" in bad.content
    paid = client.post(
        url(in_a, "pay/", expense_id=expense.pk),
        {"paid_from": account("1010").pk, "date": date.today().isoformat()},
    )
    assert paid.status_code == 302
    expense.refresh_from_db()
    assert expense.status == "paid"
    detail = client.get(url(in_a, expense_id=expense.pk))
    entry = expense.payment_entry
    assert entry is not None
    assert f"JE-{entry.number}" in detail.content.decode()


def test_own_approval_from_the_page_is_refused_with_a_message(
    in_a: Any, cast: dict[str, Any]
) -> None:
    finance = cast["finance"]
    expense = make_expense(in_a, finance, submit=True)
    client = client_for(finance)
    detail = client.get(url(in_a, expense_id=expense.pk))
    assert b"You cannot approve your own expense" in detail.content
    response = client.post(url(in_a, "approve/", expense_id=expense.pk), follow=True)
    assert b"You cannot approve your own expense." in response.content
    expense.refresh_from_db()
    assert expense.status == "submitted"


def test_settings_page(in_a: Any, cast: dict[str, Any]) -> None:
    # Finance defines the categories on this page, but only admins change the threshold.
    finance_page = client_for(cast["finance"]).get(url(in_a, "settings/"))
    assert finance_page.status_code == 200
    assert b'name="two_step_threshold"' not in finance_page.content
    assert b"Add a category" in finance_page.content
    refused = client_for(cast["finance"]).post(
        url(in_a, "settings/"), {"two_step_threshold": "1.00", "version": "1"}
    )
    assert refused.status_code == 403
    assert client_for(cast["staff"]).get(url(in_a, "settings/")).status_code == 403
    client = client_for(cast["admin"])
    page = client.get(url(in_a, "settings/"))
    assert page.status_code == 200
    assert b"1000.00" in page.content
    saved = client.post(url(in_a, "settings/"), {"two_step_threshold": "2500.00", "version": "1"})
    assert saved.status_code == 302
    assert ExpenseSettings.objects.get().two_step_threshold == 2500
    stale = client.post(url(in_a, "settings/"), {"two_step_threshold": "10.00", "version": "1"})
    assert b'id="conflict"' in stale.content
    assert ExpenseSettings.objects.get().two_step_threshold == 2500


def test_list_filters_totals_and_exports(in_a: Any, cast: dict[str, Any]) -> None:
    staff = cast["staff"]
    make_expense(in_a, staff, amount="10.00", payee="Alpha Print")
    make_expense(in_a, staff, amount="15.00", payee="=SUM(A1)", submit=True)
    make_expense(in_a, cast["fundraising"], amount="99.00", payee="Someone else")
    client = client_for(staff)
    page = client.get(url(in_a))
    text = page.content.decode()
    assert "Alpha Print" in text
    assert "Someone else" not in text
    assert "25.00" in text  # the total of my two
    filtered = client.get(url(in_a), {"status": "submitted"}).content.decode()
    assert "=SUM(A1)" in filtered
    assert "Alpha Print" not in filtered
    everyone = client_for(cast["finance"]).get(url(in_a), {"scope": "all"}).content.decode()
    assert "Someone else" in everyone

    csv_response = client.get(url(in_a, "export.csv"))
    assert csv_response["Content-Type"].startswith("text/csv")
    body = b"".join(csv_response).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("Reference,Date,Kind,Payee")
    assert len(lines) == 3
    assert "'=SUM(A1)" in body  # neutralised for spreadsheets
    assert "Someone else" not in body

    from openpyxl import load_workbook

    xlsx = client.get(url(in_a, "export.xlsx"), {"status": "draft"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference"
    assert [r[3] for r in rows[1:]] == ["Alpha Print"]
    assert float(rows[1][5]) == 10.0
