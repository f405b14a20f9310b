"""Gift entry from the keyboard, counted: from a donor's page, "Record a gift" and a check to
the donor's usual fund takes at most 12 key presses (amount, Tab, check number, Enter), at
desktop and phone sizes. And the donor combobox: typing searches, the arrow keys move, Escape
closes, Enter picks the single match and fills the defaults of the donor's last gift."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.forms import today_in
from ifm.core.org_context import org_context
from ifm.donors.gifts import services as gift_services
from ifm.donors.models import Donation, Donor
from ifm.donors.people import services as people_services
from ifm.ledger.models import Fund, Restriction
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_KEYS = 12
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


class Keyboard:
    """Key presses, counted: one character typed is one press, as is Tab or Enter."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        for char in text:
            self.press(char)


def _setup() -> tuple[Organization, Donor, Fund]:
    """An organization, a fundraiser, and a donor whose last gift was a check to Youth."""
    org = organization_create(slug="alpha", name="Alpha Outreach", ein="12-3456789")
    user = make_user("fund@alpha.test", full_name="Fay Fundraiser")
    membership_set(organization=org, user=user, role=Role.FUNDRAISING)
    with org_context(org):
        access = Membership.objects.get(user=user)
        ctx = {"organization": org, "actor": user, "access": access}
        youth = Fund.objects.create(
            code="YOUTH", name="Youth program", restriction=Restriction.PURPOSE, purpose="Youth"
        )
        rosa = people_services.donor_create(
            **ctx, first_name="Rosa", last_name="Parks", email="rosa@example.org"
        )
        people_services.donor_create(**ctx, first_name="Ann", last_name="Smith", city="Dayton")
        people_services.donor_create(**ctx, first_name="Ann", last_name="Smithers", city="Troy")
        gift_services.donation_record(
            **ctx,
            donor=rosa,
            amount=Decimal("100.00"),
            date=date.today() - timedelta(days=60),
            method="check",
            fund=youth,
            check_number="990",
        )
    return org, rosa, youth


@pytest.mark.parametrize("size", list(SIZES))
def test_a_check_to_the_usual_fund_takes_at_most_twelve_keys(
    page: Any, shot: Any, size: str
) -> None:
    org, rosa, youth = _setup()
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "fund@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.goto(f"/o/alpha/donors/{rosa.pk}/")
    page.get_by_role("link", name="Record a gift").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/donors/donations/new/\?donor=\d+$"))
    expect(page.locator("#donor-fixed")).to_contain_text("Rosa Parks")
    expect(page.locator("#id_amount")).to_be_focused()
    expect(page.locator("#id_fund")).to_have_value(str(youth.pk))
    expect(page.locator("#id_method")).to_have_value("check")

    # From here on, only the keyboard.
    keys = Keyboard(page)
    keys.type("250")
    keys.press("Tab")
    expect(page.locator("#id_check_number")).to_be_focused()
    keys.type("1042")
    shot(page, f"gift-entry-{size}-{width}x{height}-form")
    keys.press("Enter")

    expect(page).to_have_url(re.compile(r"/o/alpha/donors/donations/\d+/$"))
    expect(page.locator("#messages")).to_contain_text("250.00 from Rosa Parks recorded")
    shot(page, f"gift-entry-{size}-{width}x{height}-saved")
    assert keys.count == 9
    assert keys.count <= MAX_KEYS

    with org_context(org):
        gift = Donation.objects.filter(donor=rosa).latest("id")
        assert gift.amount == Decimal("250.00")
        assert gift.fund_id == youth.pk
        assert gift.method == "check"
        assert gift.check_number == "1042"
        assert gift.date == today_in(org.time_zone)
        assert gift.journal_entry_id is not None
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
    assert page.failed_assets == []


def test_the_donor_combobox_moves_closes_and_picks_the_single_match_on_enter(
    page: Any, shot: Any
) -> None:
    org, rosa, youth = _setup()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "fund@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.goto("/o/alpha/donors/donations/new/")
    box = page.locator("#id_donor_text")
    listbox = page.locator("#donor-listbox")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")

    # Two matches: the arrows move the active option, Enter does not submit, Escape closes.
    page.keyboard.type("Ann")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    shot(page, "gift-entry-combobox-1366x900-two-matches")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/donations/new/$"))

    # One match: Enter picks it, fills the last gift's fund and moves on to Amount.
    box.fill("")
    page.keyboard.type("rosa")
    expect(options).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_donor")).to_have_value(str(rosa.pk))
    expect(box).to_have_value(re.compile(r"^Rosa Parks · rosa@example.org · D-\d+$"))
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#id_fund")).to_have_value(str(youth.pk))
    expect(page.locator("#id_amount")).to_be_focused()
    page.keyboard.type("75")
    page.keyboard.press("Tab")
    page.keyboard.type("1043")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/alpha/donors/donations/\d+/$"))
    with org_context(org):
        gift = Donation.objects.filter(donor=rosa).latest("id")
        assert (gift.amount, gift.check_number, gift.fund_id) == (
            Decimal("75.00"),
            "1043",
            youth.pk,
        )

    # Enter pressed before the search answered still picks the single match.
    page.goto("/o/alpha/donors/donations/new/")
    expect(box).to_be_focused()
    page.keyboard.type("Smithers")
    page.keyboard.press("Enter")
    expect(page.locator("#id_amount")).to_be_focused()
    expect(box).to_have_value(re.compile(r"^Ann Smithers"))
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
