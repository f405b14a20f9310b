"""A manual journal entry in Chromium: pickers, lines added with htmx, the live balance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.ledger.models import Account, JournalEntry
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manual_entry_balances_and_posts(page: Any, shot: Any) -> None:
    org = organization_create(slug="alpha", name="Alpha Outreach")
    user = make_user("fin@alpha.test", full_name="Fin Alpha")
    membership_set(organization=org, user=user, role=Role.FINANCE)
    with org_context(org):
        cash = Account.objects.get(number="1010")
        revenue = Account.objects.get(number="4010")

    sign_in(page, "fin@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.locator("#nav-ledger").click()
    page.get_by_role("link", name="New journal entry").click()
    expect(page.get_by_role("heading", name="New journal entry")).to_be_visible()
    status = page.locator("#balance-status")
    save = page.locator("#save-entry")
    expect(save).to_be_disabled()

    page.locator("#id_memo").fill("Cash gifts received at the gala")
    # The account picker searches as one types; the chosen option's id is what is submitted.
    account_0 = page.locator("#account_text_0")
    account_0.click()
    account_0.press_sequentially("1010", delay=30)
    expect(page.locator(f'#dl-account-0 option[data-id="{cash.pk}"]')).to_have_count(1)
    account_0.fill(str(cash))
    expect(page.locator("#account_0")).to_have_value(str(cash.pk))
    page.locator("#debit_0").fill("100.00")

    page.locator("#account_text_1").fill(str(revenue))
    page.locator("#credit_1").fill("60.00")
    expect(status).to_contain_text("Debits exceed credits by 40.00")
    expect(save).to_be_disabled()

    page.locator("#add-line").click()
    expect(page.locator("#line-2")).to_be_visible()
    expect(page.locator("#account_text_2")).to_be_focused()
    page.locator("#account_text_2").fill(str(revenue))
    page.locator("#credit_2").fill("40.00")
    page.locator("#memo_2").fill("Pledges paid on the night")
    expect(status).to_contain_text("Balanced")
    expect(save).to_be_enabled()

    # A line added and removed again leaves the balance as it was.
    page.locator("#add-line").click()
    page.locator("#credit_3").fill("5")
    expect(status).to_contain_text("Credits exceed debits by 5.00")
    page.locator("#line-3 [data-remove-line]").click()
    expect(page.locator("#line-3")).to_have_count(0)
    expect(status).to_contain_text("Balanced")
    expect(page.locator("#total-debit")).to_have_text("100.00")
    shot(page, "ledger-entry")

    save.click()
    expect(page).to_have_url(re.compile(r"/o/alpha/ledger/entries/\d+/$"))
    expect(page.locator("#messages")).to_contain_text("Posted JE-1")
    expect(page.locator("#entry-lines-table")).to_contain_text("Pledges paid on the night")
    shot(page, "ledger-entry-posted")
    with org_context(org):
        entry = JournalEntry.objects.get()
        lines = sorted(entry.lines.values_list("account_id", "debit", "credit"))
    assert [(a, str(d), str(c)) for a, d, c in lines] == sorted(
        [
            (cash.pk, "100.00", "0.00"),
            (revenue.pk, "0.00", "60.00"),
            (revenue.pk, "0.00", "40.00"),
        ]
    )
    # Failed loads are checked through failed_assets (the favicon's 404 is harmless).
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []
