"""Opening, answering, the desk's actions, rating and the sweeps, on real rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.support import services
from ifm.support.models import Status, Ticket, TicketAttachment, TicketMessage
from ifm.support.tests.conftest import member, png_upload

pytestmark = pytest.mark.django_db


def fresh(ticket: Ticket) -> None:
    """Read the row again (in its organization: row-level security hides it otherwise)."""
    with org_context(ticket.organization_id):
        ticket.refresh_from_db()


def open_ticket(org: Any, user: Any, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"subject": "Receipts will not print", "description": "Blank PDF."}
    values.update(fields)
    return services.ticket_open(**member(org, user), **values)


def test_opening_numbers_tickets_per_organization_and_starts_the_clocks(
    org_a: Any, org_b: Any, cast: dict[str, Any], sent: Any
) -> None:
    mails = sent(lambda: open_ticket(org_a, cast["staff"], priority="high", request_id="abc123"))
    first = sent.result
    second = open_ticket(org_a, cast["viewer"])
    other = open_ticket(org_b, cast["other_admin"])
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert first.status == Status.NEW
    assert first.tier == 1
    assert first.request_id == "abc123"
    assert first.first_response_due_at > first.created_at
    assert first.resolution_due_at > first.first_response_due_at
    assert [m.to for m in mails] == [["staff@alpha.test"]]
    assert "#1" in mails[0].subject
    with org_context(org_a):
        opened = AuditEvent.objects.filter(action="support.ticket_open", organization=org_a)
        assert opened.count() == 2


def test_opening_refuses_empty_text_and_unknown_choices(org_a: Any, cast: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="Write the subject") as caught:
        open_ticket(org_a, cast["staff"], subject="  ")
    assert caught.value.errors[0]["field"] == "subject"
    with pytest.raises(ServiceError, match="not one of") as caught:
        open_ticket(org_a, cast["staff"], priority="urgent")
    assert caught.value.errors[0]["field"] == "priority"


def test_a_screenshot_must_be_an_image_by_its_content(org_a: Any, cast: dict[str, Any]) -> None:
    ticket = open_ticket(org_a, cast["staff"], screenshots=[png_upload()])
    with org_context(org_a):
        shot = TicketAttachment.objects.get(ticket=ticket)
        assert (shot.content_type, shot.original_name) == ("image/png", "screen.png")
        assert str(shot.file.name).startswith(f"support/{org_a.pk}/{ticket.pk}/")
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ServiceError, match="not a PNG, JPEG or GIF"):
        open_ticket(org_a, cast["staff"], screenshots=[fake])
    with org_context(org_a):
        assert Ticket.objects.count() == 1  # the refused one left nothing behind


def test_staff_reply_is_the_first_response_and_mails_the_requester(
    org_a: Any, cast: dict[str, Any], staff: Any, sent: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    mails = sent(lambda: services.ticket_staff_reply(actor=staff, ticket=ticket, body="Try again."))
    fresh(ticket)
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    assert [m.to for m in mails] == [["staff@alpha.test"]]
    assert "Try again." in mails[0].body
    responded = ticket.first_response_at
    services.ticket_staff_reply(actor=staff, ticket=ticket, body="And again.")
    fresh(ticket)
    assert ticket.first_response_at == responded


def test_only_platform_staff_work_the_desk(org_a: Any, cast: dict[str, Any]) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    for action in (
        lambda: services.ticket_staff_reply(actor=cast["admin"], ticket=ticket, body="x"),
        lambda: services.ticket_note(actor=cast["admin"], ticket=ticket, body="x"),
        lambda: services.ticket_set_status(actor=cast["admin"], ticket=ticket, status="resolved"),
    ):
        with pytest.raises(PermissionDenied):
            action()


def test_notes_are_internal_and_escalation_keeps_its_reason(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    services.ticket_assign(actor=staff, ticket=ticket, assignee=staff)
    services.ticket_note(actor=staff, ticket=ticket, body="Looks like the PDF renderer.")
    services.ticket_escalate(actor=staff, ticket=ticket, tier=2, reason="Needs the logs.")
    fresh(ticket)
    assert ticket.tier == 2
    assert ticket.assignee is None
    with org_context(org_a):
        kinds = list(TicketMessage.objects.filter(ticket=ticket).values_list("kind", "body"))
    assert kinds == [
        ("note", "Looks like the PDF renderer."),
        ("note", "Moved from tier 1 to tier 2: Needs the logs."),
    ]
    with pytest.raises(ServiceError, match="already in tier 2"):
        services.ticket_escalate(actor=staff, ticket=ticket, tier=2, reason="again")
    with pytest.raises(ServiceError, match="platform staff only"):
        services.ticket_assign(actor=staff, ticket=ticket, assignee=cast["admin"])


def test_waiting_on_the_customer_stops_the_resolution_clock(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    start = timezone.now()
    ticket = open_ticket(org_a, cast["staff"], priority="critical", now=start)
    due = ticket.resolution_due_at
    services.ticket_staff_reply(
        actor=staff, ticket=ticket, body="Which receipt?", status="waiting", now=start
    )
    later = start + timedelta(hours=5)
    services.ticket_reply(**member(org_a, cast["staff"]), ticket=ticket, body="No. 12", now=later)
    fresh(ticket)
    assert ticket.status == Status.OPEN
    assert ticket.sla_paused_at is None
    assert ticket.resolution_due_at == due + timedelta(hours=5)


def test_a_priority_change_restarts_the_clocks_from_the_change(
    org_a: Any, cast: dict[str, Any], staff: Any
) -> None:
    start = timezone.now() - timedelta(days=3)
    ticket = open_ticket(org_a, cast["staff"], priority="low", now=start)
    change = timezone.now()
    services.ticket_set_priority(actor=staff, ticket=ticket, priority="critical", now=change)
    fresh(ticket)
    assert ticket.sla_started_at == change
    assert ticket.first_response_due_at == change + timedelta(hours=1)
    assert ticket.resolution_due_at == change + timedelta(hours=24)


def test_resolve_rate_once_and_reply_reopens(org_a: Any, cast: dict[str, Any], staff: Any) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    asker = member(org_a, cast["staff"])
    with pytest.raises(ServiceError, match="once it is resolved"):
        services.ticket_rate(**asker, ticket=ticket, score=5)
    services.ticket_set_status(actor=staff, ticket=ticket, status="resolved")
    with pytest.raises(PermissionDenied):
        services.ticket_rate(**member(org_a, cast["admin"]), ticket=ticket, score=1)
    with pytest.raises(ServiceError, match="from 1"):
        services.ticket_rate(**asker, ticket=ticket, score=6)
    rating = services.ticket_rate(**asker, ticket=ticket, score=4, comment="Quick.")
    assert rating.score == 4
    with pytest.raises(ServiceError, match="already rated"):
        services.ticket_rate(**asker, ticket=ticket, score=5)
    services.ticket_reply(**asker, ticket=ticket, body="It broke again.")
    fresh(ticket)
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None


def test_members_reply_only_to_tickets_they_may_see(org_a: Any, cast: dict[str, Any]) -> None:
    ticket = open_ticket(org_a, cast["staff"])
    with pytest.raises(PermissionDenied):
        services.ticket_reply(**member(org_a, cast["viewer"]), ticket=ticket, body="Me too")
    services.ticket_reply(**member(org_a, cast["admin"]), ticket=ticket, body="Admin here")


def test_the_sweep_closes_after_seven_days_and_tells_the_on_call_once(
    org_a: Any, cast: dict[str, Any], staff: Any, sent: Any, settings: Any
) -> None:
    settings.SUPPORT_ON_CALL = {1: ["tier1@ifm.test"], 2: [], 3: []}
    long_ago = timezone.now() - timedelta(days=10)
    late = open_ticket(org_a, cast["staff"], priority="critical", now=long_ago)
    done = open_ticket(org_a, cast["staff"], now=long_ago)
    services.ticket_set_status(
        actor=staff, ticket=done, status="resolved", now=long_ago + timedelta(days=1)
    )
    mails = sent(lambda: services.tickets_notify_breaches())
    assert sorted(m.subject.split(": ")[0] for m in mails) == [
        f"[IFM support alpha#{late.number}] SLA breached (first response)",
        f"[IFM support alpha#{late.number}] SLA breached (resolution)",
    ]
    assert all(m.to == ["tier1@ifm.test"] for m in mails)
    assert sent(lambda: services.tickets_notify_breaches()) == []
    assert services.tickets_auto_close() == 1
    with all_organizations():
        done.refresh_from_db()
    assert done.status == Status.CLOSED
    assert done.closed_at is not None
    assert services.tickets_auto_close() == 0
