"""The rollout board in Chromium: platform staff move an organization from the pilot to the
limited release and see its modules change (on its rollout page, and a module's page that
answered 404 to a member now opens) and its Go/No-Go criteria update; the console's pages
and the organization's onboarding page pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.axe import assert_accessible
from ifm.accounts.services import membership_set
from ifm.conftest import client_for, make_user
from ifm.orgs.services import organization_create
from ifm.rollout import services
from ifm.rollout.models import Phase
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def console(transactional_db: Any) -> dict[str, Any]:
    org = organization_create(slug="alpha", name="Alpha Outreach", ein="11-1111111")
    organization_create(slug="beta", name="Beta Shelter", ein="22-2222222")
    staff = make_user("rollout@ifm.test", full_name="Rollout Staff", is_platform_staff=True)
    membership_set(organization=org, user=staff, role=Role.ADMIN)
    services.organization_move(organization=org, phase=Phase.objects.get(slug="pilot"), actor=staff)
    return {"org": org, "staff": staff}


def _signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    """A context with the session of a full sign-in (platform staff: second factor included)."""
    client = client_for(user)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_move_an_organization_on_the_board(
    browser: Any, live_server: Any, console: dict[str, Any]
) -> None:
    context = _signed_in(browser, live_server, console["staff"])
    page = context.new_page()
    try:
        page.goto("/platform/rollout/")
        pilot = page.locator("section[data-phase='pilot']")
        limited = page.locator("section[data-phase='limited-release']")
        expect(pilot.locator("article[data-org='alpha']")).to_be_visible()
        expect(limited.locator("article[data-org='alpha']")).to_have_count(0)
        assert_accessible(page, "rollout board")

        card = pilot.locator("article[data-org='alpha']")
        card.get_by_label("Move Alpha Outreach to").select_option("limited-release")
        card.get_by_role("button", name="Move").click()
        expect(page.locator("#messages")).to_contain_text("Alpha Outreach is in Limited release")
        expect(limited.locator("article[data-org='alpha']")).to_be_visible()
        expect(pilot.locator("article[data-org='alpha']")).to_have_count(0)

        limited.get_by_role("link", name="Alpha Outreach").click()
        expect(page.locator("#rollout-phase")).to_contain_text("Limited release")
        volunteers = page.locator("#rollout-modules tr[data-module='volunteers']")
        expect(volunteers).to_contain_text("enabled")
        assert_accessible(page, "an organization's rollout")

        # Disabled for this organization alone: the override shows, and stays on a move back.
        page.get_by_label("Volunteers").select_option("off")
        page.locator("#modules-submit").click()
        expect(volunteers).to_contain_text("disabled")
        page.locator("#id_phase").select_option("pilot")
        page.locator("#move-submit").click()
        expect(page.locator("#rollout-phase")).to_contain_text("Pilot")
        expect(page.locator("#rollout-modules tr[data-module='banking']")).to_contain_text(
            "enabled"
        )
        expect(volunteers.locator(".text-bg-warning")).to_have_text("disabled")

        page.goto("/platform/rollout/phases/")
        assert_accessible(page, "phases")
        page.get_by_role("link", name="Pilot").click()
        assert_accessible(page, "a phase")
        page.goto("/o/alpha/onboarding/")
        page.locator("#sign-off-training").click()
        expect(page.locator("li[data-item='training']")).to_contain_text("by Rollout Staff")
        assert_accessible(page, "onboarding")
    finally:
        context.close()


def test_a_move_changes_the_modules_a_member_sees_and_the_go_no_go(
    browser: Any, live_server: Any, console: dict[str, Any]
) -> None:
    coordinator = make_user("coordinator@alpha.test", full_name="Vera Coordinator")
    membership_set(organization=console["org"], user=coordinator, role=Role.VOLUNTEER_COORDINATOR)
    staff_context = _signed_in(browser, live_server, console["staff"])
    member_context = _signed_in(browser, live_server, coordinator)
    staff, member = staff_context.new_page(), member_context.new_page()
    try:
        # In the pilot (core features only) the volunteers module is off: its page is a 404.
        response = member.goto("/o/alpha/volunteers/")
        assert response is not None
        assert response.status == 404

        # The limited release's Go/No-Go counts no organization yet: nothing to decide by.
        staff.goto("/platform/rollout/phases/limited-release/go-no-go/")
        verdict = staff.locator("#gonogo-verdict")
        expect(verdict).to_contain_text("0 organizations in the phase")
        volume = staff.get_by_role("row", name="Support ticket volume manageable")
        expect(volume).to_contain_text("No data")

        # Move it on the board, as staff would.
        staff.goto("/platform/rollout/")
        card = staff.locator("section[data-phase='pilot'] article[data-org='alpha']")
        card.get_by_label("Move Alpha Outreach to").select_option("limited-release")
        card.get_by_role("button", name="Move").click()
        expect(staff.locator("#messages")).to_contain_text("Alpha Outreach is in Limited release")
        limited = staff.locator("section[data-phase='limited-release']")
        limited.get_by_role("link", name="Alpha Outreach").click()
        expect(staff.locator("#rollout-modules tr[data-module='volunteers']")).to_contain_text(
            "enabled"
        )
        # Its figures now stand beside the limited release's targets.
        expect(staff.locator("#rollout-figures")).to_contain_text("Target (Limited release)")
        expect(staff.locator("#rollout-figures tr[data-metric='error_rate']")).to_contain_text(
            "< 0.1%"
        )
        assert_accessible(staff, "an organization's rollout with its metrics")

        # The member's volunteers page opens now.
        response = member.goto("/o/alpha/volunteers/")
        assert response is not None
        assert response.status == 200
        expect(member.get_by_role("heading", level=1)).to_contain_text("Volunteers")

        # The limited release's Go/No-Go counts it: its criteria are decided by its figures.
        staff.goto("/platform/rollout/")
        limited.get_by_role("link", name="Go/No-Go").click()
        expect(verdict).to_contain_text("1 organization in the phase")
        expect(volume).to_contain_text("Met")
        expect(volume).to_contain_text("0 a day (target < 10 a day)")

        staff.goto("/platform/rollout/metrics/?phase=limited-release")
        expect(staff.locator("#metrics-organizations tr[data-org='alpha']")).to_be_visible()
        expect(staff.locator("#chart-metrics-errors svg")).to_be_visible()
        assert_accessible(staff, "rollout metrics")
    finally:
        staff_context.close()
        member_context.close()
