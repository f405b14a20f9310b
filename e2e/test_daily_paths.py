"""Each role's daily path in Chromium, at desktop (1366x900) and phone (390x844) size: sign in,
open the dashboard and the role's main lists, find a record with the search in the top bar
opened from the keyboard, with a screenshot per step (var/e2e/daily-<size>-<role>-<step>.png).
On a phone no page may scroll sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import org_context
from ifm.donors.models import Donor
from ifm.expenses.models import Expense
from ifm.orgs.demo import seed_organization
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
SLUG = "hope"

# The lists each role opens on a working day (URL names under /o/<slug>/).
LISTS: dict[str, list[tuple[str, str]]] = {
    "fundraising": [
        ("donors", "donors/"),
        ("donations", "donors/donations/"),
        ("receipts", "donors/receipts/"),
        ("pledges", "donors/pledges/"),
        ("campaigns", "donors/campaigns/"),
    ],
    # The bookkeeper and the approver of expenses: finance.
    "finance": [
        ("journal", "ledger/entries/"),
        ("chart", "ledger/chart/"),
        ("expenses", "expenses/"),
        ("queue", "expenses/queue/"),
        ("batches", "donors/batches/"),
    ],
    "staff": [("expenses", "expenses/")],
    "admin": [
        ("members", "members/"),
        ("audit", "audit/"),
        ("donors", "donors/"),
        ("expenses", "expenses/"),
    ],
}


def _no_sideways_scroll(page: Any, where: str) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, "
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right "
        "> window.innerWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className)]"
    )
    scroll, inner, culprits = widths
    assert scroll <= inner, f"{where}: the page is {scroll}px wide on a {inner}px screen {culprits}"


def _server_errors_into(failed: list[str]) -> Any:
    def note(response: Any) -> None:
        if response.status >= 500:
            failed.append(f"{response.status} {response.url}")

    return note


def _search_terms(org: Any, staff: Any) -> dict[str, str]:
    with org_context(org):
        donor = Donor.objects.exclude(last_name="").order_by("pk").first()
        mine = Expense.objects.filter(submitted_by=staff).order_by("pk").first()
    assert donor is not None, "the demo data has donors"
    assert mine is not None, "the demo data has the staff member's expenses"
    return {"donor": donor.last_name, "expense": mine.payee}


@pytest.mark.parametrize("size", list(SIZES))
def test_each_roles_daily_path(browser: Any, live_server: Any, shot: Any, size: str) -> None:
    org = organization_create(slug=SLUG, name="Hope Community Kitchen", ein="12-3456789")
    users = {}
    for each in Role:
        users[each.value] = make_user(f"{each.value}@hope.test", full_name=f"{each.label} Hope")
        membership_set(organization=org, user=users[each.value], role=each)
    seed_organization(org, users, donors=24)
    terms = _search_terms(org, users["staff"])
    width, height = SIZES[size]

    for role, lists in LISTS.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        failed: list[str] = []
        page.on("response", _server_errors_into(failed))
        name = f"daily-{size}-{role}"

        sign_in(page, f"{role}@hope.test")
        expect(page).to_have_url(re.compile(rf"/o/{SLUG}/$"))
        expect(page.locator("#global-search")).to_be_visible()
        shot(page, f"{name}-1-dashboard")
        if size == "phone":
            _no_sideways_scroll(page, f"{role} dashboard")

        for step, (label, path) in enumerate(lists, start=2):
            response = page.goto(f"/o/{SLUG}/{path}")
            assert response is not None
            assert response.status == 200, (role, path)
            expect(page.locator("main h1").first).to_be_visible()
            shot(page, f"{name}-{step}-{label}")
            if size == "phone":
                _no_sideways_scroll(page, f"{role} {path}")

        # The search: "/" from anywhere that is not a field, then Ctrl+K from inside one.
        page.locator("main h1").first.click()
        page.keyboard.press("/")
        box = page.locator("#global-search")
        expect(box).to_be_focused()
        term = terms["expense"] if role == "staff" else terms["donor"]
        box.press_sequentially(term, delay=20)
        results = page.locator("#global-search-results")
        expect(results.locator("a.search-hit").first).to_be_visible()
        heading = "Expenses" if role == "staff" else "Donors"
        expect(results.get_by_role("heading", name=heading)).to_be_visible()
        shot(page, f"{name}-{len(lists) + 2}-search")
        if role == "staff":
            # Staff see their own expenses only, and nothing of the donors or the ledger.
            expect(results.get_by_role("heading", name="Donors")).to_have_count(0)
            expect(results.get_by_role("heading", name="Journal entries")).to_have_count(0)
        results.locator("a.search-hit").first.click()
        expect(page).to_have_url(re.compile(rf"/o/{SLUG}/(donors|expenses)/\d+/$"))
        shot(page, f"{name}-{len(lists) + 3}-found")
        if size == "phone":
            _no_sideways_scroll(page, f"{role} found record")

        page.locator("main").first.click(position={"x": 5, "y": 5})
        page.keyboard.press("Control+k")
        expect(box).to_be_focused()
        box.fill(term)
        box.press("Enter")  # the whole search page
        expect(page).to_have_url(re.compile(rf"/o/{SLUG}/search/\?q="))
        expect(page.locator("#search-results a.search-hit").first).to_be_visible()
        shot(page, f"{name}-{len(lists) + 4}-search-page")
        if size == "phone":
            _no_sideways_scroll(page, f"{role} search page")
        assert failed == [], failed
        context.close()


def test_the_donors_tabs_fold_into_more_and_filters_fold_on_a_phone(
    browser: Any, live_server: Any, shot: Any
) -> None:
    org = organization_create(slug=SLUG, name="Hope Community Kitchen", ein="12-3456789")
    user = make_user("fundraising@hope.test", full_name="Fran Hope")
    membership_set(organization=org, user=user, role=Role.FUNDRAISING)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, "fundraising@hope.test")
    page.goto(f"/o/{SLUG}/donors/")
    tabs = page.locator(".donor-tabs .nav-tabs")
    # One row: every visible tab shares the first one's top.
    tops = tabs.evaluate(
        "ul => [...ul.children].filter(li => li.offsetParent).map(li => li.offsetTop)"
    )
    assert len(tops) <= 7, tops
    assert len(set(tops)) == 1, tops
    filters = page.locator("details.filter-fold")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator("#id_q")).to_be_hidden()
    shot(page, "daily-phone-tabs-folded")

    # "More" opens from the keyboard and lists the other areas.
    more = page.locator("details.nav-more > summary")
    more.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Pledges")).to_be_visible()
    expect(page.get_by_role("link", name="Gift batches")).to_be_visible()
    shot(page, "daily-phone-more-open")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Pledges")).to_be_hidden()

    # The Filters toggle opens the bar; with a filter set the bar is open on arrival.
    page.locator("details.filter-fold > summary").click()
    expect(page.locator("#id_q")).to_be_visible()
    page.goto(f"/o/{SLUG}/donors/?q=zz")
    expect(page.locator("details.filter-fold")).to_have_attribute("open", "")
    expect(page.locator("#id_q")).to_be_visible()
    context.close()
