"""The emails support sends, each queued after its transaction commits (ifm.core.tasks)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ifm.core.tasks import send_email_after_commit
from ifm.support.models import Ticket

SITE_URL_SETTING = "SITE_URL"


def _site() -> str:
    return str(getattr(settings, SITE_URL_SETTING, "") or "").rstrip("/")


def ticket_url(ticket: Ticket) -> str:
    return _site() + reverse(
        "support:ticket_detail",
        kwargs={"org_slug": ticket.organization.slug, "ticket_id": ticket.pk},
    )


def desk_url(ticket: Ticket) -> str:
    return _site() + reverse("platform_support:desk_ticket", kwargs={"ticket_id": ticket.pk})


def _subject(ticket: Ticket, text: str) -> str:
    return f"[IFM support {ticket.organization.slug}{ticket.reference}] {text}"


def notify_opened(ticket: Ticket) -> None:
    """To the requester: we have it, and when to expect an answer."""
    send_email_after_commit(
        to=[ticket.requester_email],
        subject=_subject(ticket, f"We received your request: {ticket.subject}"),
        body=(
            f"Thank you. Your request {ticket.reference} ({ticket.get_priority_display()}) is "
            f"with IFM support; expect a first answer by "
            f"{ticket.first_response_due_at:%Y-%m-%d %H:%M} UTC.\n\n"
            f"Follow it here: {ticket_url(ticket)}\n"
        ),
    )


def notify_reply_to_requester(ticket: Ticket, body: str) -> None:
    send_email_after_commit(
        to=[ticket.requester_email],
        subject=_subject(ticket, f"New reply: {ticket.subject}"),
        body=f"IFM support replied to your request {ticket.reference}:\n\n{body}\n\n"
        f"Answer or follow it here: {ticket_url(ticket)}\n",
    )


def on_call(tier: int) -> list[str]:
    return list(getattr(settings, "SUPPORT_ON_CALL", {}).get(tier, []))


def notify_reply_to_staff(ticket: Ticket, body: str) -> None:
    """The assignee, or else the tier's on-call, hears of the requester's answer."""
    to = [ticket.assignee.email] if ticket.assignee else on_call(ticket.tier)
    if not to:
        return
    send_email_after_commit(
        to=to,
        subject=_subject(ticket, f"The customer answered: {ticket.subject}"),
        body=f"{ticket.requester_email} wrote on {ticket.reference}:\n\n{body}\n\n"
        f"{desk_url(ticket)}\n",
    )


def notify_breach(ticket: Ticket, clock: str) -> bool:
    """To the tier's on-call: a clock ran out. False when the tier has nobody on call."""
    to = on_call(ticket.tier)
    if not to:
        return False
    due = ticket.first_response_due_at if clock == "first_response" else ticket.resolution_due_at
    what = "first response" if clock == "first_response" else "resolution"
    send_email_after_commit(
        to=to,
        subject=_subject(ticket, f"SLA breached ({what}): {ticket.subject}"),
        body=(
            f"The {what} of {ticket.organization.name}'s {ticket.get_priority_display().lower()} "
            f"ticket {ticket.reference} was due {due:%Y-%m-%d %H:%M} UTC "
            f"(tier {ticket.tier}, status {ticket.get_status_display().lower()}).\n\n"
            f"{desk_url(ticket)}\n"
        ),
    )
    return True


def notify_merged(duplicate: Ticket, target: Ticket) -> None:
    """To the requester of a duplicate merged into someone else's ticket of their organization."""
    send_email_after_commit(
        to=[duplicate.requester_email],
        subject=_subject(duplicate, f"Merged: {duplicate.subject}"),
        body=(
            f"Your request {duplicate.reference} reports the same problem as request "
            f"{target.reference} of your organization, so IFM support merged the two and "
            f"closed {duplicate.reference}. The work goes on under {target.reference}; if "
            "anything is still missing, reply to us or open a new request.\n\n"
            f"Your request: {ticket_url(duplicate)}\n"
        ),
    )
