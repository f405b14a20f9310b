"""The desk's tools, on real rows: canned replies, merging duplicates, the bug list and
access asked from a ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.support import access, bugs, canned, merge, services
from ifm.support.models import Bug, MessageKind, Status, Ticket, TicketMessage
from ifm.support.tests.conftest import member, png_upload
from ifm.tenancy.selectors import access_for

pytestmark = pytest.mark.django_db


def open_ticket(org: Any, user: Any, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"subject": "Receipts will not print", "description": "Blank PDF."}
    values.update(fields)
    return services.ticket_open(**member(org, user), **values)


def fresh(ticket: Any) -> Any:
    with all_organizations():
        ticket.refresh_from_db()
    return ticket


def audited(action: str) -> int:
    with all_organizations():
        return AuditEvent.objects.filter(action=action).count()


# --- Canned replies ------------------------------------------------------------------------------


def test_a_canned_reply_fills_in_the_whitelisted_fields_only(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    reply = canned.canned_reply_create(
        actor=staff,
        title="Receipts",
        body="Hello {first_name}, about {ticket} ({subject}) at {organization}: "
        "{{ settings.SECRET_KEY }} {1} {agent}",
    )
    text = canned.render(reply.body, ticket=ticket, actor=staff)
    assert text == (
        f"Hello Alpha, about {ticket.reference} (Receipts will not print) at Alpha Outreach: "
        "{{ settings.SECRET_KEY }} {1} Dana"
    )
    assert audited("support.canned_reply_create") == 1


def test_a_canned_reply_refuses_unknown_fields_duplicates_and_non_staff(
    cast: dict[str, Any], staff: Any
) -> None:
    with pytest.raises(ServiceError, match=r"Unknown field \{password\}"):
        canned.canned_reply_create(actor=staff, title="Bad", body="Hi {password}")
    canned.canned_reply_create(actor=staff, title="Hello", body="Hi", tier=2, category="bug")
    with pytest.raises(ServiceError, match="already a canned reply"):
        canned.canned_reply_create(actor=staff, title="Hello", body="Again")
    with pytest.raises(ServiceError, match="tier"):
        canned.canned_reply_create(actor=staff, title="T", body="x", tier=7)
    with pytest.raises(PermissionDenied):
        canned.canned_reply_create(actor=cast["admin"], title="Mine", body="Hi")


def test_canned_replies_for_a_ticket_follow_its_tier_and_category(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"], category="bug")
    anywhere = canned.canned_reply_create(actor=staff, title="Any", body="x")
    bug_tier1 = canned.canned_reply_create(
        actor=staff, title="Bug t1", body="x", category="bug", tier=1
    )
    canned.canned_reply_create(actor=staff, title="Bug t3", body="x", category="bug", tier=3)
    canned.canned_reply_create(actor=staff, title="Question", body="x", category="question")
    assert list(canned.canned_reply_list(ticket=ticket)) == [anywhere, bug_tier1]
    updated = canned.canned_reply_update(
        actor=staff, reply=bug_tier1, title="Bug t1", body="Changed", category="", tier=None
    )
    assert updated.body == "Changed"
    canned.canned_reply_delete(actor=staff, reply=anywhere)
    assert [r.title for r in canned.canned_reply_list(ticket=ticket)] == ["Bug t1"]


# --- Merging duplicates --------------------------------------------------------------------------


def test_merge_closes_the_duplicate_and_shows_its_conversation_on_the_ticket(
    org_a: Any, cast: dict[str, Any], staff: Any, sent: Any
) -> None:
    target = open_ticket(org_a, cast["staff"])
    duplicate = open_ticket(org_a, cast["viewer"], subject="Same", screenshots=[png_upload()])
    services.ticket_reply(**member(org_a, cast["viewer"]), ticket=duplicate, body="Still broken")
    mails = sent(lambda: merge.ticket_merge(actor=staff, ticket=target, duplicate=duplicate))
    fresh(duplicate)
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into_id == target.pk
    with org_context(org_a):
        on_duplicate = list(TicketMessage.objects.filter(ticket=duplicate))
        notes = list(TicketMessage.objects.filter(ticket=target, kind=MessageKind.NOTE))
    # The duplicate's requester reads where it went (a reply, not a note) and gets an email.
    assert on_duplicate[-1].kind == MessageKind.REPLY
    assert on_duplicate[-1].body.startswith(f"Merged into {target.reference}")
    assert len(notes) == 1
    assert duplicate.reference in notes[0].body
    assert [m.to for m in mails] == [[cast["viewer"].email]]
    assert target.reference in mails[0].body
    assert merge.merged_ids(target) == [duplicate.pk]
    assert audited("support.ticket_merge") == 1
    # Again: nothing more happens.
    merge.ticket_merge(actor=staff, ticket=target, duplicate=duplicate)
    assert audited("support.ticket_merge") == 1
    with org_context(org_a):
        assert TicketMessage.objects.filter(ticket=target, kind=MessageKind.NOTE).count() == 1


def test_merge_of_the_same_requester_sends_no_email(
    org_a: Any, cast: dict[str, Any], staff: Any, sent: Any
) -> None:
    target = open_ticket(org_a, cast["staff"])
    duplicate = open_ticket(org_a, cast["staff"])
    assert sent(lambda: merge.ticket_merge(actor=staff, ticket=target, duplicate=duplicate)) == []


def test_merge_refuses_itself_other_organizations_closed_and_merged_tickets(
    org_a: Any, org_b: Any, cast: dict[str, Any], staff: Any
) -> None:
    a1 = open_ticket(org_a, cast["staff"])
    a2 = open_ticket(org_a, cast["staff"])
    a3 = open_ticket(org_a, cast["staff"])
    b1 = open_ticket(org_b, cast["other_admin"])
    with pytest.raises(ServiceError, match="into itself"):
        merge.ticket_merge(actor=staff, ticket=a1, duplicate=a1)
    with pytest.raises(ServiceError, match="same organization"):
        merge.ticket_merge(actor=staff, ticket=a1, duplicate=b1)
    with pytest.raises(PermissionDenied):
        merge.ticket_merge(actor=cast["admin"], ticket=a1, duplicate=a2)
    merge.ticket_merge(actor=staff, ticket=a1, duplicate=a2)
    with pytest.raises(ServiceError, match="already merged"):
        merge.ticket_merge(actor=staff, ticket=a3, duplicate=a2)
    with pytest.raises(ServiceError, match="itself merged"):
        merge.ticket_merge(actor=staff, ticket=a2, duplicate=a3)
    services.ticket_set_status(actor=staff, ticket=a3, status=Status.CLOSED)
    with pytest.raises(ServiceError, match="closed"):
        merge.ticket_merge(actor=staff, ticket=a3, duplicate=open_ticket(org_a, cast["staff"]))
    fresh(b1)
    assert b1.status == Status.NEW
    assert b1.merged_into_id is None


# --- Bugs --------------------------------------------------------------------------------------


def test_bugs_are_created_and_linked_from_tickets_and_counted_when_open(
    org_a: Any, org_b: Any, cast: dict[str, Any], staff: Any
) -> None:
    t1 = open_ticket(org_a, cast["staff"])
    t2 = open_ticket(org_a, cast["viewer"])
    tb = open_ticket(org_b, cast["other_admin"])
    bug = bugs.bug_create(actor=staff, ticket=t1, title="PDF blank", severity="critical")
    assert bug.number == 1
    assert bug.organization_id == org_a.pk
    assert bugs.bug_link(actor=staff, ticket=t2, bug=bug) is True
    assert bugs.bug_link(actor=staff, ticket=t2, bug=bug) is False
    assert [t.pk for t in bugs.bug_tickets(bug)] == [t1.pk, t2.pk]
    bugs.bug_create(actor=staff, ticket=tb, title="Slow", severity="high")
    assert bugs.bug_counts(organization=org_a) == {
        "critical": 1,
        "high": 0,
        "medium": 0,
        "low": 0,
    }
    assert bugs.bug_counts()["high"] == 1
    fixed = bugs.bug_update(actor=staff, bug=bug, status="fixed")
    assert fixed.fixed_at is not None
    assert bugs.bug_counts(organization=org_a)["critical"] == 0
    reopened = bugs.bug_update(actor=staff, bug=bug, status="open", severity="low")
    assert reopened.fixed_at is None
    assert bugs.bug_counts(organization=org_a)["low"] == 1
    assert audited("support.bug_create") == 2
    assert audited("support.bug_update") == 2
    assert bugs.bug_unlink(actor=staff, ticket=t2, bug=bug) is True
    assert [t.pk for t in bugs.bug_tickets(bug)] == [t1.pk]


def test_another_organizations_bug_is_missing_from_a_ticket(
    org_a: Any, org_b: Any, cast: dict[str, Any], staff: Any
) -> None:
    ta = open_ticket(org_a, cast["staff"])
    tb = open_ticket(org_b, cast["other_admin"])
    theirs = bugs.bug_create(actor=staff, ticket=tb, title="B's bug", severity="low")
    assert bugs.bug_for_ticket(ta, theirs.pk) is None
    with pytest.raises(ServiceError, match="own organization"):
        bugs.bug_link(actor=staff, ticket=ta, bug=theirs)
    assert bugs.ticket_bugs(ta) == []


def test_bug_rules(org_a: Any, cast: dict[str, Any], staff: Any) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    with pytest.raises(ServiceError, match="severity"):
        bugs.bug_create(actor=staff, ticket=ticket, title="x", severity="urgent")
    with pytest.raises(ServiceError, match="title"):
        bugs.bug_create(actor=staff, ticket=ticket, title=" ", severity="low")
    with pytest.raises(PermissionDenied):
        bugs.bug_create(actor=cast["admin"], ticket=ticket, title="x", severity="low")
    bug = bugs.bug_create(actor=staff, ticket=ticket, title="x", severity="low")
    with pytest.raises(ServiceError, match="status"):
        bugs.bug_update(actor=staff, bug=bug, status="done")
    with org_context(org_a):
        assert Bug.objects.count() == 1


# --- Access from a ticket ----------------------------------------------------------------------


def test_access_asked_from_a_ticket_is_a_time_limited_audited_grant_tied_to_it(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    link = access.ticket_access_request(
        actor=staff, ticket=ticket, role="viewer", hours=2, reason=access.default_reason(ticket)
    )
    grant = link.grant
    assert grant.user_id == staff.pk
    assert grant.organization_id == org_a.pk
    assert grant.expires_at - grant.created_at == timedelta(hours=2)
    assert f"alpha{ticket.reference}" in grant.reason
    assert [g.pk for g in access.ticket_access_list(ticket)] == [link.pk]
    with org_context(org_a):
        note = TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.NOTE).get()
    assert "Viewer until" in note.body
    # The grant works: the staff member now acts in the organization as a viewer.
    assert access_for(staff, org_a.slug)[1] is not None
    with all_organizations():
        assert AuditEvent.objects.filter(
            action="platform_access.grant", organization=org_a
        ).exists()
    access.ticket_access_revoke(actor=staff, link=link)
    with all_organizations():
        grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert grant.revoked_at <= timezone.now()
    assert access_for(staff, org_a.slug)[1] is None
    assert audited("platform_access.revoke") == 1


def test_access_from_a_ticket_is_bounded(org_a: Any, cast: dict[str, Any], staff: Any) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    with pytest.raises(ServiceError, match="1 to 24 hours"):
        access.ticket_access_request(
            actor=staff, ticket=ticket, role="viewer", hours=25, reason="x"
        )
    with pytest.raises(ServiceError, match="why"):
        access.ticket_access_request(actor=staff, ticket=ticket, role="viewer", hours=1, reason="")
    with pytest.raises(ServiceError, match="role"):
        access.ticket_access_request(actor=staff, ticket=ticket, role="owner", hours=1, reason="x")
    with pytest.raises(PermissionDenied):
        access.ticket_access_request(
            actor=cast["admin"], ticket=ticket, role="viewer", hours=1, reason="x"
        )
    services.ticket_set_status(actor=staff, ticket=ticket, status=Status.CLOSED)
    with pytest.raises(ServiceError, match="closed"):
        access.ticket_access_request(actor=staff, ticket=ticket, role="viewer", hours=1, reason="x")
    assert access.ticket_access_list(ticket) == []
