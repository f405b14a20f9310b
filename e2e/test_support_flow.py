"""The support desk in Chromium, two people at once: a member hits an error page and asks for
help from it, so the ticket carries the failed request's id; platform staff see it on the desk
and reply; the member's open ticket page shows the reply without reloading; staff resolve it,
the member rates it, and the satisfaction figure of the rollout metrics changes from "no data"
to the rating, then takes in the member's answer to the in-app survey."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ifm.accounts.services import membership_set
from ifm.conftest import client_for, make_user
from ifm.core.org_context import org_context
from ifm.orgs.services import organization_create
from ifm.rollout import services as rollout
from ifm.rollout.models import Phase
from ifm.support.models import Ticket
from ifm.support.selectors import support_metrics
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desk(transactional_db: Any, settings: Any) -> dict[str, Any]:
    # The live server runs in this process: the test's URLs add a page that fails.
    settings.ROOT_URLCONF = "e2e.urls_failing"
    org = organization_create(slug="alpha", name="Alpha Outreach", ein="11-1111111")
    member = make_user("sam@alpha.test", full_name="Sam Member")
    membership_set(organization=org, user=member, role=Role.STAFF)
    staff = make_user("desk@ifm.test", full_name="Dana Desk", is_platform_staff=True)
    rollout.organization_move(organization=org, phase=Phase.objects.get(slug="pilot"), actor=staff)
    return {"org": org, "member": member, "staff": staff}


def _signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    """A context with the session of a full sign-in (platform staff: second factor included)."""
    client = client_for(user)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_error_help_reply_live_resolve_rate_and_the_satisfaction_metric(
    browser: Any, live_server: Any, desk: dict[str, Any], shot: Any
) -> None:
    member_context = _signed_in(browser, live_server, desk["member"])
    staff_context = _signed_in(browser, live_server, desk["staff"])
    try:
        them = staff_context.new_page()
        them.goto("/platform/rollout/o/alpha/")
        expect(them.locator("#metric-satisfaction")).to_have_text("no data")

        # The member hits an error page: it names the request, and Help carries it along.
        me = member_context.new_page()
        failed = me.goto("/o/alpha/test-failure/")
        assert failed is not None
        assert failed.status == 500
        request_id = me.locator("#request-id").inner_text()
        assert re.fullmatch(r"[0-9a-zA-Z]{8,64}", request_id)
        assert failed.headers.get("x-request-id") == request_id
        shot(me, "support-1-error-page")
        me.locator("#ask-support").click()
        expect(me).to_have_url(re.compile(r"/o/alpha/support/new\?"))
        expect(me.locator("input[name=request_id]")).to_have_value(request_id)
        me.get_by_label("Subject").fill("The reports page fails")
        me.get_by_label("Description").fill("I opened the page and got an error.")
        me.get_by_role("button", name="Send to IFM support").click()
        expect(me).to_have_url(re.compile(r"/o/alpha/support/\d+/$"))
        expect(me.locator("#messages")).to_contain_text("Ticket #1 sent")
        expect(me.get_by_text(request_id)).to_be_visible()
        expect(me.locator("#no-replies")).to_be_visible()
        with org_context(desk["org"]):
            ticket = Ticket.objects.get()
        assert ticket.request_id == request_id
        # A mark on the page's window: gone if the page were loaded again.
        me.evaluate("window.__notReloaded = true")

        # Platform staff find it on the desk, with the request id, and reply.
        them.goto("/platform/support/")
        expect(them.locator("main")).to_contain_text("The reports page fails")
        them.get_by_role("link", name="alpha#1", exact=True).click()
        expect(them.locator("#request-id")).to_have_text(request_id)
        reply = them.locator("form#desk-message")
        reply.get_by_label("Message").fill("We found the fault; a fix is on its way.")
        reply.get_by_role("button", name="Send").click()
        expect(them.locator("#messages")).to_contain_text("Reply sent to the customer.")

        # The member's page shows it within a poll, without reloading.
        expect(me.locator("#conversation")).to_contain_text(
            "We found the fault; a fix is on its way.", timeout=15_000
        )
        assert me.evaluate("window.__notReloaded") is True
        shot(me, "support-2-live-reply")

        # Staff resolve it; the member rates it.
        status = them.locator("form", has=them.get_by_role("button", name="Set status"))
        status.locator("select[name=status]").select_option("resolved")
        status.get_by_role("button", name="Set status").click()
        expect(them.locator("#messages")).to_contain_text("Status changed.")
        me.reload()
        rate = me.locator("#rate")
        rate.get_by_label("4", exact=True).check()
        rate.get_by_role("button", name="Rate").click()
        expect(me.locator("#messages")).to_contain_text("Thank you for rating our help.")
        expect(me.locator("#rated")).to_be_visible()

        # The rollout metrics: the satisfaction figure is now the rating.
        them.goto("/platform/rollout/o/alpha/")
        figure = them.locator("#metric-satisfaction")
        expect(figure).to_contain_text("4/5")
        expect(figure).to_contain_text("1 ticket rating, 0 survey answers")
        shot(them, "support-3-metrics")
        today = timezone.localdate()
        metrics = support_metrics(organization=desk["org"], start=today, end=today)
        assert metrics["satisfaction"]["average"] == 4.0

        # A week on, the member is asked how satisfied they are; the answer (htmx, no reload)
        # joins the figure.
        with org_context(desk["org"]):
            Membership.objects.filter(user=desk["member"]).update(
                created_at=timezone.now() - timedelta(days=8)
            )
        me.context.clear_cookies()
        fresh = _signed_in(browser, live_server, desk["member"])
        try:
            later = fresh.new_page()
            later.goto("/o/alpha/")
            survey = later.locator("#satisfaction-survey")
            expect(survey).to_contain_text("How satisfied are you with the platform?")
            survey.get_by_label("5 · Very satisfied").check()
            survey.get_by_role("button", name="Send").click()
            expect(later.locator("#survey-thanks")).to_be_visible()
            expect(later.locator("#satisfaction-survey")).to_have_count(0)
            later.goto("/o/alpha/support/")
            expect(later.locator("#satisfaction-survey")).to_have_count(0)
        finally:
            fresh.close()
        them.goto("/platform/rollout/o/alpha/")
        expect(figure).to_contain_text("4.5/5")
        expect(figure).to_contain_text("1 ticket rating, 1 survey answer")
    finally:
        member_context.close()
        staff_context.close()
