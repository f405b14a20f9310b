"""A deposit entered as a gift batch in Chromium: open the batch with its defaults, add gifts with
Enter (from a select too), see the gift off the batch's fund marked, fix a row and remove one in
place without a page load, then post the batch as one deposit entry."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.donors.models import Donation, Donor, GiftBatch
from ifm.donors.people.services import donor_create
from ifm.ledger.models import Fund, Restriction
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pick_donor(page: Any, name: str, donor: Donor) -> None:
    box = page.locator("#batch-donor")
    box.fill("")
    box.press_sequentially(name, delay=30)
    option = page.locator(f'#dl-batch-donors option[data-id="{donor.pk}"]')
    expect(option).to_have_count(1)
    box.fill(option.get_attribute("value"))
    expect(page.locator("#id_donor")).to_have_value(str(donor.pk))


def test_batch_deposit_with_defaults_enter_in_place_edits_and_one_entry(
    page: Any, shot: Any
) -> None:
    org = organization_create(slug="alpha", name="Alpha Outreach", ein="12-3456789")
    user = make_user("dev@alpha.test", full_name="Dev Alpha")
    membership_set(organization=org, user=user, role=Role.ADMIN)
    with org_context(org):
        youth = Fund.objects.create(
            organization=org, code="YOUTH", name="Youth", restriction=Restriction.PURPOSE
        )
        who = {
            "organization": org,
            "actor": user,
            "access": Membership.objects.get(user=user),
        }
        rosa = donor_create(**who, first_name="Rosa", last_name="Parks")
        ella = donor_create(**who, first_name="Ella", last_name="Baker")

    sign_in(page, "dev@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.goto("/o/alpha/donors/batches/")
    page.locator("#id_name").fill("Sunday deposit")
    page.locator("#id_date").fill(date.today().isoformat())
    page.locator("#id_expected_count").fill("2")
    page.locator("#id_expected_total").fill("350.00")
    deposit = page.locator("#id_deposit_account")
    expect(deposit.locator("option", has_text="Buildings")).to_have_count(0)
    deposit.select_option(label="1010 Cash in bank - operating")
    shot(page, "batch-1-open")
    page.locator("#open-batch").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/donors/batches/\d+/$"))

    # Enter on the fund select adds the gift (htmx: no page load, the donor box refocused).
    _pick_donor(page, "Rosa", rosa)
    page.locator("#id_amount").fill("90.00")
    page.locator("#id_fund").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#batch-count")).to_have_text("1")
    expect(page.locator("#batch-donor")).to_be_focused()
    # The next gift starts from the batch's defaults; this one goes to the youth fund.
    _pick_donor(page, "Ella", ella)
    page.locator("#id_amount").fill("250.00")
    page.locator("#id_fund").select_option(str(youth.pk))
    page.locator("#id_campaign").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#batch-count")).to_have_text("2")
    expect(page.locator("#batch-gifts")).to_contain_text("not the batch fund")
    expect(page.locator("#id_fund")).not_to_have_value(str(youth.pk))
    _pick_donor(page, "Rosa", rosa)
    page.locator("#id_amount").fill("5.00")
    page.locator("#id_amount").press("Enter")
    expect(page.locator("#batch-count")).to_have_text("3")
    shot(page, "batch-2-entered")

    with org_context(org):
        first, _second, extra = Donation.objects.order_by("pk")
    # Fix the first row in place: Edit opens the row as a form, Enter saves it.
    page.locator(f"#gift-row-{first.pk} .batch-edit").click()
    amount = page.locator(f"#gift-row-{first.pk} input[name$='-amount']")
    expect(amount).to_be_focused()
    amount.fill("100.00")
    amount.press("Enter")
    expect(page.locator(f"#gift-row-{first.pk}")).to_contain_text("100.00")
    expect(page.locator("#batch-total")).to_have_text("355.00")
    page.locator(f"#gift-row-{extra.pk} .batch-delete").click()
    expect(page.locator(f"#gift-row-{extra.pk}")).to_have_count(0)
    expect(page.locator("#batch-count")).to_have_text("2")
    expect(page.locator("#batch-status")).to_contain_text("ready to post")
    shot(page, "batch-3-fixed")

    page.locator("#post-batch").click()
    expect(page.locator("#messages")).to_contain_text("as one deposit")
    expect(page.locator("#batch-entry")).to_contain_text("JE-")
    shot(page, "batch-4-posted")
    with org_context(org):
        batch = GiftBatch.objects.get()
        assert batch.journal_entry is not None
        bank_line = batch.journal_entry.lines.get(account__number="1010")
        assert bank_line.debit == Decimal("350.00")
        assert {d.journal_entry_id for d in Donation.objects.all()} == {batch.journal_entry_id}

    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []
