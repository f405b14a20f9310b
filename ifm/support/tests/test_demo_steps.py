"""Support's and communications' demo steps through `seed_organization`, as `ifm seed_demo`
runs them: per organization (bugs, a merged duplicate, survey answers, an ended access grant)
and platform-wide, made once (canned replies, the pilot's kickoff send, an ended announcement)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.core.org_context import all_organizations, org_context
from ifm.orgs import demo
from ifm.orgs.services import organization_create
from ifm.support.comms.defaults import KICKOFF
from ifm.support.comms.models import Announcement, RecipientStatus, Send, SendRecipient, SendStatus
from ifm.support.models import (
    Bug,
    BugStatus,
    BugTicket,
    CannedReply,
    Priority,
    Severity,
    Status,
    SurveyResponse,
    Ticket,
    TicketAccessGrant,
)
from ifm.support.selectors import support_metrics
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db
STEPS = ("support", "communications", "rollout")


def _org(slug: str) -> tuple[Organization, dict[str, Any]]:
    org = organization_create(slug=slug, name=slug.replace("-", " ").title())
    users = {}
    for role in Role:
        user = make_user(f"{role.value}@{slug}.test", full_name=f"{role.label} of {slug}")
        membership_set(organization=org, user=user, role=role)
        users[role.value] = user
    return org, users


def _counts() -> dict[str, int]:
    models = [
        CannedReply, Bug, BugTicket, Ticket, SurveyResponse, TicketAccessGrant, Send,
        SendRecipient, Announcement,
    ]  # fmt: skip
    with all_organizations():
        return {m.__name__: m._base_manager.count() for m in models}


def test_the_demo_fills_each_support_module_once(mailoutbox: list[Any]) -> None:
    names = [s.name for s in demo.steps()]
    assert names.index("rollout") < names.index("communications")
    # "grace-chapel" is the demo's pilot organization (ifm/rollout/demo.py).
    pilot, pilot_users = _org("grace-chapel")
    other, other_users = _org("river-youth")
    demo.seed_organization(other, other_users, only=STEPS)
    assert CannedReply.objects.count() == 3
    assert not Send.objects.exists()  # river-youth is not in the pilot
    report = dict(demo.seed_organization(pilot, pilot_users, only=STEPS))
    assert f"kickoff email to the pilot ({len(Role)} sent)" in report["communications"], report

    # Platform-wide: three canned replies, one ended announcement, made once.
    assert CannedReply.objects.count() == 3
    [announcement] = Announcement.objects.all()
    assert announcement.ends_at < timezone.now()

    # The pilot's kickoff: recorded with a recipient per member, sent by the job's work.
    [send] = Send.objects.all()
    assert send.template is not None
    assert send.template.key == KICKOFF
    assert send.status == SendStatus.DONE
    assert (send.total, send.sent, send.failed) == (len(Role), len(Role), 0)
    with all_organizations():
        recipients = SendRecipient.objects.filter(send=send)
        assert {r.organization_id for r in recipients} == {pilot.pk}
        assert {r.status for r in recipients} == {RecipientStatus.SENT}
    kickoffs = [m for m in mailoutbox if "Beginning" in m.subject]
    assert len(kickoffs) == len(Role)
    assert {m.to[0] for m in kickoffs} == {u.email for u in pilot_users.values()}

    for org in (pilot, other):
        with org_context(org):
            late = Ticket.objects.get(priority=Priority.CRITICAL)
            duplicate = Ticket.objects.get(merged_into__isnull=False)
            assert duplicate.merged_into_id == late.pk
            assert duplicate.status == Status.CLOSED
            high = Bug.objects.get(severity=Severity.HIGH)
            assert high.status == BugStatus.OPEN
            assert list(high.tickets.all()) == [late]
            assert Bug.objects.filter(status=BugStatus.FIXED, tickets__isnull=False).count() == 1
            assert SurveyResponse.objects.filter(score__isnull=False).count() == 2
            [grant] = TicketAccessGrant.objects.select_related("grant")
            assert grant.grant.revoked_at is not None  # asked, then ended
            assert not grant.grant.is_active
        # The rollout console's satisfaction over its default window: both kinds of score.
        today = timezone.localdate()
        figures = support_metrics(organization=org, start=today - timedelta(days=29), end=today)
        satisfaction = figures["satisfaction"]
        assert satisfaction["ratings"]["count"] == 1
        assert satisfaction["survey"]["count"] == 2
        assert satisfaction["count"] == 3

    # Seeding again adds nothing: every step is recorded as done.
    before = _counts()
    for org, users in ((pilot, pilot_users), (other, other_users)):
        again = dict(demo.seed_organization(org, users, only=STEPS))
        assert set(again.values()) == {"already there"}
    assert _counts() == before
    # A third organization gets its own tickets, but no second set of platform-wide rows.
    third, third_users = _org("hope-kitchen")
    demo.seed_organization(third, third_users, only=STEPS)
    after = _counts()
    for name in ("CannedReply", "Send", "SendRecipient", "Announcement"):
        assert after[name] == before[name], name
    assert after["Bug"] == before["Bug"] + 2
