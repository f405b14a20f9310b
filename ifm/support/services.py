"""Every write of support: opening, replying, the desk's actions, rating, and the sweeps.

Members act through `org_service` (their organization, their access). Platform staff act on
any organization's ticket from the desk: `_desk` checks they are staff and sets the ticket's
organization as the context, so row-level security and the tenant managers work as in a
request of that organization.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.ops.services import require_platform_staff
from ifm.support import emails, sla
from ifm.support.attachments import attachments_add
from ifm.support.models import (
    OPEN_STATUSES,
    Category,
    MessageKind,
    Priority,
    Source,
    Status,
    Ticket,
    TicketMessage,
    TicketRating,
    Tier,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, has_perm, org_service

AUTO_CLOSE_AFTER = timedelta(days=7)
MAX_SUBJECT = 200
MAX_BODY = 20_000


class StateError(ServiceError):
    status = 409


def can_see(ticket: Ticket, *, user: Any, access: Access | None) -> bool:
    """Platform staff see every ticket; an organization's admins all of its tickets; any other
    member only their own."""
    if getattr(user, "is_platform_staff", False):
        return True
    if access is None or not access.is_active:
        return False
    return ticket.requester_id == user.pk or has_perm(access, "support.view_all")


def lock(ticket: Ticket) -> Ticket:
    return Ticket.all_orgs.select_for_update().get(pk=ticket.pk)


@contextlib.contextmanager
def _desk(actor: Any, ticket: Ticket) -> Iterator[Ticket]:
    """A desk action: platform staff only, in the ticket's organization, one transaction, on
    the ticket locked."""
    require_platform_staff(actor)
    with org_context(ticket.organization_id), transaction.atomic():
        yield lock(ticket)


def _text(value: str, field: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"Write the {what}.", field=field)
    if len(value) > limit:
        raise ServiceError(f"The {what} may be at most {limit:,} characters.", field=field)
    return value


def _choice(value: Any, choices: Any, field: str) -> Any:
    if value not in choices.values:
        allowed = ", ".join(str(v) for v in choices.values)
        raise ServiceError(f"{value!r} is not one of: {allowed}.", field=field)
    return value


def _audit(action: str, actor: Any, ticket: Ticket, changes: dict[str, Any]) -> None:
    audit_record(
        action=action,
        actor=actor,
        organization=ticket.organization,
        obj=ticket,
        object_repr=str(ticket)[:200],
        changes=changes,
    )


def _start_clocks(ticket: Ticket, at: datetime) -> None:
    due = sla.due_times(ticket.priority, at, sla.configured_calendar())
    ticket.sla_started_at = at
    if ticket.first_response_at is None:
        ticket.first_response_due_at = due.first_response
        ticket.first_response_breach_notified_at = None
    ticket.resolution_due_at = due.resolution
    ticket.resolution_breach_notified_at = None


# --- Members ---------------------------------------------------------------------------------


@org_service("support.open")
def ticket_open(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    subject: str,
    description: str,
    priority: str = Priority.MEDIUM,
    category: str = Category.QUESTION,
    page_url: str = "",
    browser: str = "",
    request_id: str = "",
    screenshots: list[Any] | None = None,
    source: str = Source.WEB,
    now: datetime | None = None,
) -> Ticket:
    """A member asks IFM for help; the clocks start now (docs/support.md)."""
    now = now or timezone.now()
    subject = _text(subject, "subject", "subject", MAX_SUBJECT)
    description = _text(description, "description", "description", MAX_BODY)
    _choice(priority, Priority, "priority")
    _choice(category, Category, "category")
    _choice(source, Source, "source")
    # Numbers count per organization: the organization row is the lock that orders them.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = Ticket.objects.aggregate(n=Max("number"))["n"] or 0
    ticket = Ticket(
        organization=organization,
        number=last + 1,
        requester=actor,
        requester_email=actor.email,
        subject=subject,
        description=description,
        priority=priority,
        category=category,
        tier=Tier.GENERAL,
        source=source,
        page_url=(page_url or "").strip()[:500],
        browser=(browser or "").strip()[:300],
        request_id=(request_id or "").strip()[:64],
        created_at=now,
        updated_at=now,
    )
    _start_clocks(ticket, now)
    ticket.save()
    attachments_add(ticket=ticket, message=None, files=list(screenshots or []), actor=actor)
    _audit(
        "support.ticket_open",
        actor,
        ticket,
        {"priority": priority, "category": category, "source": source},
    )
    emails.notify_opened(ticket)
    return ticket


def _resume(ticket: Ticket, now: datetime) -> None:
    """The customer answered (or staff moved the ticket on): the stopped clock runs again."""
    if ticket.sla_paused_at is None:
        return
    calendar = sla.configured_calendar()
    ticket.resolution_due_at = sla.resume_due(
        ticket.resolution_due_at, ticket.sla_paused_at, now, ticket.priority, calendar
    )
    ticket.sla_paused_at = None


@org_service("support.open")
def ticket_reply(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    ticket: Ticket,
    body: str,
    screenshots: list[Any] | None = None,
    now: datetime | None = None,
) -> TicketMessage:
    """The requester (or an admin of the organization) writes on the ticket. A ticket waiting
    on the customer, or resolved, opens again; a closed one takes no more replies."""
    if not can_see(ticket, user=actor, access=access) or ticket.organization_id != organization.pk:
        raise PermissionDenied("This ticket is not yours.")
    now = now or timezone.now()
    body = _text(body, "body", "reply", MAX_BODY)
    ticket = lock(ticket)
    if ticket.status == Status.CLOSED:
        raise StateError(
            f"Ticket {ticket.reference} is closed: open a new ticket (you may mention this one).",
            field="body",
        )
    message = TicketMessage.objects.create(
        organization=organization,
        ticket=ticket,
        kind=MessageKind.REPLY,
        author=actor,
        from_staff=False,
        body=body,
        created_at=now,
    )
    attachments_add(ticket=ticket, message=message, files=list(screenshots or []), actor=actor)
    before = ticket.status
    if ticket.status in (Status.WAITING, Status.RESOLVED):
        _resume(ticket, now)
        if ticket.status == Status.RESOLVED:
            ticket.resolved_at = None
            _start_clocks(ticket, now)
        ticket.status = Status.OPEN
    ticket.updated_at = now
    ticket.save()
    _audit(
        "support.ticket_reply",
        actor,
        ticket,
        {"status": {"before": before, "after": ticket.status}} if before != ticket.status else {},
    )
    emails.notify_reply_to_staff(ticket, body)
    return message


@org_service("support.open")
def ticket_rate(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    ticket: Ticket,
    score: int,
    comment: str = "",
    now: datetime | None = None,
) -> TicketRating:
    """The requester's 1-5 rating of a resolved (or closed) ticket, once."""
    if ticket.requester_id != actor.pk or ticket.organization_id != organization.pk:
        raise PermissionDenied("Only the person who asked may rate the answer.")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ServiceError("Rate from 1 (poor) to 5 (excellent).", field="score")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ServiceError("The comment may be at most 2,000 characters.", field="comment")
    ticket = lock(ticket)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise StateError("A ticket is rated once it is resolved.", field="score")
    if TicketRating.objects.filter(ticket=ticket).exists():
        raise StateError(f"Ticket {ticket.reference} is already rated.", field="score")
    rating = TicketRating.objects.create(
        organization=organization,
        ticket=ticket,
        score=score,
        comment=comment,
        rated_by=actor,
        created_at=now or timezone.now(),
    )
    _audit("support.ticket_rate", actor, ticket, {"score": score})
    return rating


# --- The desk (platform staff) -------------------------------------------------------------


def ticket_staff_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    status: str | None = None,
    screenshots: list[Any] | None = None,
    now: datetime | None = None,
) -> TicketMessage:
    """Platform staff answer the requester (the first answer stops the first-response clock);
    the ticket moves to `status` (default: open; "waiting" to ask the customer something)."""
    now = now or timezone.now()
    body = _text(body, "body", "reply", MAX_BODY)
    with _desk(actor, ticket) as ticket:
        if ticket.status == Status.CLOSED:
            raise StateError(f"Ticket {ticket.reference} is closed.", field="body")
        message = TicketMessage.objects.create(
            organization_id=ticket.organization_id,
            ticket=ticket,
            kind=MessageKind.REPLY,
            author=actor,
            from_staff=True,
            body=body,
            created_at=now,
        )
        attachments_add(ticket=ticket, message=message, files=list(screenshots or []), actor=actor)
        first = ticket.first_response_at is None
        if first:
            ticket.first_response_at = now
        before = ticket.status
        _move(
            ticket, status or (Status.OPEN if ticket.status == Status.NEW else ticket.status), now
        )
        ticket.updated_at = now
        ticket.save()
        changes: dict[str, Any] = {"first_response": first}
        if before != ticket.status:
            changes["status"] = {"before": before, "after": ticket.status}
        _audit("support.ticket_staff_reply", actor, ticket, changes)
        emails.notify_reply_to_requester(ticket, body)
        return message


def ticket_note(
    *, actor: User, ticket: Ticket, body: str, now: datetime | None = None
) -> TicketMessage:
    """An internal note: platform staff only, never shown to the organization."""
    body = _text(body, "body", "note", MAX_BODY)
    with _desk(actor, ticket) as ticket:
        message = TicketMessage.objects.create(
            organization_id=ticket.organization_id,
            ticket=ticket,
            kind=MessageKind.NOTE,
            author=actor,
            from_staff=True,
            body=body,
            created_at=now or timezone.now(),
        )
        _audit("support.ticket_note", actor, ticket, {})
        return message


def ticket_assign(*, actor: User, ticket: Ticket, assignee: User | None) -> Ticket:
    if assignee is not None and not (assignee.is_active and assignee.is_platform_staff):
        raise ServiceError("Tickets are assigned to IFM platform staff only.", field="assignee")
    with _desk(actor, ticket) as ticket:
        before = ticket.assignee.email if ticket.assignee else None
        ticket.assignee = assignee
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=["assignee", "updated_at"])
        after = assignee.email if assignee else None
        _audit(
            "support.ticket_assign", actor, ticket, {"assignee": {"before": before, "after": after}}
        )
        return ticket


def ticket_escalate(*, actor: User, ticket: Ticket, tier: int, reason: str) -> Ticket:
    """Move the ticket to another tier (1 general, 2 technical, 3 development), with the reason
    kept as an internal note. The assignee is cleared: the new tier picks it up."""
    _choice(tier, Tier, "tier")
    reason = _text(reason, "reason", "reason for the escalation", 2000)
    with _desk(actor, ticket) as ticket:
        if tier == ticket.tier:
            raise ServiceError(f"The ticket is already in tier {tier}.", field="tier")
        if ticket.status == Status.CLOSED:
            raise StateError(f"Ticket {ticket.reference} is closed.", field="tier")
        before = ticket.tier
        now = timezone.now()
        ticket.tier = tier
        ticket.assignee = None
        ticket.updated_at = now
        ticket.save(update_fields=["tier", "assignee", "updated_at"])
        TicketMessage.objects.create(
            organization_id=ticket.organization_id,
            ticket=ticket,
            kind=MessageKind.NOTE,
            author=actor,
            from_staff=True,
            body=f"Moved from tier {before} to tier {tier}: {reason}",
            created_at=now,
        )
        _audit(
            "support.ticket_escalate", actor, ticket, {"tier": {"before": before, "after": tier}}
        )
        return ticket


def _move(ticket: Ticket, status: str, now: datetime) -> None:
    """Change the status, keeping the clocks and timestamps true to it."""
    _choice(status, Status, "status")
    if status == ticket.status:
        return
    if ticket.status == Status.CLOSED:
        raise StateError(f"Ticket {ticket.reference} is closed; it cannot change.", field="status")
    if ticket.status == Status.WAITING:
        _resume(ticket, now)
    if ticket.status == Status.RESOLVED:
        ticket.resolved_at = None
        _start_clocks(ticket, now)
    if status == Status.WAITING:
        ticket.sla_paused_at = now
    elif status == Status.RESOLVED:
        ticket.resolved_at = now
    elif status == Status.CLOSED:
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = now
    ticket.status = status


def ticket_set_status(
    *, actor: User, ticket: Ticket, status: str, now: datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    with _desk(actor, ticket) as ticket:
        before = ticket.status
        _move(ticket, status, now)
        ticket.updated_at = now
        ticket.save()
        _audit(
            "support.ticket_status", actor, ticket, {"status": {"before": before, "after": status}}
        )
        return ticket


def ticket_set_priority(
    *, actor: User, ticket: Ticket, priority: str, now: datetime | None = None
) -> Ticket:
    """A new priority restarts the clocks now, with its own targets (docs/support.md)."""
    _choice(priority, Priority, "priority")
    now = now or timezone.now()
    with _desk(actor, ticket) as ticket:
        if priority == ticket.priority:
            return ticket
        before = ticket.priority
        ticket.priority = priority
        if ticket.is_open:
            _start_clocks(ticket, now)
            if ticket.status == Status.WAITING:
                ticket.sla_paused_at = now
        ticket.updated_at = now
        ticket.save()
        _audit(
            "support.ticket_priority",
            actor,
            ticket,
            {"priority": {"before": before, "after": priority}},
        )
        return ticket


# --- Sweeps (a job, ifm.support.tasks) -----------------------------------------------------


def tickets_auto_close(*, now: datetime | None = None) -> int:
    """Close every ticket resolved more than 7 days ago; returns how many."""
    now = now or timezone.now()
    with all_organizations():
        ids = list(
            Ticket.all_orgs.filter(
                status=Status.RESOLVED, resolved_at__lte=now - AUTO_CLOSE_AFTER
            ).values_list("organization_id", "pk")
        )
    closed = 0
    for organization_id, pk in ids:
        with org_context(organization_id), transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update().filter(pk=pk, status=Status.RESOLVED).first()
            )
            if ticket is None:
                continue
            ticket.status = Status.CLOSED
            ticket.closed_at = now
            ticket.updated_at = now
            ticket.save(update_fields=["status", "closed_at", "updated_at"])
            audit_record(
                action="support.ticket_auto_close",
                actor_label="support sweep",
                organization=ticket.organization,
                obj=ticket,
                object_repr=str(ticket)[:200],
                changes={"status": {"before": Status.RESOLVED, "after": Status.CLOSED}},
            )
            closed += 1
    return closed


def breached_q(now: datetime) -> Q:
    """Tickets whose first response or resolution is (or was) late; a ticket waiting on the
    customer is not late while it waits."""
    running = Q(status__in=[Status.NEW, Status.OPEN])
    return (
        Q(first_response_at__isnull=True, first_response_due_at__lt=now, status__in=OPEN_STATUSES)
        | Q(first_response_at__gt=F("first_response_due_at"))
        | (running & Q(resolution_due_at__lt=now))
        | Q(resolved_at__gt=F("resolution_due_at"))
    )


def tickets_notify_breaches(*, now: datetime | None = None) -> int:
    """Email the tier's on-call once per clock that ran out on an open ticket; returns how
    many notices were queued."""
    now = now or timezone.now()
    first = Q(
        first_response_at__isnull=True,
        first_response_due_at__lt=now,
        first_response_breach_notified_at__isnull=True,
        status__in=OPEN_STATUSES,
    )
    resolution = Q(
        status__in=[Status.NEW, Status.OPEN],
        resolution_due_at__lt=now,
        resolution_breach_notified_at__isnull=True,
    )
    with all_organizations():
        ids = list(Ticket.all_orgs.filter(first | resolution).values_list("organization_id", "pk"))
    sent = 0
    for organization_id, pk in ids:
        with org_context(organization_id), transaction.atomic():
            ticket = Ticket.objects.select_for_update().select_related("organization").get(pk=pk)
            fields = []
            if (
                ticket.first_response_at is None
                and ticket.first_response_breach_notified_at is None
                and ticket.first_response_due_at < now
                and ticket.is_open
                and emails.notify_breach(ticket, "first_response")
            ):
                ticket.first_response_breach_notified_at = now
                fields.append("first_response_breach_notified_at")
                sent += 1
            if (
                ticket.status in (Status.NEW, Status.OPEN)
                and ticket.resolution_breach_notified_at is None
                and ticket.resolution_due_at < now
                and emails.notify_breach(ticket, "resolution")
            ):
                ticket.resolution_breach_notified_at = now
                fields.append("resolution_breach_notified_at")
                sent += 1
            if fields:
                ticket.save(update_fields=fields)
    return sent
