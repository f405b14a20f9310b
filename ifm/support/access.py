"""Access to an organization asked from one of its tickets.

The grant is the platform's usual one (`ifm.orgs.services.platform_access_grant`: platform
staff only, a role, a reason, time-limited, recorded in the organization's own audit log so its
admins see it), for the staff member who asks, never longer than DESK_GRANT_MAX_HOURS. The
ticket it was asked from is kept beside it (`TicketAccessGrant`), so the ticket lists its
grants with their expiry, and an internal note records the request.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ops.services import require_platform_staff
from ifm.orgs.services import platform_access_grant, platform_access_revoke
from ifm.support.models import MessageKind, Status, Ticket, TicketAccessGrant, TicketMessage
from ifm.support.services import StateError

DESK_GRANT_MAX_HOURS = 24


def default_reason(ticket: Ticket) -> str:
    return f"Support ticket {ticket.organization.slug}{ticket.reference}: {ticket.subject}"[:500]


def ticket_access_request(
    *, actor: User, ticket: Ticket, role: str, hours: int, reason: str
) -> TicketAccessGrant:
    """Let the staff member into the ticket's organization for `hours` (1 to 24) with `role`."""
    require_platform_staff(actor)
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise ServiceError("Give the number of hours.", field="hours")
    if not 1 <= hours <= DESK_GRANT_MAX_HOURS:
        raise ServiceError(
            f"From a ticket, access lasts 1 to {DESK_GRANT_MAX_HOURS} hours.", field="hours"
        )
    with transaction.atomic():
        with org_context(ticket.organization_id):
            ticket = (
                Ticket.objects.select_for_update().select_related("organization").get(pk=ticket.pk)
            )
        if ticket.status == Status.CLOSED:
            raise StateError(
                f"Ticket {ticket.reference} is closed: no access is given for it.", field="reason"
            )
        grant = platform_access_grant(
            organization=ticket.organization,
            user=actor,
            role=role,
            reason=reason,
            hours=hours,
            actor=actor,
        )
        with org_context(ticket.organization_id):
            link = TicketAccessGrant.objects.create(
                organization_id=ticket.organization_id, ticket=ticket, grant=grant
            )
            TicketMessage.objects.create(
                organization_id=ticket.organization_id,
                ticket=ticket,
                kind=MessageKind.NOTE,
                author=actor,
                from_staff=True,
                body=f"Access to {ticket.organization.name} as {grant.get_role_display()} until "
                f"{grant.expires_at:%Y-%m-%d %H:%M} UTC: {grant.reason}",
                created_at=timezone.now(),
            )
        return link


def ticket_access_revoke(*, actor: User, link: TicketAccessGrant) -> TicketAccessGrant:
    """End the grant now (already ended: nothing changes)."""
    require_platform_staff(actor)
    platform_access_revoke(grant=link.grant, actor=actor)
    return link


def ticket_access_list(ticket: Ticket) -> list[TicketAccessGrant]:
    with org_context(ticket.organization_id):
        return list(
            TicketAccessGrant.objects.filter(ticket=ticket).select_related(
                "grant", "grant__user", "grant__organization"
            )
        )


def ticket_access_get(ticket: Ticket, link_id: int) -> TicketAccessGrant | None:
    """A grant asked from this ticket, or None."""
    with org_context(ticket.organization_id):
        return (
            TicketAccessGrant.objects.filter(ticket=ticket, pk=link_id)
            .select_related("grant", "grant__user", "grant__organization")
            .first()
        )
