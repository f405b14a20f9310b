"""The navigation's menus, the phone menu and a message's close button, in Chromium: ui.js in
place of Bootstrap's JavaScript, with Bootstrap's keyboard behaviour (docs/frontend.md)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from ifm.accounts.services import membership_set
from ifm.conftest import PASSWORD, make_user
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finance(db: Any) -> Any:
    org = organization_create(slug="alpha", name="Alpha Outreach")
    user = make_user("fin@alpha.test", full_name="Fin Alpha")
    membership_set(organization=org, user=user, role=Role.FINANCE)
    return user


def sign_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("fin@alpha.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#sign-in").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))


def test_a_menu_works_from_the_keyboard(page: Any, finance: Any) -> None:
    sign_in(page)
    ledger = page.locator("#nav-ledger")
    menu = page.locator("ul[aria-labelledby=nav-ledger]")
    expect(menu).to_be_hidden()

    ledger.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(ledger).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("link", name="Journal", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("link", name="New journal entry")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # stops at the first item
    expect(menu.get_by_role("link", name="Journal", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(ledger).to_be_focused()
    expect(ledger).to_have_attribute("aria-expanded", "false")

    # Up on the closed menu's button opens it at its last item; Enter follows that link.
    page.keyboard.press("ArrowUp")
    expect(menu.get_by_role("link", name="Programs")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/alpha/ledger/programs/"))
    assert page.failed_assets == []
    assert page.console_errors == []


def test_one_menu_open_at_a_time_and_a_click_or_tab_elsewhere_closes_it(
    page: Any, finance: Any
) -> None:
    sign_in(page)
    ledger_menu = page.locator("ul[aria-labelledby=nav-ledger]")
    user_menu = page.locator("ul[aria-labelledby=user-menu]")
    page.locator("#nav-ledger").click()
    expect(ledger_menu).to_be_visible()
    page.locator("#user-menu").click()
    expect(user_menu).to_be_visible()
    expect(ledger_menu).to_be_hidden()
    page.locator("main h1").first.click()
    expect(user_menu).to_be_hidden()

    # Tab through the items keeps the menu open; Tab past the last one closes it.
    page.locator("#nav-ledger").click()
    last = ledger_menu.get_by_role("link", name="Programs")
    last.focus()
    page.keyboard.press("Tab")
    expect(ledger_menu).to_be_hidden()
    page.locator("#nav-ledger").click()
    ledger_menu.get_by_role("link", name="Journal", exact=True).focus()
    page.keyboard.press("Tab")
    expect(ledger_menu).to_be_visible()


def test_the_phone_menu_opens_and_closes(browser: Any, live_server: Any, finance: Any) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page)
    toggler = page.get_by_role("button", name="Toggle navigation")
    panel = page.locator("#nav-main")
    expect(panel).to_be_hidden()
    toggler.click()
    expect(panel).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    # Opened once its height transition is over; a click during one is ignored, as Bootstrap's.
    expect(panel).to_have_class(re.compile(r"\bcollapse show\b"))
    page.locator("#nav-ledger").click()
    expect(page.get_by_role("link", name="Trial balance")).to_be_visible()
    toggler.click()
    expect(panel).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    context.close()


def test_a_message_closes_and_sign_in_loads_no_bootstrap_script(page: Any, finance: Any) -> None:
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    sign_in(page)
    page.locator("#user-menu").click()
    page.locator("#sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    alert = page.locator("#messages .alert")
    expect(alert).to_contain_text("signed out")
    alert.get_by_role("button", name="Close").click()
    expect(alert).to_have_count(0)
    assert scripts
    assert not [url for url in scripts if "bootstrap" in url]
