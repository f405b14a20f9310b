"""`ifm seed_demo`: demo organizations with their users and every app's demo data, once."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.core.org_context import all_organizations, org_context
from ifm.donors.models import (
    Appeal,
    Campaign,
    Donation,
    Donor,
    Household,
    Pledge,
    RecurringGift,
    TaxReceipt,
)
from ifm.expenses.models import Expense, Status
from ifm.ledger.balances.selectors import trial_balance
from ifm.ledger.models import JournalEntry, JournalLine, Period, PeriodStatus
from ifm.orgs import demo
from ifm.orgs.management.commands.seed_demo import DEMO_ORGS
from ifm.orgs.services import organization_create
from ifm.support.comms.models import Announcement, Send, SendRecipient, SendStatus
from ifm.support.models import Bug, BugTicket, CannedReply, SurveyResponse, Ticket
from ifm.tenancy import modules
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.roles import Role

User = get_user_model()

SMALL = 120  # donors per organization in the test (the command's default is 200)
COUNTED = [
    Donor, Household, Donation, Campaign, Appeal, Pledge, RecurringGift, TaxReceipt,
    JournalEntry, JournalLine, Expense, Period, Membership, AuditEvent,
    Ticket, Bug, BugTicket, SurveyResponse, CannedReply, Send, SendRecipient, Announcement,
]  # fmt: skip


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--donors", str(SMALL), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _counts() -> dict[str, int]:
    with all_organizations():
        return {model.__name__: model._base_manager.count() for model in COUNTED}


@pytest.mark.django_db(transaction=True)
def test_seed_demo_fills_each_organization_once(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    out = _seed()
    assert "already there" not in out
    orgs = list(Organization.objects.filter(slug__in=[slug for slug, *_rest in DEMO_ORGS]))
    assert len(orgs) == len(DEMO_ORGS)
    for org in orgs:
        with org_context(org):
            assert Donor.objects.count() == SMALL
            assert Household.objects.exists()
            assert Donor.objects.exclude(email="").count() > SMALL // 2
            assert Donor.objects.exclude(phone="").exists()
            assert Donor.objects.exclude(postal_code="").count() > SMALL // 2
            assert Donation.objects.count() > 300, org.slug
            # Every gift is posted, but the two entered into today's open batch (they post
            # with the batch).
            unposted = Donation.objects.filter(journal_entry__isnull=True)
            assert unposted.count() == 2
            assert set(unposted.values_list("status", "batch__status")) == {("pending", "open")}
            methods = set(Donation.objects.values_list("method", flat=True))
            assert {"check", "cash", "card", "bank_transfer", "in_kind"} <= methods
            assert Campaign.objects.count() >= 2
            assert Appeal.objects.filter(campaign__isnull=False).count() >= 4
            assert Pledge.objects.count() == 3
            assert Donation.objects.filter(pledge__isnull=False).exists()
            assert Donation.objects.filter(recurring__isnull=False).count() > 6
            assert TaxReceipt.objects.count() >= 1
            # The youth fund's release by hand and the season grant's time restriction, due.
            assert JournalEntry.objects.filter(source_type="release").count() == 2
            released = JournalLine.objects.filter(entry__source_type="release")
            assert set(released.values_list("fund__code", flat=True)) == {"YOUTH", "SEASON"}
            # The bill charged to the youth fund released it in its own entry.
            assert JournalLine.objects.filter(
                entry__source_type="expense", fund__code="YOUTH", account__role="release_with"
            ).exists()
            assert JournalEntry.objects.filter(source_type="manual").count() >= 3
            states = set(Expense.objects.values_list("status", flat=True))
            assert {Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.PAID} <= states
            assert Status.REJECTED in states
            assert Period.objects.filter(status=PeriodStatus.CLOSED).count() == 1
            tb = trial_balance(as_of=date.today())
            assert tb.total_debit == tb.total_credit > 0
            assert AuditEvent.objects.filter(action="donation.record").count() > 300

        _assert_dashboards_show_numbers(org)
        with org_context(org):  # the support desk's modules, each with something in it
            assert BugTicket.objects.filter(bug__severity="high").exists()
            assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
            assert SurveyResponse.objects.filter(score__isnull=False).count() == 2

    # Platform-wide, made once: canned replies, the pilot's kickoff send, an ended announcement.
    assert CannedReply.objects.count() == 3
    [send] = Send.objects.all()
    assert send.status == SendStatus.DONE
    assert send.sent == send.total > 0
    with all_organizations():
        assert SendRecipient.objects.filter(send=send).count() == send.total
    assert Announcement.objects.count() == 1

    before = _counts()
    assert before["Donation"] > 300 * len(DEMO_ORGS)
    again = _seed()
    assert again.count("already there") == len(DEMO_ORGS) * len(demo.steps())
    assert _counts() == before


def test_steps_run_in_dependency_order() -> None:
    names = [step.name for step in demo.steps()]
    assert names.index("ledger") < names.index("donors") < names.index("expenses")


@pytest.mark.django_db
def test_only_the_named_steps_run() -> None:
    """The load test leaves steps out: with `only`, the others neither run nor are marked."""
    org = organization_create(slug="only-steps", name="Only Steps")
    # No users are given, so any step that ran would fail.
    assert demo.seed_organization(org, {}, only=()) == []
    with org_context(org):
        assert not AuditEvent.objects.filter(action=demo.MARKER_ACTION).exists()


def test_make_run_seeds_the_default_size() -> None:
    """`make run` calls the command without --donors: each organization gets 200 donors."""
    makefile = (Path(__file__).resolve().parents[3] / "Makefile").read_text()
    calls = re.findall(r"^\t.*\bifm seed_demo\b(.*)$", makefile, flags=re.MULTILINE)
    assert calls == [""]
    assert demo.DEFAULT_DONORS == 200


# What each demo role's dashboard shows: its sections, and a number other than 0 on every tile.
# Only failed jobs stay at 0: nothing failed in a fresh demo, and none is made up.
DASHBOARDS = {
    Role.ADMIN: ["fundraising", "finance", "admin", "volunteers", "reports"],
    Role.FINANCE: ["finance", "reports"],
    Role.FUNDRAISING: ["fundraising"],
    Role.STAFF: ["staff"],
    Role.VOLUNTEER_COORDINATOR: ["staff", "volunteers"],
    Role.VIEWER: ["reports"],
}
ZERO_TILES = {"ops.failed_jobs"}


def _assert_dashboards_show_numbers(org: Organization) -> None:
    org = Organization.objects.get(pk=org.pk)  # its modules as the demo's rollout set them
    # The demo puts Grace Chapel in the pilot (core features only) and the others further on.
    assert modules.is_module_enabled(org, "volunteers") == (org.slug != "grace-chapel"), org.slug
    for role, sections_of_role in DASHBOARDS.items():
        # An organization in the pilot has the core modules only: no volunteers section.
        expected = [
            key
            for key in sections_of_role
            if key != "volunteers" or modules.is_module_enabled(org, "volunteers")
        ]
        user = User.objects.get(email=f"{role.value.replace('_', '-')}@{org.slug}.demo")
        response = client_for(user).get(reverse("orgs:dashboard", kwargs={"org_slug": org.slug}))
        assert response.status_code == 200
        sections = response.context["sections"]
        assert [s.key for s in sections] == expected, (org.slug, role)
        tiles = [tile for section in sections for tile in section.tiles]
        zero = {tile.key for tile in tiles if not tile.value}
        assert zero <= ZERO_TILES, (org.slug, role, zero)
        if role == Role.FUNDRAISING:
            keys = {tile.key for tile in tiles}
            assert {"donors.gifts_month", "donors.receipts_not_sent", "donors.open_batches"} <= keys
            assert len([k for k in keys if k.startswith("donors.campaign.")]) >= 2
            month = next(t for t in tiles if t.key == "donors.gifts_month")
            assert month.comparison is not None
            assert month.comparison.value > 0
        if role == Role.ADMIN:
            keys = {tile.key for tile in tiles}
            assert {"orgs.members", "orgs.invitations", "orgs.sign_in_trouble"} <= keys
