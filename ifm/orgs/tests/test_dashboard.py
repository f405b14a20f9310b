"""The dashboard: each role's sections, numbers that match what was recorded, links that open
the list filtered to what the tile counts, and a bounded number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ifm.accounts.services import invitation_create
from ifm.audit.services import audit_record
from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.donors.dashboard import month_to_date, same_day_last_year
from ifm.donors.gifts.batches import gift_batch_create
from ifm.donors.gifts.services import (
    campaign_create,
    donation_record,
    donation_void,
)
from ifm.donors.models import Campaign, Method
from ifm.donors.people.services import donor_create
from ifm.donors.receipts.issue import receipt_issue
from ifm.expenses.models import Function, Kind
from ifm.expenses.services import expense_create
from ifm.expenses.workflow import expense_approve, expense_submit
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.services import journal_entry_create
from ifm.ledger.models import Account, Fund, Period, PeriodStatus, Restriction
from ifm.ledger.periods.services import period_close
from ifm.ops.tests import tasks
from ifm.orgs import dashboard
from ifm.orgs.dashboard import Comparison, DashboardContext, Progress, Tile
from ifm.tenancy.models import Membership, Organization

# 25, and the financial results' two sums; each ledger sum is two reads (whole months from the
# stored balances, then the days at the edges from the lines); and the volunteers' section:
# the shifts tile's one, the volunteers' counts and expiring qualifications (two), the hours' one
MAX_QUERIES = 34


def who(user: Any, org: Organization) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "actor": user, "access": access}


def tiles_of(response: Any) -> dict[str, Tile]:
    return {t.key: t for s in response.context["sections"] for t in s.tiles}


def sections_of(response: Any) -> list[str]:
    return [s.key for s in response.context["sections"]]


def dashboard_url(org: Organization) -> str:
    return reverse("orgs:dashboard", kwargs={"org_slug": org.slug})


@pytest.fixture
def seeded(cast: dict[str, Any], org_a: Organization, org_b: Organization, run_jobs: Any) -> Any:
    """Known data in A (and some in B, which A's dashboard must not count)."""
    today = timezone.localdate()
    (this_start, _this_end), (last_start, _last_end) = month_to_date(today)
    fr = who(cast["fundraising"], org_a)
    fin = who(cast["finance"], org_a)
    staff = who(cast["staff"], org_a)
    with org_context(org_a):
        general = Fund.objects.get(is_general=True)
        youth = Fund.objects.create(
            code="YOUTH", name="Youth", restriction=Restriction.PURPOSE, purpose="Youth"
        )
        bank = Account.objects.get(number="1010")
        donor = donor_create(**fr, kind="individual", first_name="Ada", last_name="Lee")
        camp = campaign_create(**fr, name="Roof")
        gift: dict[str, Any] = {"donor": donor, "method": Method.CHECK}
        big = donation_record(
            **gift, **fr, amount="300.00", date=today, fund=general, campaign=camp
        )
        donation_record(**gift, **fr, amount="250.00", date=this_start, fund=youth)
        voided = donation_record(**gift, **fr, amount="40.00", date=today, fund=general)
        donation_void(**fr, donation=voided, reason="Bounced")
        donation_record(**gift, **fr, amount="80.00", date=last_start, fund=general)
        donation_record(**gift, **fr, amount="20.00", date=last_start, fund=general, campaign=camp)
        receipt_issue(**fr, donation=big)
        gift_batch_create(**fr, name="Sunday", date=today, expected_count=2, expected_total="10")
        journal_entry_create(
            **fin,
            date=today,
            lines=[
                LineInput(account=bank, fund=general, debit=Decimal("1000.00")),
                LineInput(
                    account=Account.objects.get(number="3010"),
                    fund=general,
                    credit=Decimal("1000.00"),
                ),
            ],
        )
        category = Account.objects.filter(type="expense", number="8110").get()
        made = []
        for amount in ("12.50", "30.00", "45.00"):
            made.append(
                expense_create(
                    **staff,
                    kind=Kind.CLAIM,
                    payee="Shop",
                    date=today,
                    function=Function.PROGRAM,
                    amount=amount,
                    category=category,
                    fund=general,
                )
            )
        made.append(
            expense_create(
                **who(cast["admin"], org_a),
                kind=Kind.BILL,
                payee="Printer",
                date=today,
                function=Function.MANAGEMENT,
                amount="99.00",
            )
        )
        for expense in made[:2]:
            expense_submit(**staff, expense=expense)
        expense_approve(**fin, expense=made[1])
        invitation_create(
            organization=org_a,
            email="new@alpha.test",
            role="staff",
            actor=cast["admin"],
            actor_access=who(cast["admin"], org_a)["access"],
        )
    # B: a gift today, a failed sign-in of B's admin, a failed job of B.
    other = who(cast["other_admin"], org_b)
    with org_context(org_b):
        b_donor = donor_create(**other, kind="individual", first_name="Bo", last_name="B")
        donation_record(
            **other,
            donor=b_donor,
            amount="999.00",
            date=today,
            method=Method.CASH,
            fund=Fund.objects.get(is_general=True),
        )
    for email in ["staff@alpha.test", "STAFF@alpha.test", "admin@beta.test", "nobody@x.test"]:
        audit_record(action="auth.sign_in_failed", actor_label=email.lower())
    audit_record(action="auth.locked_out", actor_label="staff@alpha.test")
    cache.set(tasks.FAIL_FLAG, True)
    tasks.flaky.enqueue(label="a", organization_id=org_a.pk)
    tasks.flaky.enqueue(label="b", organization_id=org_b.pk)
    run_jobs()
    cache.delete(tasks.FAIL_FLAG)
    return {"today": today, "campaign": camp, "youth": youth}


def test_admin_sees_every_section_with_the_numbers_recorded(
    seeded: dict[str, Any],
    cast: dict[str, Any],
    org_a: Organization,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(cast["admin"])
    client.get(dashboard_url(org_a))  # warm the session and caches a first visit fills
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(dashboard_url(org_a))
    assert response.status_code == 200
    assert sections_of(response) == ["fundraising", "finance", "staff", "admin", "reports"]
    tiles = tiles_of(response)

    month = tiles["donors.gifts_month"]
    assert month.value == Decimal("550.00")  # 300 + 250; the voided 40 and B's 999 are not
    assert "2 gifts" in month.detail
    assert month.comparison is not None
    assert month.comparison.value == Decimal("100.00")
    assert month.change == 450
    assert tiles["donors.receipts_not_sent"].value == 1
    assert tiles["donors.open_batches"].value == 1
    roof = tiles[f"donors.campaign.{seeded['campaign'].pk}"]
    assert roof.value == Decimal("320.00")
    assert roof.progress is None  # no goal on the campaign

    # Cash: 1000 deposited, and the gifts' 300 + 250 in undeposited funds; last year's 100 too.
    assert tiles["ledger.cash"].value == Decimal("1650.00")
    assert tiles["ledger.restricted"].value == Decimal("250.00")
    with org_context(org_a):
        to_close = Period.objects.filter(status="open", end_date__lt=seeded["today"]).count()
    assert tiles["ledger.periods_to_close"].value == to_close
    assert tiles["expenses.to_approve"].value == 1
    assert tiles["expenses.to_pay"].value == Decimal("30.00")
    assert tiles["expenses.to_pay"].detail == "1 expense"

    # The admin's own expenses: one draft bill.
    assert tiles["expenses.mine.draft"].value == 1
    assert "99.00" in tiles["expenses.mine.draft"].detail
    assert tiles["orgs.members"].value == 6
    assert tiles["orgs.invitations"].value == 1
    assert tiles["orgs.sign_in_trouble"].value == 3  # staff twice and locked out once
    assert tiles["ops.failed_jobs"].value == 1
    html = response.content.decode()
    assert "550.00" in html
    assert 'data-tile="ops.failed_jobs"' in html
    # A task is said in words too, not only by the tile's coloured edge.
    batches = html[html.index('data-tile="donors.open_batches"') :]
    assert batches.index("(needs attention)") < batches.index("</h3>")


def test_each_role_sees_the_sections_of_its_role(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    # "My expenses" shows for those who have entered some: here staff and the admin.
    expected = {
        "fundraising": ["fundraising"],
        "finance": ["finance", "reports"],
        "staff": ["staff"],
        "volunteer_coordinator": [],
        "viewer": ["reports"],
    }
    for role, sections in expected.items():
        response = client_for(cast[role]).get(dashboard_url(org_a))
        assert response.status_code == 200
        assert sections_of(response) == sections, role
    staff = tiles_of(client_for(cast["staff"]).get(dashboard_url(org_a)))
    assert {k: t.value for k, t in staff.items()} == {
        "expenses.mine.draft": 1,
        "expenses.mine.submitted": 1,
        "expenses.mine.approved": 1,
    }  # no tile for a state with none
    assert "45.00" in staff["expenses.mine.draft"].detail


def test_another_organization_sees_only_its_own(
    seeded: dict[str, Any], cast: dict[str, Any], org_b: Organization
) -> None:
    tiles = tiles_of(client_for(cast["other_admin"]).get(dashboard_url(org_b)))
    assert tiles["donors.gifts_month"].value == Decimal("999.00")
    assert tiles["donors.open_batches"].value == 0
    assert tiles["expenses.to_approve"].value == 0
    assert tiles["orgs.members"].value == 1
    assert tiles["orgs.invitations"].value == 0
    assert tiles["orgs.sign_in_trouble"].value == 1
    assert tiles["ops.failed_jobs"].value == 1


# --- Each tile's link opens its list, filtered to what the tile counts --------------------------


def open_tile(client: Client, tile: Tile) -> Any:
    assert tile.url is not None
    response = client.get(tile.url)
    assert response.status_code == 200, tile.url
    return response


def _get(client: Client, url: str | None) -> str:
    assert url is not None
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_fundraising_links_filter_their_lists(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["admin"])
    tiles = tiles_of(client.get(dashboard_url(org_a)))
    gifts = open_tile(client, tiles["donors.gifts_month"])
    assert gifts.context["totals"]["total"] == Decimal("550.00")
    assert gifts.context["totals"]["count"] == 2
    receipts = open_tile(client, tiles["donors.receipts_not_sent"])
    assert receipts.context["page"].paginator.count == 1
    batches = open_tile(client, tiles["donors.open_batches"])
    assert [b.name for b, *_ in batches.context["rows"]] == ["Sunday"]
    campaign = open_tile(client, tiles[f"donors.campaign.{seeded['campaign'].pk}"])
    assert campaign.context["totals"]["total"] == Decimal("320.00")


def test_batch_list_filters_by_status(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["fundraising"])
    url = reverse("donors:gift_batch_list", kwargs={"org_slug": org_a.slug})
    assert len(client.get(url + "?status=open").context["rows"]) == 1
    assert client.get(url + "?status=posted").context["rows"] == []
    # An unknown status is no filter, not an error.
    assert len(client.get(url + "?status=<b>").context["rows"]) == 1


def test_finance_links_filter_their_lists(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["finance"])
    tiles = tiles_of(client.get(dashboard_url(org_a)))
    cash = open_tile(client, tiles["ledger.cash"])
    assert cash.context["group_balance"] == tiles["ledger.cash"].value
    assert {row.number for row, _type in cash.context["rows"]} <= {
        "1010", "1020", "1040", "1050", "1070",
    }  # fmt: skip
    restricted = open_tile(client, tiles["ledger.restricted"])
    assert restricted.context["group_balance"] == Decimal("250.00")
    periods = open_tile(client, tiles["ledger.periods_to_close"])
    shown = [p for fy in periods.context["years"] for p in fy.periods.all()]
    assert len(shown) == tiles["ledger.periods_to_close"].value
    assert all(p.status == "open" and p.end_date < seeded["today"] for p in shown)
    queue = open_tile(client, tiles["expenses.to_approve"])
    assert queue.context["totals"].count == 1
    to_pay = open_tile(client, tiles["expenses.to_pay"])
    assert to_pay.context["totals"].amount == Decimal("30.00")


def test_periods_page_filters_and_a_closed_period_leaves_the_tile(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["finance"])
    before = tiles_of(client.get(dashboard_url(org_a)))["ledger.periods_to_close"].value
    assert before > 0
    with org_context(org_a):
        oldest = Period.objects.filter(status=PeriodStatus.OPEN).order_by("start_date").first()
    assert oldest is not None
    period_close(**who(cast["finance"], org_a), period=oldest)
    after = tiles_of(client.get(dashboard_url(org_a)))["ledger.periods_to_close"].value
    assert after == before - 1
    url = reverse("ledger:ledger_periods", kwargs={"org_slug": org_a.slug})
    closed = client.get(url + "?status=closed")
    assert [p.pk for fy in closed.context["years"] for p in fy.periods.all()] == [oldest.pk]
    everything = client.get(url + "?status=nonsense")
    assert everything.context["status"] == ""
    assert sum(len(fy.periods.all()) for fy in everything.context["years"]) >= after + 1


def test_trial_balance_of_a_group_of_accounts(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["finance"])
    url = reverse("ledger:ledger_trial_balance", kwargs={"org_slug": org_a.slug})
    page = _get(client, url + "?accounts=cash")
    assert "Cash and bank accounts: <strong" in page
    assert "3010" not in page  # the net assets account is not a cash account
    assert client.get(url + "?accounts=everything").context["group"] == ""
    export = client.get(
        reverse("ledger:ledger_trial_balance_csv", kwargs={"org_slug": org_a.slug})
        + "?accounts=restricted"
    )
    body = export.getvalue()
    assert b"1010" not in body


def test_admin_links_filter_their_lists(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["admin"])
    tiles = tiles_of(client.get(dashboard_url(org_a)))
    members = open_tile(client, tiles["orgs.members"])
    assert len(members.context["members"]) == 6
    trouble = open_tile(client, tiles["orgs.sign_in_trouble"])
    assert [m.user.email for m in trouble.context["members"]] == ["staff@alpha.test"]
    invitations = open_tile(client, tiles["orgs.invitations"])
    assert [i.email for i in invitations.context["invitations"]] == ["new@alpha.test"]
    jobs = open_tile(client, tiles["ops.failed_jobs"])
    assert [row.status for row in jobs.context["rows"]] == ["failed"]


def test_staff_links_show_their_own_expenses(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    client = client_for(cast["staff"])
    tiles = tiles_of(client.get(dashboard_url(org_a)))
    for status in ["draft", "submitted", "approved"]:
        page = open_tile(client, tiles[f"expenses.mine.{status}"])
        assert page.context["totals"].count == 1, status
        assert {e.status for e in page.context["page"]} == {status}
    # Finance's "mine" is finance's own: none, though staff's exist (and finance sees them).
    mine = tiles_of(client_for(cast["finance"]).get(dashboard_url(org_a)))
    assert not [key for key in mine if key.startswith("expenses.mine.")]


# --- The page itself ------------------------------------------------------------------------------


def test_tiles_are_headed_links_and_progress_bars_speak(
    cast: dict[str, Any], org_a: Organization
) -> None:
    def goal_tiles(ctx: DashboardContext) -> Iterator[Tile]:
        yield Tile(
            key="test.goal",
            title="Spring drive",
            value=Decimal("750.00"),
            is_money=True,
            progress=Progress(value=Decimal("750.00"), goal=Decimal("1000.00")),
            url="/somewhere/",
        )

    dashboard.register("fundraising", goal_tiles)
    try:
        html = client_for(cast["fundraising"]).get(dashboard_url(org_a)).content.decode()
    finally:
        _unregister(goal_tiles)
    assert '<h2 class="h5 mb-3" id="dashboard-fundraising">Fundraising</h2>' in html
    progress = re.search(r"<progress[^>]*>", html, flags=re.S)
    assert progress is not None
    tag = progress.group(0)
    assert 'max="100"' in tag
    assert 'value="75"' in tag
    assert 'aria-valuetext="750.00 of 1,000.00 USD (75%)"' in tag
    assert 'aria-labelledby="tile-testgoal"' in tag
    assert 'class="stretched-link' in html
    assert 'href="/somewhere/"' in html


def test_a_module_added_later_registers_its_section(
    cast: dict[str, Any], org_a: Organization
) -> None:
    def unreconciled(ctx: DashboardContext) -> Iterator[Tile]:
        yield Tile(key="banking.unreconciled", title="Unreconciled lines", value=4)

    dashboard.register_section("banking", "Banking", roles=["admin", "finance"])
    dashboard.register("banking", unreconciled, perm="ledger.post")
    try:
        finance = client_for(cast["finance"]).get(dashboard_url(org_a))
        staff = client_for(cast["staff"]).get(dashboard_url(org_a))
    finally:
        dashboard._SECTIONS.pop("banking")
    assert "banking" in sections_of(finance)
    assert tiles_of(finance)["banking.unreconciled"].value == 4
    assert "banking" not in sections_of(staff)
    with pytest.raises(KeyError):
        dashboard.register("no-such-section", unreconciled)


def test_comparison_and_progress_arithmetic() -> None:
    assert Comparison("last year", Decimal("200")).change(Decimal("150")) == -25
    assert Comparison("last year", 0).change(5) is None
    assert Progress(Decimal("1500"), Decimal("1000")).percent == 100
    assert Progress(Decimal("1"), Decimal("3")).percent == 33
    assert same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)
    this, last = month_to_date(date(2026, 3, 9))
    assert this == (date(2026, 3, 1), date(2026, 3, 9))
    assert last == (date(2025, 3, 1), date(2025, 3, 9))
    assert last[1] - last[0] == timedelta(days=8)


def _unregister(provider: Any) -> None:
    for section in dashboard.sections():
        section.providers[:] = [(p, f) for p, f in section.providers if f is not provider]


@pytest.mark.skipif(
    not any(f.name == "goal" for f in Campaign._meta.get_fields()),
    reason="campaigns have no goal yet",
)
def test_a_campaign_with_a_goal_shows_its_progress(
    seeded: dict[str, Any], cast: dict[str, Any], org_a: Organization
) -> None:
    goal: dict[str, Any] = {"goal": Decimal("1280.00")}  # a field another change adds
    with org_context(org_a):
        Campaign.objects.filter(pk=seeded["campaign"].pk).update(**goal)
    tiles = tiles_of(client_for(cast["fundraising"]).get(dashboard_url(org_a)))
    roof = tiles[f"donors.campaign.{seeded['campaign'].pk}"]
    assert roof.progress is not None
    assert roof.progress.percent == 25  # 320 of 1,280
