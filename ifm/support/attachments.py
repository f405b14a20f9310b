"""Screenshots on tickets: images only, recognised by Pillow from their content (never by the
name or the type the browser claims), at most 5 MB each, kept in the private storage."""

from __future__ import annotations

import hashlib
from typing import IO, Any

from django.core.files.base import File
from PIL import Image, UnidentifiedImageError

from ifm.core.errors import ServiceError
from ifm.core.files import clean_filename, save_in_transaction
from ifm.support.models import Ticket, TicketAttachment, TicketMessage

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_PER_MESSAGE = 5
# Pillow format -> the type the file is stored and served as.
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
# A decompression bomb (a tiny file that opens to a huge image) is refused, not opened.
MAX_PIXELS = 40_000_000


def image_type(handle: IO[bytes]) -> str | None:
    """The content type of an image file judged from its content, or None when it is not a
    PNG, JPEG or GIF that Pillow can read; `handle` is rewound."""
    handle.seek(0)
    try:
        with Image.open(handle) as image:
            kind = IMAGE_TYPES.get(image.format or "")
            if kind is None or image.width * image.height > MAX_PIXELS:
                return None
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        handle.seek(0)
    return kind


def attachment_add(
    *, ticket: Ticket, message: TicketMessage | None, file: File[Any], actor: Any
) -> TicketAttachment:
    """Check and store one screenshot of a ticket, inside the caller's transaction."""
    name = clean_filename(file.name or "", "screenshot")
    size = file.size or 0
    if size == 0:
        raise ServiceError(f"{name} is empty.", field="screenshots")
    if size > MAX_ATTACHMENT_BYTES:
        raise ServiceError(
            f"{name} is {size / (1024 * 1024):.1f} MB: a screenshot may be at most 5 MB.",
            field="screenshots",
        )
    content_type = image_type(file)
    if content_type is None:
        raise ServiceError(
            f"{name} is not a PNG, JPEG or GIF image (judged by its content, not its name).",
            field="screenshots",
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    attachment = TicketAttachment(
        organization_id=ticket.organization_id,
        ticket=ticket,
        message=message,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    save_in_transaction(attachment.file, name, file, field="screenshots")
    attachment.save()
    return attachment


def attachments_add(
    *, ticket: Ticket, message: TicketMessage | None, files: list[Any], actor: Any
) -> list[TicketAttachment]:
    if len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise ServiceError(
            f"At most {MAX_ATTACHMENTS_PER_MESSAGE} screenshots at a time.", field="screenshots"
        )
    return [attachment_add(ticket=ticket, message=message, file=f, actor=actor) for f in files]
