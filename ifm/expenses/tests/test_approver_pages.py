"""Pages for approvers: where they land, the tabs' empty states, "Approved, to pay" with bulk
payment, receipts previewed inline, categories by plain name, the settings' categories."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ifm.conftest import client_for
from ifm.expenses import categories, records, workflow
from ifm.expenses.models import Expense, ExpenseCategory, Receipt, Status
from ifm.expenses.tests.conftest import (
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    access,
    account,
    general_fund,
    make_expense,
)

pytestmark = pytest.mark.django_db


def url(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/expenses/{rest}"


def _approved(org: Any, cast: dict[str, Any], payee: str) -> Expense:
    finance = cast["finance"]
    expense = make_expense(org, cast["staff"], payee=payee, submit=True)
    return workflow.expense_approve(
        organization=org, actor=finance, access=access(finance), expense=expense
    )


def _receipt(org: Any, expense: Expense, content: bytes, name: str) -> Receipt:
    owner = expense.submitted_by
    return records.receipt_add(
        organization=org,
        actor=owner,
        access=access(owner),
        expense=expense,
        file=SimpleUploadedFile(name, content, "application/octet-stream"),
    )


def test_approvers_land_on_to_approve_staff_on_mine(in_a: Any, cast: dict[str, Any]) -> None:
    for role in ("finance", "admin"):
        landing = client_for(cast[role]).get(url(in_a))
        assert landing.status_code == 302
        assert landing["Location"] == url(in_a, "queue/")
    staff = client_for(cast["staff"]).get(url(in_a))
    assert staff.status_code == 200
    assert "My expenses" in staff.content.decode()
    assert "To approve" not in staff.content.decode()  # not an approver: no such tab


def test_finance_mine_does_not_claim_no_expenses_while_others_exist(
    in_a: Any, cast: dict[str, Any]
) -> None:
    make_expense(in_a, cast["staff"], payee="Claim of staff")
    client = client_for(cast["finance"])
    mine = client.get(url(in_a), {"scope": "mine"}).content.decode()
    assert "No expenses yet" not in mine
    assert "You have no expenses of your own" in mine
    assert f'href="{url(in_a)}?scope=all"' in mine
    filtered = client.get(url(in_a), {"scope": "mine", "q": "nothing"}).content.decode()
    assert "No expenses of yours match these filters" in filtered
    assert f'href="{url(in_a)}?scope=all"' in filtered
    everything = client.get(url(in_a), {"scope": "all"}).content.decode()
    assert "Claim of staff" in everything
    assert f'href="{url(in_a)}?scope=all">Clear</a>' in everything  # clearing keeps the tab
    # The queue says what it hides, and links to All.
    queue = client.get(url(in_a, "queue/")).content.decode()
    assert "Nothing waits for approval" in queue
    assert f'href="{url(in_a)}?scope=all"' in queue
    to_pay = client.get(url(in_a, "to-pay/")).content.decode()
    assert "Nothing waits to be paid" in to_pay
    assert f'href="{url(in_a)}?scope=all"' in to_pay


def test_to_pay_lists_approved_and_bulk_pays_with_check_numbers(
    in_a: Any, cast: dict[str, Any]
) -> None:
    one = _approved(in_a, cast, "First Vendor")
    two = _approved(in_a, cast, "Second Vendor")
    make_expense(in_a, cast["staff"], payee="Still waiting", submit=True)
    client = client_for(cast["finance"])
    page = client.get(url(in_a, "to-pay/"))
    text = page.content.decode()
    assert "First Vendor" in text
    assert "Second Vendor" in text
    assert "Still waiting" not in text
    assert f'name="check_number_{one.pk}"' in text
    assert f'value="{one.pk}" form="bulk-pay"' in text
    # "Paid from" offers cash and bank accounts only.
    assert "1010 Cash in bank - operating" in text
    assert "1620 Buildings" not in text
    assert "1745 Accum" not in text
    assert client_for(cast["staff"]).get(url(in_a, "to-pay/")).status_code == 403
    exported = b"".join(client.get(url(in_a, "to-pay/export.csv"))).decode("utf-8-sig")
    assert exported.splitlines()[0].endswith(",Check number")
    assert "First Vendor" in exported
    assert "Still waiting" not in exported

    response = client.post(
        url(in_a, "to-pay/pay/"),
        {
            "paid_from": account("1010").pk,
            "date": date.today().isoformat(),
            "expense_ids": [one.pk, two.pk],
            f"check_number_{one.pk}": "1001",
            f"check_number_{two.pk}": "1002",
        },
        follow=True,
    )
    assert "Paid 2 expenses" in response.content.decode()
    for expense, check in ((one, "1001"), (two, "1002")):
        expense.refresh_from_db()
        assert (expense.status, expense.check_number) == (Status.PAID, check)


def test_bulk_pay_page_refuses_the_whole_batch_naming_the_row(
    in_a: Any, cast: dict[str, Any]
) -> None:
    good = _approved(in_a, cast, "Good Vendor")
    waiting = make_expense(in_a, cast["staff"], submit=True)
    client = client_for(cast["finance"])
    response = client.post(
        url(in_a, "to-pay/pay/"),
        {
            "paid_from": account("1010").pk,
            "date": date.today().isoformat(),
            "expense_ids": [good.pk, waiting.pk],
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Nothing was paid." in text
    assert f"Row 2 ({waiting.reference})" in text
    good.refresh_from_db()
    assert good.status == Status.APPROVED
    # A non-cash account is refused by the form's choices (and by the service).
    response = client.post(
        url(in_a, "to-pay/pay/"),
        {
            "paid_from": account("1650").pk,
            "date": date.today().isoformat(),
            "expense_ids": [good.pk],
        },
        follow=True,
    )
    assert "Paid from" in response.content.decode()
    good.refresh_from_db()
    assert good.status == Status.APPROVED


def test_single_pay_page_records_the_check_number(in_a: Any, cast: dict[str, Any]) -> None:
    expense = _approved(in_a, cast, "Vendor")
    client = client_for(cast["finance"])
    detail = client.get(url(in_a, f"{expense.pk}/")).content.decode()
    assert 'name="check_number"' in detail
    assert "1620 Buildings" not in detail
    paid = client.post(
        url(in_a, f"{expense.pk}/pay/"),
        {"paid_from": account("1010").pk, "date": date.today().isoformat(), "check_number": "88"},
    )
    assert paid.status_code == 302
    expense.refresh_from_db()
    assert expense.check_number == "88"
    assert ", check 88" in client.get(url(in_a, f"{expense.pk}/")).content.decode()


def test_receipts_preview_inline_through_the_access_check(
    in_a: Any, cast: dict[str, Any], org_b: Any
) -> None:
    expense = make_expense(in_a, cast["staff"])
    image = _receipt(in_a, expense, PNG_BYTES, "lunch.png")
    pdf = _receipt(in_a, expense, PDF_BYTES, "invoice.pdf")
    workflow.expense_submit(
        organization=in_a, actor=cast["staff"], access=access(cast["staff"]), expense=expense
    )
    client = client_for(cast["finance"])
    detail = client.get(url(in_a, f"{expense.pk}/")).content.decode()
    image_url = url(in_a, f"receipts/{image.pk}/")
    pdf_url = url(in_a, f"receipts/{pdf.pk}/")
    assert f'<img src="{image_url}?inline=1"' in detail
    assert f'<iframe src="{pdf_url}?inline=1"' in detail
    assert f'href="{pdf_url}"' in detail  # the download fallback

    shown = client.get(f"{pdf_url}?inline=1")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"] == 'inline; filename="invoice.pdf"'
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    assert client.get(pdf_url)["Content-Disposition"].startswith("attachment;")
    # The queue shows that the expense has receipts, with a thumbnail of the image.
    queue = client.get(url(in_a, "queue/")).content.decode()
    assert f'src="{image_url}?inline=1"' in queue
    assert f"{expense.reference} has 2 receipts" in queue
    # Someone who may not see the expense gets nothing, inline or not.
    assert client_for(cast["fundraising"]).get(f"{pdf_url}?inline=1").status_code == 404
    other = client_for(cast["other_admin"])
    assert other.get(f"/o/{org_b.slug}/expenses/receipts/{pdf.pk}/?inline=1").status_code == 404


def test_inline_serving_judges_the_type_from_the_content(in_a: Any, cast: dict[str, Any]) -> None:
    expense = make_expense(in_a, cast["staff"])
    receipt = _receipt(in_a, expense, PNG_BYTES, "photo.png")
    Receipt.objects.filter(pk=receipt.pk).update(content_type="text/html")
    client = client_for(cast["staff"])
    link = url(in_a, f"receipts/{receipt.pk}/?inline=1")
    assert client.get(link)["Content-Type"] == "image/png"
    # A stored file that is not a receipt any more is never shown inline.
    with receipt.file.storage.open(str(receipt.file.name), "wb") as handle:
        handle.write(HTML_BYTES)
    served = client.get(link)
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment;")
    assert "X-Frame-Options" not in served or served["X-Frame-Options"] == "DENY"


def test_staff_choose_a_category_by_name_and_other_shows_the_chart(
    in_a: Any, cast: dict[str, Any]
) -> None:
    finance, staff = cast["finance"], cast["staff"]
    travel = categories.expense_category_create(
        organization=in_a,
        actor=finance,
        access=access(finance),
        name="Travel and mileage",
        account=account("8310"),
        default_function="fundraising",
    )
    client = client_for(staff)
    form = client.get(url(in_a, "new/")).content.decode()
    assert f'<option value="{travel.pk}">Travel and mileage</option>' in form
    assert '<option value="other">Other (choose an account)</option>' in form
    assert 'id="account-field" hidden' in form  # the chart waits for "Other"
    assert "Function (optional)" in form
    data = {
        "kind": "claim",
        "payee": "Sam Staff",
        "date": date.today().isoformat(),
        "amount": "30.00",
        "expense_category": str(travel.pk),
        "category": account("8110").pk,  # left over in the hidden chart: ignored
        "fund": general_fund().pk,
        "function": "",
        "submit": "1",
    }
    response = client.post(url(in_a, "new/"), data)
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.category is not None
    assert (expense.expense_category, expense.category.number, expense.function) == (
        travel,
        "8310",
        "fundraising",
    )
    assert expense.status == Status.SUBMITTED
    detail = client.get(url(in_a, f"{expense.pk}/")).content.decode()
    assert "Travel and mileage" in detail
    assert "8310" not in detail  # staff never see the account number
    # Other: the account from the chart.
    other = dict(data, expense_category="other", category=account("8590").pk, submit="")
    del other["submit"]
    other["function"] = "management"
    assert client.post(url(in_a, "new/"), other).status_code == 302
    latest = Expense.objects.order_by("-pk").first()
    assert latest is not None
    assert latest.category is not None
    assert (latest.expense_category, latest.category.number) == (None, "8590")


def test_approver_may_correct_the_function_when_approving(in_a: Any, cast: dict[str, Any]) -> None:
    expense = make_expense(in_a, cast["staff"], submit=True, function="program")
    client = client_for(cast["finance"])
    assert 'id="approve-form"' in client.get(url(in_a, f"{expense.pk}/")).content.decode()
    client.post(url(in_a, f"{expense.pk}/approve/"), {"function": "management"})
    expense.refresh_from_db()
    assert (expense.status, expense.function) == (Status.APPROVED, "management")


def test_settings_page_manages_categories(in_a: Any, cast: dict[str, Any]) -> None:
    client = client_for(cast["finance"])
    added = client.post(
        url(in_a, "settings/"),
        {
            "name": "Postage",
            "account": account("8140").pk,
            "default_function": "fundraising",
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    category = ExpenseCategory.objects.get()
    page = client.get(url(in_a, "settings/")).content.decode()
    assert "Postage" in page
    assert "8140 Postage" in page
    duplicate = client.post(
        url(in_a, "settings/"),
        {"name": "postage", "account": account("8140").pk, "default_function": "program"},
    )
    assert duplicate.status_code == 422
    assert "already a category named" in duplicate.content.decode()
    edit = url(in_a, f"settings/categories/{category.pk}/")
    assert client.get(edit).status_code == 200
    saved = client.post(
        edit,
        {
            "name": "Postage and shipping",
            "account": account("8140").pk,
            "default_function": "fundraising",
            "version": "1",
        },
    )
    assert saved.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.is_active) == ("Postage and shipping", False)
    stale = client.post(
        edit,
        {
            "name": "Stale",
            "account": account("8140").pk,
            "default_function": "program",
            "version": "1",
        },
    )
    assert 'id="conflict"' in stale.content.decode()
    assert client_for(cast["staff"]).get(edit).status_code == 403
    assert client.post(f"{edit}delete/").status_code == 302
    assert not ExpenseCategory.objects.exists()
