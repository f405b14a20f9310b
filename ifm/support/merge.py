"""Merging a duplicate ticket into another of the same organization (platform staff).

The duplicate keeps its own rows (its requester still sees their conversation), is closed with
a reply saying where it went, and points at the ticket it was merged into; the desk shows its
description, conversation and screenshots on that ticket (`merged_ids`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ops.services import require_platform_staff
from ifm.support import emails
from ifm.support.models import MessageKind, Status, Ticket, TicketMessage
from ifm.support.services import StateError, _audit, _move

MAX_DEPTH = 50


def ticket_merge(*, actor: User, ticket: Ticket, duplicate: Ticket) -> Ticket:
    """Merge `duplicate` into `ticket`. Doing it again is a no-op; merging a ticket into
    itself, across organizations, into a closed ticket, or a ticket already merged elsewhere
    is refused."""
    require_platform_staff(actor)
    if duplicate.pk == ticket.pk:
        raise ServiceError("A ticket cannot be merged into itself.", field="duplicate")
    if duplicate.organization_id != ticket.organization_id:
        raise ServiceError(
            "Only tickets of the same organization can be merged: "
            f"{duplicate.organization.slug}{duplicate.reference} belongs to another one.",
            field="duplicate",
        )
    now = timezone.now()
    with org_context(ticket.organization_id), transaction.atomic():
        # Lock both in id order, so two merges of the same pair cannot deadlock.
        locked = {
            t.pk: t
            for t in Ticket.objects.select_for_update()
            .filter(pk__in=[ticket.pk, duplicate.pk])
            .order_by("pk")
        }
        target, dup = locked[ticket.pk], locked[duplicate.pk]
        if dup.merged_into_id == target.pk:
            return target
        if dup.merged_into_id is not None:
            raise StateError(
                f"Ticket {dup.reference} was already merged into another ticket.",
                field="duplicate",
            )
        if target.merged_into_id is not None:
            raise StateError(
                f"Ticket {target.reference} was itself merged into another ticket: merge into "
                "that one.",
                field="duplicate",
            )
        if target.status == Status.CLOSED:
            raise StateError(f"Ticket {target.reference} is closed.", field="duplicate")
        if dup.status == Status.CLOSED:
            raise StateError(f"Ticket {dup.reference} is already closed.", field="duplicate")
        if target.pk in merged_ids(dup):
            raise StateError(
                f"Ticket {target.reference} was merged into {dup.reference}.", field="duplicate"
            )
        TicketMessage.objects.create(
            organization_id=dup.organization_id,
            ticket=dup,
            kind=MessageKind.REPLY,
            author=actor,
            from_staff=True,
            body=f"Merged into {target.reference}: this request is handled there.",
            created_at=now,
        )
        before = dup.status
        _move(dup, Status.CLOSED, now)
        dup.merged_into = target
        dup.updated_at = now
        dup.save()
        TicketMessage.objects.create(
            organization_id=target.organization_id,
            ticket=target,
            kind=MessageKind.NOTE,
            author=actor,
            from_staff=True,
            body=f"{dup.reference} ({dup.subject}) from {dup.requester_email} merged into "
            "this ticket; its conversation is shown here.",
            created_at=now,
        )
        target.updated_at = now
        target.save(update_fields=["updated_at"])
        changes = {"into": target.reference, "status": {"before": before, "after": dup.status}}
        _audit("support.ticket_merge", actor, dup, changes)
        _audit("support.ticket_merged_in", actor, target, {"duplicate": dup.reference})
        if dup.requester_email.lower() != target.requester_email.lower():
            emails.notify_merged(dup, target)
        return target


def merged_ids(ticket: Ticket) -> list[int]:
    """The tickets merged into this one, and into those, and so on (ids)."""
    found: list[int] = []
    frontier = [ticket.pk]
    with org_context(ticket.organization_id):
        for _ in range(MAX_DEPTH):
            ids = list(
                Ticket.objects.filter(merged_into_id__in=frontier)
                .exclude(pk__in=[ticket.pk, *found])
                .values_list("pk", flat=True)
            )
            if not ids:
                break
            found.extend(ids)
            frontier = ids
    return found
