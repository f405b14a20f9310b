"""Receipt letters: the organization's HTML template rendered in a closed room, then PDF.

The letter template is edited by the organization's admins, so it is rendered in a sandbox
(ifm.donors.receipts.letter_template): its own engine with no loaders, an allow-list of tags
and filters, loops only over the receipt's data, a time and size budget per render, and a
context of plain strings, lists and dicts only (no model instances, so no method of ours can be
reached).
WeasyPrint fetches nothing from the network or the disk: only `data:` URLs (the embedded logo)
resolve. The PDF itself is made by pdf_engine.html_to_pdf (WeasyPrint kept warm).
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterable
from typing import Any

from django.utils.html import escape

from ifm.donors.receipts import letter_template
from ifm.donors.receipts.pdf_engine import LETTER_CSS, LETTER_STYLE, html_to_pdf

__all__ = [
    "LETTER_CSS",
    "check_template",
    "html_to_pdf",
    "letter_document",
    "logo_data_url",
    "render_letter",
]


def render_letter(template_source: str, context: dict[str, Any]) -> str:
    """The letter body as HTML, rendered in the letter sandbox
    (ifm.donors.receipts.letter_template); a template that breaks its rules or budget is a
    ServiceError naming the field."""
    return letter_template.render(template_source, context)


def check_template(template_source: str) -> None:
    """Raise a ServiceError unless the template keeps the letter rules and a test render of a
    sample receipt stays within budget (used when admins save it)."""
    letter_template.check(template_source)


def logo_data_url(logo: Any) -> str:
    """The organization's logo embedded as a data: URL (kept in the receipt's snapshot)."""
    if not logo:
        return ""
    try:
        with logo.open("rb") as handle:
            content = handle.read(2_000_001)
    except (OSError, ValueError):
        return ""
    if len(content) > 2_000_000:
        return ""
    mime = mimetypes.guess_type(logo.name)[0] or "image/png"
    if not mime.startswith("image/"):
        return ""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def letter_document(bodies: Iterable[str], *, title: str = "Receipt") -> str:
    """Whole HTML document of one or many letters, one per page."""
    letters = "\n".join(f'<section class="letter">{body}</section>' for body in bodies)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{LETTER_STYLE}</head>"
        f"<body>{letters}</body></html>"
    )
