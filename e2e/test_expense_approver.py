"""An approver's day in Chromium: land on "To approve", approve one expense, then pay two from
"Approved, to pay" in one batch with their check numbers, ticking the rows from the keyboard."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.expenses import categories, records, services, workflow
from ifm.expenses.models import Expense, Status
from ifm.ledger.models import Account, Fund
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def png(width: int = 48, height: int = 64) -> bytes:
    """A real PNG (a pale receipt with grey lines of "text"), so the browser can draw it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + (b"\x90\x90\x90" if y % 8 in (3, 4) and 6 < y < 58 else b"\xfa\xf6\xe8") * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _setup() -> tuple[Any, dict[str, Expense]]:
    org = organization_create(slug="alpha", name="Alpha Outreach")
    finance = make_user("fin@alpha.test", full_name="Fran Finance")
    staff = make_user("sam@alpha.test", full_name="Sam Staff")
    membership_set(organization=org, user=finance, role=Role.FINANCE)
    membership_set(organization=org, user=staff, role=Role.STAFF)
    with org_context(org):
        fin = {
            "organization": org,
            "actor": finance,
            "access": Membership.objects.get(user=finance),
        }
        own = {"organization": org, "actor": staff, "access": Membership.objects.get(user=staff)}
        supplies = categories.expense_category_create(
            **fin,
            name="Office supplies",
            account=Account.objects.get(number="8110"),
            default_function="management",
        )
        travel = categories.expense_category_create(
            **fin,
            name="Travel and mileage",
            account=Account.objects.get(number="8310"),
            default_function="program",
        )
        general = Fund.objects.get(is_general=True)
        made: dict[str, Expense] = {}
        for key, payee, amount, category in (
            ("lunch", "Corner Deli", "64.20", supplies),
            ("paper", "Office Depot", "212.75", supplies),
            ("mileage", "Sam Staff", "38.40", travel),
        ):
            expense = services.expense_create(
                **own,
                kind="claim" if key != "paper" else "bill",
                payee=payee,
                date=date.today(),
                amount=Decimal(amount),
                expense_category=category,
                fund=general,
                description=f"{category.name} for the food drive",
            )
            if key == "lunch":
                records.receipt_add(
                    **own,
                    expense=expense,
                    file=SimpleUploadedFile("lunch.png", png(), "image/png"),
                )
            made[key] = workflow.expense_submit(**own, expense=expense)
        # One was approved yesterday and waits to be paid.
        made["paper"] = workflow.expense_approve(**fin, expense=made["paper"])
    return org, made


def test_approver_approves_then_bulk_pays_with_check_numbers(page: Any, shot: Any) -> None:
    org, made = _setup()
    lunch, paper, mileage = made["lunch"], made["paper"], made["mileage"]
    page.set_viewport_size(DESKTOP)
    sign_in(page, "fin@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))

    # The Expenses entry lands an approver on "To approve", everyone's submitted expenses.
    page.locator("#nav-main").get_by_role("link", name="Expenses", exact=True).click()
    expect(page).to_have_url(re.compile(r"/o/alpha/expenses/queue/$"))
    expect(page.get_by_role("heading", name="Expenses to approve")).to_be_visible()
    tab = page.get_by_role("link", name=re.compile(r"^To approve"))
    expect(tab).to_have_attribute("aria-current", "page")
    results = page.locator("#queue-results")
    expect(results).to_contain_text("Corner Deli")
    expect(results).to_contain_text("Sam Staff")
    expect(results).not_to_contain_text("Office Depot")  # approved already: not waiting
    # The receipt shows as a thumbnail in the queue; staff's category by its plain name.
    expect(results.locator("a.receipt-thumb img")).to_have_count(1)
    expect(results).to_contain_text(f"{lunch.reference} has 1 receipt")
    expect(results).to_contain_text("Office supplies")
    shot(page, "expenses-to-approve-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "expenses-to-approve-phone")
    page.set_viewport_size(DESKTOP)

    # Approve the lunch from the queue: tick it from the keyboard, then approve the selection.
    box = page.locator(f"#select-{lunch.pk}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.locator("#bulk-approve-button").click()
    expect(page.locator("#messages")).to_contain_text("Approved 1 expense.")
    expect(page.locator("#queue-results")).not_to_contain_text("Corner Deli")

    # "Approved, to pay": the lunch and the paper bill, paid in one batch with check numbers.
    page.get_by_role("link", name=re.compile(r"^Approved, to pay")).click()
    expect(page).to_have_url(re.compile(r"/o/alpha/expenses/to-pay/$"))
    to_pay = page.locator("#to-pay-results")
    expect(to_pay).to_contain_text("Corner Deli")
    expect(to_pay).to_contain_text("Office Depot")
    expect(to_pay).not_to_contain_text(mileage.reference)
    paid_from = page.locator("#id_paid_from")
    expect(paid_from).to_contain_text("1010 Cash in bank - operating")
    expect(paid_from).not_to_contain_text("Buildings")
    expect(paid_from).not_to_contain_text("Accum deprec")
    for expense, check in ((lunch, "1041"), (paper, "1042")):
        row_box = page.locator(f"#pay-{expense.pk}")
        row_box.focus()
        page.keyboard.press("Space")
        expect(row_box).to_be_checked()
        page.locator(f"#check-{expense.pk}").fill(check)
    expect(page.locator("#select-all-to-pay")).to_be_checked()
    shot(page, "expenses-to-pay-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "expenses-to-pay-phone")
    page.set_viewport_size(DESKTOP)
    page.locator("#bulk-pay-button").click()
    expect(page.locator("#messages")).to_contain_text("Paid 2 expenses, 276.95 in all")
    # Rows are paid in the list's order (oldest approval first): the paper bill, then lunch.
    expect(page.locator("#messages")).to_contain_text("checks 1042, 1041")
    expect(page.locator("#to-pay-empty")).to_contain_text("Nothing waits to be paid")
    shot(page, "expenses-paid-desktop")

    with org_context(org):
        paid = {
            e.pk: (e.status, e.check_number, e.paid_from.number if e.paid_from else "")
            for e in Expense.objects.filter(pk__in=[lunch.pk, paper.pk])
        }
        assert paid == {
            lunch.pk: (Status.PAID, "1041", "1010"),
            paper.pk: (Status.PAID, "1042", "1010"),
        }
        assert Expense.objects.get(pk=mileage.pk).status == Status.SUBMITTED

    # The paid lunch shows its receipt inline and its check number.
    page.goto(f"/o/alpha/expenses/{lunch.pk}/")
    expect(page.locator("img.receipt-preview")).to_be_visible()
    expect(page.locator("main")).to_contain_text("check 1041")
    # The image is drawn (served inline as image/png), not a broken-image icon.
    page.wait_for_function(
        "() => { const img = document.querySelector('img.receipt-preview');"
        " return img.complete && img.naturalWidth === 48; }"
    )
    shot(page, "expense-receipt-preview-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "expense-receipt-preview-phone")
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []
