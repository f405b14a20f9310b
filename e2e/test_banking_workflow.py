"""The seed's accounting workflow in Chromium, at desktop and phone size: the finance user
approves a staff expense and pays it by check, adds the bank account, imports the bank's
statement that carries the check (an OFX file), matches it from the keyboard, reconciles the
month to 0.00 and opens the reconciliation report. Every page passes axe."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.axe import assert_accessible
from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.banking.models import BankTransaction, Reconciliation
from ifm.banking.statements.generate import ofx_bytes
from ifm.banking.statements.types import ParsedLine
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.expenses import categories, services, workflow
from ifm.expenses.models import Expense
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.services import journal_entry_create
from ifm.ledger.models import Account, Fund
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ACCOUNT_NUMBER = "004417203958"
GRANT, PAPER = Decimal("1500.00"), Decimal("212.75")


def _setup() -> tuple[Any, Expense]:
    """Alpha Outreach: a grant in the bank, and a staff member's bill for paper waiting for
    approval."""
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
        general = Fund.objects.get(is_general=True)
        journal_entry_create(
            **fin,
            date=date.today(),
            memo="Community grant received",
            reference="GRANT-1",
            lines=[
                LineInput(account=Account.objects.get(number="1010"), fund=general, debit=GRANT),
                LineInput(account=Account.objects.get(number="4010"), fund=general, credit=GRANT),
            ],
        )
        supplies = categories.expense_category_create(
            **fin,
            name="Office supplies",
            account=Account.objects.get(number="8110"),
            default_function="management",
        )
        expense = services.expense_create(
            **own,
            kind="bill",
            payee="Office Depot",
            date=date.today(),
            amount=PAPER,
            expense_category=supplies,
            fund=general,
            description="Printer paper for the food drive",
        )
        expense = workflow.expense_submit(**own, expense=expense)
    return org, expense


def _statement() -> bytes:
    """What the bank sends: the grant deposited, check 1001 cleared, the closing balance."""
    today = date.today()
    lines = [
        ParsedLine(date=today, amount=GRANT, payee="Deposit", memo="Grant", bank_id="FIT-1"),
        ParsedLine(
            date=today,
            amount=-PAPER,
            payee="Check",
            memo="Check 1001",
            reference="1001",
            bank_id="FIT-2",
            kind="CHECK",
        ),
    ]
    return ofx_bytes(
        lines, account_number=ACCOUNT_NUMBER, closing_balance=GRANT - PAPER, closing_date=today
    )


def _check(page: Any, shot: Any, name: str, size: str) -> None:
    """The page passes axe (at the size the test runs at), and its screenshot is kept."""
    assert_accessible(page, f"{name} ({size})")
    shot(page, f"banking-{name}-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_expense_to_reconciled_month_in_the_browser(page: Any, shot: Any, size: str) -> None:
    org, expense = _setup()
    page.set_viewport_size(SIZES[size])
    sign_in(page, "fin@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))

    # Approve the bill from the queue, then pay it by check 1001 from the bank account.
    page.goto("/o/alpha/expenses/queue/")
    box = page.locator(f"#select-{expense.pk}")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.locator("#bulk-approve-button").click()
    expect(page.locator("#messages")).to_contain_text("Approved 1 expense.")
    page.goto("/o/alpha/expenses/to-pay/")
    row_box = page.locator(f"#pay-{expense.pk}")
    row_box.focus()
    page.keyboard.press("Space")
    page.locator(f"#check-{expense.pk}").fill("1001")
    page.locator("#bulk-pay-button").click()
    expect(page.locator("#messages")).to_contain_text("Paid 1 expense")

    # The bank account, on the ledger's operating cash account.
    page.goto("/o/alpha/banking/accounts/new/")
    page.get_by_label("Name").fill("Operating checking")
    page.get_by_label("Bank", exact=True).fill("First Community Bank")
    page.get_by_label("Account number").fill(ACCOUNT_NUMBER)
    ledger = page.get_by_label("Cash account in the ledger")
    ledger.select_option(value=_option(ledger, "1010"))
    _check(page, shot, "account-new", size)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Operating checking")
    expect(page.locator("main")).to_contain_text("••••3958")

    # The statement, uploaded as the bank's OFX file.
    page.goto("/o/alpha/banking/import/")
    page.get_by_label("Statement file").set_input_files(
        {"name": "statement.ofx", "mimeType": "application/x-ofx", "buffer": _statement()}
    )
    _check(page, shot, "import", size)
    page.locator("#import-form").get_by_role("button", name="Import").click()
    expect(page.locator("#imported-count")).to_have_text("2")
    expect(page.locator("#duplicate-count")).to_have_text("0")
    _check(page, shot, "import-result", size)

    # Matching: the check's top suggestion is the expense's payment, accepted with Enter.
    page.locator("#to-matching").click()
    expect(page.locator("h1")).to_contain_text("Matching: Operating checking")
    page.locator("#bank-lines a", has_text="-212.75").click()
    suggestions = page.locator("#suggestions")
    expect(suggestions.locator("[data-suggestion='1']")).to_contain_text("Office Depot")
    _check(page, shot, "matching", size)
    page.locator("#bank-lines a.active").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#matching-counts")).to_contain_text("1 matched")
    # The deposit is a confident match: accepted with the others, the count shown first.
    page.get_by_role("link", name=re.compile("Accept all confident matches")).click()
    expect(page.locator("#confident-count")).to_contain_text("1 bank line")
    _check(page, shot, "accept-confident", size)
    page.get_by_role("button", name="Match 1 line").click()
    expect(page.locator("#all-matched")).to_be_visible()
    with org_context(org):
        assert set(BankTransaction.objects.values_list("status", flat=True)) == {"matched"}

    _reconcile(page, shot, size, org)
    _reports(page, shot, size)

    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []


def _option(select: Any, number: str) -> str:
    """The value of the select's option whose label starts with the account number."""
    value = select.locator("option", has_text=re.compile(rf"^\s*{number}\b")).first
    return str(value.get_attribute("value"))


def _reconcile(page: Any, shot: Any, size: str, org: Any) -> None:
    """Reconcile to the statement's closing balance, finish at 0.00, fetch the report."""
    page.goto("/o/alpha/banking/reconciliations/new/")
    page.get_by_label("Statement date").fill(date.today().isoformat())
    page.get_by_label("Statement ending balance").fill(str(GRANT - PAPER))
    _check(page, shot, "reconciliation-new", size)
    page.get_by_role("button", name="Start").click()
    figures = page.locator("#reconciliation-figures")
    expect(figures).to_contain_text("Difference")
    expect(figures.locator(".badge")).to_have_text("0.00")
    expect(figures).to_contain_text("1,287.25")
    _check(page, shot, "reconciliation", size)
    page.get_by_role("button", name="Finish the reconciliation").click()
    expect(page.locator("h1")).to_contain_text("Finished")
    _check(page, shot, "reconciliation-finished", size)
    with org_context(org):
        assert Reconciliation.objects.get().status == "finished"
        assert set(BankTransaction.objects.values_list("status", flat=True)) == {"reconciled"}

    # The report, as the PDF and Excel files the page links to.
    for label, kind, magic in (
        ("Report (PDF)", "application/pdf", b"%PDF"),
        ("Report (Excel)", "application/vnd.openxmlformats", b"PK"),
    ):
        href = page.get_by_role("link", name=label).get_attribute("href")
        answer = page.request.get(href)
        assert answer.status == 200, (label, answer.status)
        assert answer.headers["content-type"].startswith(kind)
        assert answer.body().startswith(magic)


def _reports(page: Any, shot: Any, size: str) -> None:
    """The month in the statements: the grant as revenue, the paper as a management and general
    expense, on the statement of activities and the statement of functional expenses."""
    page.goto("/o/alpha/reports/")
    page.get_by_role("link", name="Statement of activities").first.click()
    expect(page.locator("h1")).to_have_text("Statement of activities")
    expect(page.locator("#row-total_revenue")).to_contain_text("1,500.00")
    expect(page.locator("#row-total_expenses")).to_contain_text("212.75")
    expect(page.locator("#row-change_in_net_assets")).to_contain_text("1,287.25")
    expect(page.locator("#chart-expenses-by-function-table")).to_contain_text("212.75")
    _check(page, shot, "statement-of-activities", size)
    page.goto("/o/alpha/reports/")
    page.get_by_role("link", name="Statement of functional expenses").first.click()
    row = page.locator("#statement tbody tr", has_text="8110")
    expect(row).to_contain_text("212.75")
    expect(page.locator("#row-total_expenses")).to_contain_text("212.75")
    _check(page, shot, "functional-expenses", size)
