"""Each demo role's dashboard in Chromium, at desktop (1366x900) and phone (390x844) size: the
sections of the role, numbers on the tiles, tiles side by side on a desktop and stacked on a
phone with nothing wider than the screen, progress bars that say how far a campaign is, and a
tile that opens its list filtered. Screenshots are saved under var/e2e/."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in, sign_out
from ifm.orgs.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORG = "hope-kitchen"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# role: the section headings its dashboard shows
ROLES = {
    "admin": ["Fundraising", "Finance", "Administration", "Volunteers", "Financial results"],
    "finance": ["Finance", "Financial results"],
    "fundraising": ["Fundraising"],
    "staff": ["My expenses"],
    "volunteer-coordinator": ["My expenses", "Volunteers"],
}


def _tiles_of(page: Any) -> Any:
    return page.locator("[data-tile]")


def _check_layout(page: Any, *, phone: bool) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    # The first section with two tiles or more: tiles of different sections never share a row.
    sections = page.locator("main section[aria-labelledby^='dashboard-']")
    tiles = next(
        (
            _tiles_of(sections.nth(i))
            for i in range(sections.count())
            if _tiles_of(sections.nth(i)).count() >= 2
        ),
        None,
    )
    if tiles is None:
        return
    first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
    assert first is not None
    assert second is not None
    if phone:
        assert second["y"] >= first["y"] + first["height"] - 1  # stacked
        assert abs(second["x"] - first["x"]) < 2
    else:
        assert abs(second["y"] - first["y"]) < 2  # side by side
        assert second["x"] > first["x"] + first["width"] - 1


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", "--donors", "40", stdout=io.StringIO(), stderr=io.StringIO())


def test_each_demo_role_sees_its_numbers_on_desktop_and_phone(
    demo: None, page: Any, shot: Any
) -> None:
    for role, headings in ROLES.items():
        page.set_viewport_size(DESKTOP)
        sign_in(page, f"{role}@{ORG}.demo", DEMO_PASSWORD)
        expect(page).to_have_url(re.compile(rf"/o/{ORG}/$"))
        main = page.locator("main")
        shown = main.locator("section[aria-labelledby^='dashboard-'] > h2").all_inner_texts()
        assert shown == headings, role
        # Every tile has a number other than 0, but failed jobs: none failed in a fresh demo.
        values = page.locator(
            "[data-tile]:not([data-tile='ops.failed_jobs']) [data-tile-value]"
        ).all_inner_texts()
        assert values, role
        assert all(re.search(r"[1-9]", v) for v in values), (role, values)
        _check_layout(page, phone=False)
        shot(page, f"dashboard-{role}-desktop")
        page.set_viewport_size(PHONE)
        page.reload()
        _check_layout(page, phone=True)
        shot(page, f"dashboard-{role}-phone")
        assert page.failed_assets == []
        # Failed loads are checked above (failed_assets); a missing favicon is one here too.
        errors = page.console_errors
        assert [e for e in errors if not e.startswith("Failed to load resource")] == []
        page.set_viewport_size(DESKTOP)
        sign_out(page)


def test_campaign_bars_speak_and_a_tile_opens_its_filtered_list(demo: None, page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, f"fundraising@{ORG}.demo", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/o/{ORG}/$"))
    # A campaign with no goal shows what it raised, without a bar; one with a goal has a bar
    # that names its numbers (the goal arrives with the campaign dates).
    for bar in page.locator("[data-tile] progress").all():
        assert re.fullmatch(r"[\d,.]+ of [\d,.]+ \w+ \(\d+%\)", bar.get_attribute("aria-valuetext"))
        assert bar.get_attribute("aria-labelledby")
    batches = page.locator('[data-tile="donors.open_batches"]')
    expect(batches.locator("[data-tile-value]")).to_have_text("1")
    batches.get_by_role("link", name="Gift batches open").click()
    expect(page).to_have_url(re.compile(r"/donors/batches/\?status=open$"))
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Open", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
