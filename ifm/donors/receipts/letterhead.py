"""What a letter is signed and headed with: the organization's name, address and EIN, the
letter's logo (its own, uploaded with the receipt settings, else the organization's) and the
signer; and the live preview of a draft letter template with a sample receipt.

The logo is an image people upload, then embedded in every letter and PDF: it is recognised
by its content (PNG, JPEG or GIF, never SVG, which can carry script), opened by Pillow to
prove it is one, limited in bytes and pixels, and kept in private storage.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.files import save_in_transaction
from ifm.donors.models import ReceiptSettings
from ifm.donors.receipts import letter_template
from ifm.donors.receipts.pdf import logo_data_url
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000 * 4000
LOGO_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
_PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}


def address_lines(obj: Any) -> list[str]:
    """A postal address as the lines a letter prints (empty ones left out)."""
    city_line = " ".join(
        p for p in (f"{obj.city}," if obj.city else "", obj.state, obj.postal_code) if p
    ).strip()
    lines = [obj.address_line1, obj.address_line2, city_line]
    return [line for line in lines if line]


def org_block(organization: Organization) -> dict[str, Any]:
    """The organization as a letter sees it: names, EIN, mailing address, phone, website."""
    return {
        "name": organization.name,
        "legal_name": organization.legal_name or organization.name,
        "ein": organization.ein,
        "address": address_lines(organization),
        "phone": organization.phone,
        "website": organization.website,
    }


def logo_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a logo from its first bytes; None when not allowed."""
    for signature, content_type, extension in LOGO_TYPES:
        if head.startswith(signature):
            return content_type, extension
    return None


def check_logo(data: bytes) -> tuple[str, str]:
    """The logo's (content type, extension), or a ServiceError on field "logo" saying why
    it is refused."""
    if not data:
        raise ServiceError("The logo file is empty.", field="logo")
    if len(data) > LOGO_MAX_BYTES:
        raise ServiceError(
            f"The logo is {len(data) / (1024 * 1024):.1f} MB: it may be at most 1 MB.",
            field="logo",
        )
    found = logo_type(data[:16])
    if found is None:
        raise ServiceError(
            "The logo must be a PNG, JPEG or GIF image (judged by its content, not its name).",
            field="logo",
        )
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[found[0]]]) as image:
            width, height = image.size
            if width * height > LOGO_MAX_PIXELS:
                raise ServiceError(
                    f"The logo is {width} by {height} pixels: make it smaller "
                    "(at most 4000 by 4000).",
                    field="logo",
                )
            image.verify()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ServiceError(
            "The logo could not be read as an image: save it again as PNG or JPEG.", field="logo"
        ) from None
    return found


def _settings_row(organization: Organization) -> ReceiptSettings:
    row = ReceiptSettings.objects.filter(organization=organization).first()
    if row is None:
        row, _ = ReceiptSettings.objects.get_or_create(organization=organization)
    return row


@org_service("donors.configure")
def receipt_logo_set(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    logo: UploadedFile | None,
) -> ReceiptSettings:
    """Give the letters their own logo (checked by `check_logo`), or with None go back to
    the organization's."""
    row = _settings_row(organization)
    before = row.logo.name or None
    if logo is None:
        if not row.logo:
            return row
        row.logo.name = ""
    else:
        if logo.size is not None and logo.size > LOGO_MAX_BYTES:
            raise ServiceError("The logo may be at most 1 MB.", field="logo")
        logo.seek(0)
        data = logo.read(LOGO_MAX_BYTES + 1)
        _type, extension = check_logo(data)
        save_in_transaction(row.logo, f"logo-{organization.pk}.{extension}", ContentFile(data))
    ReceiptSettings.objects.filter(pk=row.pk).update(logo=row.logo.name or "")
    audit_record(
        action="donors.receipt_settings.logo",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"logo": {"before": before, "after": row.logo.name or None}},
    )
    return row


def letter_logo(organization: Organization, settings: ReceiptSettings | None) -> str:
    """The logo a letter embeds, as a data: URL: the letter's own, else the organization's;
    "" for none (or one that cannot be read)."""
    if settings is not None and settings.logo:
        try:
            with settings.logo.open("rb") as handle:
                data = handle.read(LOGO_MAX_BYTES + 1)
        except (OSError, ValueError):
            data = b""
        found = logo_type(data[:16]) if len(data) <= LOGO_MAX_BYTES else None
        if found is not None:
            return f"data:{found[0]};base64,{base64.b64encode(data).decode('ascii')}"
    return logo_data_url(organization.logo)


@org_service("donors.configure", atomic=False)
def receipt_letter_preview(
    *,
    organization: Organization,
    access: Access | None,
    letter_template_source: str,
    thank_you_text: str = "",
    signature_name: str = "",
    signature_title: str = "",
    intangible_religious_benefits_only: bool = False,
) -> str:
    """A draft letter template rendered in the letter sandbox with a sample receipt (a year of
    gifts) from this organization, its logo and the draft's signer, under the budget of a
    save: what saving it would accept, shown before it is saved. A template the sandbox
    refuses is a ServiceError on field "letter_template". Writes nothing."""
    if not letter_template_source.strip():
        raise ServiceError("The letter template is empty.", field=letter_template.FIELD)
    context = letter_template.sample_context()
    context["org"] = org_block(organization)
    context["thank_you"] = thank_you_text
    context["signature"] = {"name": signature_name, "title": signature_title}
    context["intangible_religious_benefits_only"] = intangible_religious_benefits_only
    settings = ReceiptSettings.objects.filter(organization=organization).first()
    context["logo"] = letter_logo(organization, settings)
    return letter_template.render(
        letter_template_source,
        context,
        seconds=letter_template.CHECK_SECONDS,
        max_nodes=letter_template.CHECK_NODES,
    )
