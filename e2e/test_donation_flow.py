"""The donation flow in Chromium: create a donor, record a gift from the keyboard with the donor
picker, see it on the profile with the giving summary updated, open its ledger entry, issue its
tax receipt and read the letter and its PDF, then find the gift in the donation list, on the
statement of activities and, with its campaign, in the giving-by-campaign report."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.donors.gifts.services import campaign_create
from ifm.donors.models import Donation, Donor
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_donor_record_donation_see_summary_and_entry(page: Any, shot: Any) -> None:
    org = organization_create(slug="alpha", name="Alpha Outreach", ein="12-3456789")
    user = make_user("dev@alpha.test", full_name="Dev Alpha")
    membership = membership_set(organization=org, user=user, role=Role.ADMIN)
    with org_context(org):
        campaign = campaign_create(
            organization=org,
            actor=user,
            access=membership,
            name="Spring Appeal",
            goal=Decimal("1000.00"),
        )

    sign_in(page, "dev@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.get_by_role("link", name="Donors", exact=True).first.click()
    expect(page.get_by_role("heading", name="Donors")).to_be_visible()
    expect(page.locator("#donor-results")).to_contain_text("No donors yet")
    page.get_by_role("link", name="New donor").first.click()

    page.locator("#id_first_name").fill("Rosa")
    page.locator("#id_last_name").fill("Parks")
    page.locator("#id_email").fill("rosa@example.org")
    page.locator("#id_postal_code").fill("48201")
    page.locator("#id_tags").fill("board, gala")
    shot(page, "donation-1-new-donor")
    page.locator("#save-donor").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/donors/\d+/$"))
    expect(page.locator("#messages")).to_contain_text("Rosa Parks was added")
    expect(page.locator("#summary-lifetime")).to_have_text("0.00")

    # Record a gift from the keyboard: the picker searches as one types.
    page.get_by_role("link", name="Donors", exact=True).first.click()
    page.get_by_role("link", name="Record a donation", exact=True).first.click()
    donor_box = page.locator("#id_donor_text")
    expect(donor_box).to_be_focused()
    donor_box.press_sequentially("Rosa", delay=30)
    with org_context(org):
        donor = Donor.objects.get()
    option = page.locator(f'#donor-listbox [role=option][data-id="{donor.pk}"]')
    expect(option).to_have_count(1)
    donor_box.press("Enter")  # the single match is picked
    expect(page.locator("#id_donor")).to_have_value(str(donor.pk))
    amount = page.locator("#id_amount")
    expect(amount).to_be_focused()
    amount.fill("250.00")
    page.locator("#id_check_number").fill("1042")
    page.locator("#id_campaign").select_option(label="Spring Appeal")
    shot(page, "donation-2-entry")
    amount.press("Enter")

    expect(page).to_have_url(re.compile(r"/o/alpha/donors/donations/\d+/$"))
    expect(page.locator("#messages")).to_contain_text("250.00 from Rosa Parks recorded")
    entry_link = page.locator("#ledger-entries a.ledger-entry-link")
    expect(entry_link).to_have_count(1)
    shot(page, "donation-3-recorded")

    # The profile shows the gift and the updated summary.
    page.get_by_role("link", name="Rosa Parks").first.click()
    expect(page.locator("#summary-lifetime")).to_have_text("250.00")
    expect(page.locator("#summary-this-year")).to_have_text("250.00")
    expect(page.locator("#summary-largest")).to_have_text("250.00")
    expect(page.locator("#giving-history")).to_contain_text("#1042")
    shot(page, "donation-4-profile")

    with org_context(org):
        donation = Donation.objects.get()
    page.get_by_role("link", name=donation.reference).click()
    page.locator("#ledger-entries a.ledger-entry-link").click()
    expect(page).to_have_url(re.compile(rf"/o/alpha/ledger/entries/{donation.journal_entry_id}/$"))
    expect(page.locator("main")).to_contain_text("250.00")
    shot(page, "donation-5-ledger-entry")

    # The tax receipt: issued from the gift, numbered 1, with the Publication 1771 wording.
    page.go_back()
    expect(page.locator("#receipts")).to_contain_text("No receipt issued")
    page.locator("#issue-receipt").click()
    expect(page.locator("#messages")).to_contain_text("Receipt 1 issued")
    page.locator("#receipts").get_by_role("link", name="No. 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("No. 1")
    letter = page.frame_locator("iframe.receipt-letter")
    expect(letter.locator("body")).to_contain_text("Rosa Parks")
    expect(letter.locator("body")).to_contain_text("12-3456789")
    expect(letter.locator("body")).to_contain_text("$250.00")
    expect(letter.locator("body")).to_contain_text("No goods or services were provided")
    shot(page, "donation-6-receipt")
    pdf = page.request.get(page.locator("#download-pdf").get_attribute("href"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The donation list finds the gift by its donor, with the total.
    page.get_by_role("link", name="Donors", exact=True).first.click()
    page.locator(".nav-tabs").get_by_role("link", name="Donations", exact=True).click()
    page.locator("#id_q").press_sequentially("Parks", delay=20)
    expect(page.locator("#donation-results")).to_contain_text(donation.reference)
    expect(page.locator("#donation-total")).to_have_text("250.00")
    shot(page, "donation-7-list")

    # View in reports: the gift is contribution revenue on the statement of activities.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.get_by_role("link", name="Statement of activities").first.click()
    expect(page.locator("h1")).to_have_text("Statement of activities")
    revenue = page.locator("#statement tbody tr", has_text="contributions")
    expect(revenue.first).to_contain_text("250.00")
    expect(page.locator("#row-total_revenue")).to_contain_text("250.00")
    expect(page.locator("#chart-revenue-expenses-table")).to_contain_text("250.00")
    # Another period, switched in place: the URL follows, and nothing was posted then.
    # Typed as a person would: the period form asks only on "Show", so going back is one step.
    page.locator("#id_date_from").fill("2001-01-01")
    page.locator("#id_date_to").fill("2001-12-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"date_from=2001-01-01.*date_to=2001-12-31"))
    expect(page.locator("#report-period")).to_have_text("2001-01-01 to 2001-12-31")
    expect(page.locator("#report-empty")).to_be_visible()
    page.go_back()
    expect(page.locator("#row-total_revenue")).to_contain_text("250.00")
    shot(page, "donation-8-statement-of-activities")

    # ... and in the campaign report: the gift is what its campaign raised, a quarter of the goal.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.get_by_role("link", name="Giving by campaign and appeal").first.click()
    expect(page.locator("h1")).to_have_text("Giving by campaign and appeal")
    row = page.locator(f"#row-campaign-{campaign.pk}")
    expect(row).to_contain_text("Spring Appeal")
    expect(row).to_contain_text("250.00")
    expect(row).to_contain_text("1,000.00")
    expect(row).to_contain_text("25.0%")
    shot(page, "donation-9-campaign-report")

    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []
