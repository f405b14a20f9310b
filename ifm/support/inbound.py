"""Email to the support address opens a ticket: a raw RFC 822 message, parsed with the standard
library's `email` package.

The sender must be an active member of an organization (their sign-in address); the ticket is
opened in that organization as if from the Help form, by `ticket_open`. A member of several
organizations names one with a plus tag on the support address (support+alpha@...); without
one, the organization they joined first is taken. Image attachments are kept as screenshots
(other attachments are dropped and said so in the description). Anything else — not an email,
no sender, an unknown sender, no text — is refused with an `InboundRefused` naming the reason:
never a crash, and nothing is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.support import services
from ifm.support.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, image_type
from ifm.support.models import Source, Ticket
from ifm.tenancy.models import Membership

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
_PLUS_TAG = re.compile(r"^[^@+]+\+([a-z0-9-]{1,50})@", re.IGNORECASE)


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
    return Parsed(sender, subject, body, images, dropped, tags)


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


def ticket_from_email(raw: bytes) -> Ticket:
    """Open a ticket from a raw RFC 822 message, or raise InboundRefused saying why."""
    parsed = parse(raw)
    membership = _membership(parsed.sender, parsed.tags)
    description = parsed.body
    if parsed.dropped:
        description += "\n\n(Attachments not kept, not images: " + ", ".join(parsed.dropped) + ")"
    if not description.strip():
        raise InboundRefused("The message has no text: say what you need help with.")
    try:
        return services.ticket_open(
            organization=membership.organization,
            actor=membership.user,
            access=membership,
            subject=parsed.subject[:200] or "(no subject)",
            description=description.strip()[:20_000],
            screenshots=parsed.images,
            source=Source.EMAIL,
        )
    except ServiceError as exc:
        raise InboundRefused(exc.message) from None
