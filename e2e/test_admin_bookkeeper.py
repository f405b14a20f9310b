"""A bookkeeper and an admin in Chromium, at desktop and phone sizes: fund balances by
net-asset class with a release from restriction, closing the books through a month after the
confirmation, the audit log in sentences, and the settings' time-zone search."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in, sign_out
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Fund, Period, PeriodStatus, Restriction
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _books(org: Organization, finance: Any) -> Fund:
    """A restricted gift of 100.00, 60.00 of it spent on its purpose: the expense's entry releases
    the 60.00 by itself."""
    today = date.today()
    with org_context(org):
        youth = Fund.objects.create(
            code="YOUTH", name="Youth camp", restriction=Restriction.PURPOSE, purpose="Camp"
        )
        cash, gifts, supplies = (Account.objects.get(number=n) for n in ("1010", "4015", "8110"))
        for debit, credit, amount in ((cash, gifts, "100.00"), (supplies, cash, "60.00")):
            post_entry(
                organization=org,
                actor=finance,
                date=today,
                lines=[
                    LineInput(debit, youth, debit=Decimal(amount)),
                    LineInput(credit, youth, credit=Decimal(amount)),
                ],
            )
    return youth


def test_bookkeeper_balances_and_closing_then_admin_log_and_settings(page: Any, shot: Any) -> None:
    org = organization_create(slug="alpha", name="Alpha Outreach")
    finance = make_user("books@alpha.test", full_name="Bea Books")
    admin = make_user("admin@alpha.test", full_name="Ana Ruiz")
    membership_set(organization=org, user=finance, role=Role.FINANCE)
    membership_set(organization=org, user=admin, role=Role.ADMIN)
    youth = _books(org, finance)
    with org_context(org):
        march = Period.objects.filter(start_date__month=3).order_by("start_date").first()
        assert march is not None
        first = Period.objects.order_by("start_date").first()
        assert first is not None

    # --- The bookkeeper: fund balances by class, the release visible.
    page.set_viewport_size(DESKTOP)
    sign_in(page, "books@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.goto("/o/alpha/ledger/fund-balances/")
    row = page.locator(f"#fund-{youth.pk}")
    expect(row.locator('[data-label="without"]')).to_have_text("0.00")
    expect(row.locator('[data-label="with"]')).to_have_text("40.00")
    expect(row.locator('[data-label="released"]')).to_contain_text("60.00")
    expect(page.locator("#release-summary")).to_contain_text("left “with donor restrictions”")
    shot(page, "bookkeeper-fund-balances-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "bookkeeper-fund-balances-phone")

    # Closing March: the confirmation names every month it locks and their entries.
    page.set_viewport_size(DESKTOP)
    page.goto("/o/alpha/ledger/periods/")
    page.locator(f"#close-period-{march.pk}").click()
    expect(
        page.get_by_role("heading", name=f"Close the books through {march.name}")
    ).to_be_visible()
    expect(page.locator("#close-summary")).to_contain_text("months")
    expect(page.locator("#close-plan")).to_contain_text(first.name)
    shot(page, "bookkeeper-close-confirm-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "bookkeeper-close-confirm-phone")
    page.locator("#confirm-close").click()
    expect(page.locator("#messages")).to_contain_text(f"Books closed through {march.name}")
    with org_context(org):
        assert Period.objects.get(pk=march.pk).status == PeriodStatus.CLOSED
        assert not Period.objects.filter(
            start_date__lt=march.start_date, status=PeriodStatus.OPEN
        ).exists()
    page.set_viewport_size(DESKTOP)
    sign_out(page)

    # --- The admin: the audit log in sentences, then the settings' time-zone search.
    sign_in(page, "admin@alpha.test")
    page.goto("/o/alpha/audit/")
    expect(page.locator("#audit-results")).to_contain_text(f"Bea Books closed period {march.name}")
    expect(page.locator("#audit-results")).to_contain_text("Bea Books posted journal entry JE-")
    entry_link = page.locator("#audit-results a[href*='/ledger/entries/']").first
    expect(entry_link).to_be_visible()
    shot(page, "admin-audit-log-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "admin-audit-log-phone")
    page.set_viewport_size(DESKTOP)
    # A filter survives paging and export: the links carry it.
    page.goto("/o/alpha/audit/?action=period.close")
    expect(page.locator("a[href*='export.csv']")).to_have_attribute(
        "href", re.compile(r"action=period\.close")
    )

    page.goto("/o/alpha/settings/")
    expect(page.get_by_text("Version")).to_have_count(0)
    page.locator("#id_currency").select_option("CAD")
    search = page.locator("#id_time_zone_filter")
    expect(search).to_be_visible()
    search.fill("winnipeg")
    expect(page.locator("#id_time_zone_filter_status")).to_contain_text("1 time zone")
    search.press("Enter")
    expect(page.locator("#id_time_zone")).to_have_value("America/Winnipeg")
    shot(page, "admin-settings-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "admin-settings-phone")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#messages")).to_contain_text("Settings saved")
    org.refresh_from_db()
    assert (org.currency, org.time_zone) == ("CAD", "America/Winnipeg")
    # A failed load is listed by failed_assets below (the favicon is a known 404 elsewhere).
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert not page.failed_assets, page.failed_assets
