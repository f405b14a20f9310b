"""The emails support sends, each queued after its transaction commits (ifm.core.tasks).

Every one is about a ticket and says so twice, so an answer by email finds its way back to it
(ifm.support.inbound): the subject carries the reference, "[IFM support alpha#12]", and the
Message-ID names the ticket and whom the email went to (the requester or platform staff),
signed with the site's secret so nobody can make one up."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from ifm.core.tasks import send_email_after_commit
from ifm.support.models import Ticket

SITE_URL_SETTING = "SITE_URL"
# Whom an email went to, as its Message-ID records it.
TO_CUSTOMER = "c"
TO_STAFF = "s"
SUBJECT_REFERENCE = re.compile(
    r"\[IFM support (?P<slug>[a-z0-9][a-z0-9-]{0,49})#(?P<number>\d{1,9})\]", re.I
)
_MESSAGE_ID = re.compile(
    r"^(?P<nonce>[0-9a-f]{16})\.(?P<slug>[a-z0-9][a-z0-9-]{0,49})\.(?P<number>\d{1,9})"
    r"\.(?P<audience>[cs])\.(?P<mac>[0-9a-f]{20})@(?P<domain>[^@\s]+)$"
)
_SALT = "ifm.support.emails.message-id"


@dataclass(frozen=True)
class Thread:
    """The ticket an email of ours was about, and whom it went to."""

    slug: str
    number: int
    audience: str


def _domain() -> str:
    address = str(getattr(settings, "SUPPORT_EMAIL", "") or "support@localhost")
    return address.rpartition("@")[2].lower() or "localhost"


def _mac(local: str) -> str:
    return salted_hmac(_SALT, local).hexdigest()[:20]


def message_id(ticket: Ticket, audience: str) -> str:
    """A new, unique Message-ID for an email about `ticket` sent to `audience`."""
    local = f"{secrets.token_hex(8)}.{ticket.organization.slug}.{ticket.number}.{audience}"
    return f"<{local}.{_mac(local)}@{_domain()}>"


def thread_of(value: str) -> Thread | None:
    """The ticket a Message-ID of ours names, or None (someone else's, or its signature is
    wrong)."""
    match = _MESSAGE_ID.match(value.strip().strip("<>").lower())
    if match is None or match["domain"] != _domain():
        return None
    local = f"{match['nonce']}.{match['slug']}.{match['number']}.{match['audience']}"
    if not constant_time_compare(_mac(local), match["mac"]):
        return None
    return Thread(match["slug"], int(match["number"]), match["audience"])


def _headers(ticket: Ticket, audience: str) -> dict[str, str]:
    # Every email of a ticket refers to the same root, so mail programs show one conversation.
    root = f"<ticket.{ticket.organization.slug}.{ticket.number}@{_domain()}>"
    return {"Message-ID": message_id(ticket, audience), "References": root, "In-Reply-To": root}


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
        headers=_headers(ticket, TO_CUSTOMER),
        body=(
            f"Thank you. Your request {ticket.reference} ({ticket.get_priority_display()}) is "
            f"with IFM support; expect a first answer by "
            f"{ticket.first_response_due_at:%Y-%m-%d %H:%M} UTC.\n\n"
            f"Follow it here: {ticket_url(ticket)}\n"
            "You may also answer this email: your answer is added to the request.\n"
        ),
    )


def notify_reply_to_requester(ticket: Ticket, body: str) -> None:
    send_email_after_commit(
        to=[ticket.requester_email],
        subject=_subject(ticket, f"New reply: {ticket.subject}"),
        headers=_headers(ticket, TO_CUSTOMER),
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
        headers=_headers(ticket, TO_STAFF),
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
        headers=_headers(ticket, TO_STAFF),
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
