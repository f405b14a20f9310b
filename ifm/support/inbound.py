"""Email to the support address: a raw RFC 822 message, parsed with the standard library's
`email` package, opens a ticket or answers one.

**An answer to a ticket.** A message that names one of our tickets, by the reference in its
subject ("[IFM support alpha#12]", as every email of ours has it) or by the Message-ID of one
of our emails in its In-Reply-To/References, is added to that ticket as a reply, when its
sender may write on it: the requester or an admin of the ticket's organization (an active
member who may see the ticket, as on the pages), or platform staff answering an email we sent
them (a From line is easy to forge; a signed Message-ID only its recipient has seen). The quoted
text below the usual "On ... wrote:" line is dropped. A closed ticket takes no more replies: the
answer opens a new ticket that names the closed one. A reference to another organization's
ticket, or from someone who may not write on it, is ignored: the message is treated as a new
one, under the rules below.

**A new ticket.** The sender must be an active member of an organization (their sign-in
address); the ticket is opened in that organization as if from the Help form, by `ticket_open`.
A member of several organizations names one with a plus tag on the support address
(support+alpha@...); without one, the organization they joined first is taken.

Image attachments are kept as screenshots (other attachments are dropped and said so in the
text). Anything else — not an email, no sender, an unknown sender, no text — is refused with an
`InboundRefused` naming the reason: never a crash, and nothing is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.support import emails, services
from ifm.support.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, image_type
from ifm.support.models import Source, Status, Ticket, TicketMessage
from ifm.tenancy.models import Membership

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
_PLUS_TAG = re.compile(r"^[^@+]+\+([a-z0-9-]{1,50})@", re.IGNORECASE)
_ANGLE = re.compile(r"<([^<>\s]{1,250})>")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Where the quoted message starts: "On Mon, 7 Dec 2026 at 09:14, IFM <x@y> wrote:" (one line, or
# wrapped over two or three by the mail program), Outlook's header block or its separator.
_QUOTE_STARTS = [
    re.compile(r"^[ \t]*On\b[^\n]{0,300}(\n[^\n]{0,300}){0,2}?\bwrote:[ \t]*$", re.M),
    re.compile(r"^[ \t]*-{2,}[ \t]*Original Message[ \t]*-{2,}", re.M | re.I),
    re.compile(r"^[ \t]*From:[^\n]*\n[ \t]*(Sent|Date):", re.M),
]


class InboundRefused(Exception):
    """The message cannot become a ticket; the text says why."""


@dataclass(frozen=True)
class Parsed:
    sender: str
    subject: str
    body: str
    images: list[SimpleUploadedFile]
    dropped: list[str]
    tags: list[str]
    # The Message-IDs it answers (In-Reply-To, then References, nearest first).
    replies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Received:
    """What a message became: a new ticket (`reply` None) or a reply on `ticket`."""

    ticket: Ticket
    reply: TicketMessage | None = None


def parse(raw: bytes) -> Parsed:
    if not raw or not raw.strip():
        raise InboundRefused("The message is empty.")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InboundRefused("The message is larger than 25 MB.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it still raises is a refusal
        raise InboundRefused(f"The message could not be read as an email: {exc}") from None
    if not isinstance(message, EmailMessage) or (message.defects and not message.keys()):
        raise InboundRefused("The message has no email headers.")
    try:
        from_header = str(message.get("From", "") or "")
        subject = str(message.get("Subject", "") or "").strip()
        recipients = [
            str(message.get(h, "") or "") for h in ("To", "Cc", "Delivered-To", "X-Original-To")
        ]
        threading = " ".join(str(message.get(h, "") or "") for h in ("In-Reply-To", "References"))
    except (ValueError, TypeError, IndexError) as exc:
        raise InboundRefused(f"A header of the message is malformed: {exc}") from None
    sender = parseaddr(from_header)[1].strip().lower()
    if not sender or "@" not in sender:
        raise InboundRefused("The message has no sender address (From).")
    tags = []
    for _, address in getaddresses(recipients):
        match = _PLUS_TAG.match(address or "")
        if match:
            tags.append(match.group(1).lower())
    body = _body(message)
    images, dropped = _attachments(message)
    replies_to = tuple(_ANGLE.findall(threading)[:50])
    return Parsed(sender, subject, body, images, dropped, tags, replies_to)


def _attachments(message: EmailMessage) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The image attachments (as uploads), and the names of those not kept."""
    images: list[SimpleUploadedFile] = []
    dropped: list[str] = []
    for part in message.iter_attachments():
        name = part.get_filename() or "attachment"
        try:
            content = part.get_payload(decode=True)
        except Exception:
            content = None
        if not isinstance(content, bytes) or not content:
            dropped.append(name)
            continue
        if (
            len(content) <= MAX_ATTACHMENT_BYTES
            and len(images) < MAX_ATTACHMENTS_PER_MESSAGE
            and image_type(io.BytesIO(content)) is not None
        ):
            images.append(SimpleUploadedFile(name, content, content_type=part.get_content_type()))
        else:
            dropped.append(name)
    return images, dropped


def _body(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        text = part.get_content()
    except (KeyError, LookupError, ValueError, AttributeError):
        return ""
    if not isinstance(text, str):
        return ""
    if part.get_content_type() == "text/html":
        text = strip_tags(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _membership(sender: str, tags: list[str]) -> Membership:
    with all_organizations():
        user = User.objects.filter(email__iexact=sender, is_active=True).first()
        memberships = (
            list(
                Membership.all_orgs.filter(user=user, is_active=True, organization__is_active=True)
                .select_related("organization", "user")
                .order_by("created_at", "id")
            )
            if user
            else []
        )
    if not memberships:
        raise InboundRefused(
            f"{sender} is not a member of any organization: only members may open tickets "
            "by email (from the address they sign in with)."
        )
    for tag in tags:
        for membership in memberships:
            if membership.organization.slug == tag:
                return membership
    return memberships[0]


def strip_quoted(text: str) -> str:
    """The new text of a reply: what comes before the quoted message ("On ... wrote:", Outlook's
    header block) and without trailing "> " lines. The whole text when nothing is left."""
    cut = len(text)
    for pattern in _QUOTE_STARTS:
        match = pattern.search(text)
        if match is not None:
            cut = min(cut, match.start())
    lines = text[:cut].rstrip().split("\n")
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    kept = "\n".join(lines).strip()
    return kept or text.strip()


def _clean_subject(subject: str) -> str:
    """The subject without our reference and the "Re:" in front of it."""
    subject = emails.SUBJECT_REFERENCE.sub("", subject)
    return _REPLY_PREFIX.sub("", subject).strip()


def _with_dropped(text: str, dropped: list[str]) -> str:
    if dropped:
        text += "\n\n(Attachments not kept, not images: " + ", ".join(dropped) + ")"
    return text.strip()


def _referenced(parsed: Parsed) -> tuple[Ticket | None, bool]:
    """The ticket the message answers, and whether it answers an email we sent to platform
    staff about that ticket. Our own Message-IDs count before the subject."""
    threads = [t for t in map(emails.thread_of, parsed.replies_to) if t is not None]
    wanted = [(t.slug, t.number) for t in threads]
    match = emails.SUBJECT_REFERENCE.search(parsed.subject)
    if match is not None:
        wanted.append((match["slug"].lower(), int(match["number"])))
    for slug, number in wanted:
        with all_organizations():
            ticket = (
                Ticket.all_orgs.select_related("organization", "requester")
                .filter(organization__slug=slug, organization__is_active=True, number=number)
                .first()
            )
        if ticket is not None:
            to_staff = any(
                (t.slug, t.number, t.audience) == (slug, number, emails.TO_STAFF) for t in threads
            )
            return ticket, to_staff
    return None, False


def _member_of(user: User, ticket: Ticket) -> Membership | None:
    with all_organizations():
        return (
            Membership.all_orgs.select_related("organization", "user")
            .filter(user=user, organization_id=ticket.organization_id, is_active=True)
            .first()
        )


def _answer(parsed: Parsed, ticket: Ticket, to_staff: bool) -> Received | None:
    """Add the message to `ticket` when its sender may write on it; None when it may not (the
    message is then a new one)."""
    with all_organizations():
        user = User.objects.filter(email__iexact=parsed.sender, is_active=True).first()
    if user is None:
        return None
    body = _with_dropped(strip_quoted(parsed.body), parsed.dropped)
    if not body:
        raise InboundRefused("The message has no text: say what you need help with.")
    if user.is_platform_staff:
        if not to_staff:
            raise InboundRefused(
                f"{parsed.sender} is platform staff: answer a ticket by email only in reply to "
                "the email we sent you about it, or on the desk."
            )
        try:
            reply = services.ticket_staff_reply(
                actor=user, ticket=ticket, body=body[:20_000], screenshots=parsed.images
            )
        except (ServiceError, PermissionDenied) as exc:
            raise InboundRefused(str(getattr(exc, "message", exc))) from None
        return Received(ticket, reply)
    membership = _member_of(user, ticket)
    if membership is None or not services.can_see(ticket, user=user, access=membership):
        return None
    try:
        if ticket.status == Status.CLOSED:
            follow_up = services.ticket_open(
                organization=membership.organization,
                actor=user,
                access=membership,
                subject=(_clean_subject(parsed.subject) or ticket.subject)[:200],
                description=(
                    f"Follows up ticket {ticket.organization.slug}{ticket.reference} (closed): "
                    f"{emails.ticket_url(ticket)}\n\n{body}"
                )[:20_000],
                screenshots=parsed.images,
                source=Source.EMAIL,
            )
            return Received(follow_up)
        reply = services.ticket_reply(
            organization=membership.organization,
            actor=user,
            access=membership,
            ticket=ticket,
            body=body[:20_000],
            screenshots=parsed.images,
        )
    except (ServiceError, PermissionDenied) as exc:
        raise InboundRefused(str(getattr(exc, "message", exc))) from None
    return Received(ticket, reply)


def receive(raw: bytes) -> Received:
    """Answer a ticket or open one from a raw RFC 822 message, or raise InboundRefused saying
    why."""
    parsed = parse(raw)
    ticket, to_staff = _referenced(parsed)
    if ticket is not None:
        answered = _answer(parsed, ticket, to_staff)
        if answered is not None:
            return answered
    membership = _membership(parsed.sender, parsed.tags)
    description = _with_dropped(parsed.body, parsed.dropped)
    if not description:
        raise InboundRefused("The message has no text: say what you need help with.")
    subject = _clean_subject(parsed.subject) if ticket is not None else parsed.subject
    try:
        opened = services.ticket_open(
            organization=membership.organization,
            actor=membership.user,
            access=membership,
            subject=subject[:200] or "(no subject)",
            description=description[:20_000],
            screenshots=parsed.images,
            source=Source.EMAIL,
        )
    except ServiceError as exc:
        raise InboundRefused(exc.message) from None
    return Received(opened)


def ticket_from_email(raw: bytes) -> Ticket:
    """The ticket a raw message opened or answered (see `receive`)."""
    return receive(raw).ticket
