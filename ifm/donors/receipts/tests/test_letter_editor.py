"""The letter's signer, address and logo, and its editor: merge fields and a live preview
rendered in the letter sandbox, refusing hostile templates with a message (never a 500)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.donors.conftest import access_of
from ifm.donors.models import ReceiptSettings
from ifm.donors.models.receipts import DEFAULT_LETTER_TEMPLATE
from ifm.donors.receipts import letterhead
from ifm.donors.receipts.issue import receipt_settings_get, receipt_settings_update
from ifm.donors.receipts.tests.test_pages_receipts import receipt_for, url
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ctx(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["fundraising"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


@pytest.fixture
def admin(donors_org: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["admin"]
    return {"organization": donors_org, "actor": user, "access": access_of(user)}


def png(width: int = 40, height: int = 20, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def _with_address_and_signer(org: Organization, admin: dict[str, Any]) -> None:
    Organization.objects.filter(pk=org.pk).update(
        legal_name="Alpha Outreach Inc.",
        address_line1="12 Harbor Road",
        city="Portland",
        state="ME",
        postal_code="04101",
    )
    org.refresh_from_db()
    row = receipt_settings_get(organization=org)
    receipt_settings_update(
        **admin,
        expected_version=row.version,
        signature_name="Jordan Price",
        signature_title="Executive Director",
    )


# --- The letter's signer, address and logo ---------------------------------------------------


def test_the_default_letter_carries_signer_title_address_and_logo(
    donors_org: Organization, admin: dict[str, Any], ctx: dict[str, Any], general_fund: Any
) -> None:
    _with_address_and_signer(donors_org, admin)
    letterhead.receipt_logo_set(**admin, logo=SimpleUploadedFile("logo.png", png()))
    assert receipt_settings_get(organization=donors_org).letter_template == (
        DEFAULT_LETTER_TEMPLATE
    )
    receipt = receipt_for(ctx, general_fund)
    html = receipt.content_html
    for text in ("Jordan Price", "Executive Director", "12 Harbor Road", "Portland, ME 04101"):
        assert text in html
    assert '<img class="logo" src="data:image/png;base64,' in html

    reader = PdfReader(io.BytesIO(Path(receipt.pdf.path).read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("Jordan Price", "Executive Director", "12 Harbor Road", "Portland, ME 04101"):
        assert words in text
    assert any(page.images for page in reader.pages)  # the logo is drawn in the PDF


def test_without_its_own_logo_the_letter_uses_the_organizations(
    donors_org: Organization, admin: dict[str, Any]
) -> None:
    assert letterhead.letter_logo(donors_org, receipt_settings_get(organization=donors_org)) == ""
    donors_org.logo.save("org.png", SimpleUploadedFile("org.png", png(color="blue")))
    assert letterhead.letter_logo(donors_org, None).startswith("data:image/png;base64,")


def test_the_logo_is_kept_in_private_storage_and_can_be_removed(
    donors_org: Organization, admin: dict[str, Any], settings: Any
) -> None:
    row = letterhead.receipt_logo_set(**admin, logo=SimpleUploadedFile("x.png", png()))
    path = Path(row.logo.path)
    assert path.is_file()
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    with pytest.raises(ValueError, match="no URL"):
        _ = row.logo.url
    letterhead.receipt_logo_set(**admin, logo=None)
    assert not ReceiptSettings.objects.get().logo


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "PNG, JPEG"),
        ("logo.png", b"just text, named like an image", "PNG, JPEG"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "could not be read"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1), "at most 1 MB"),
        ("empty.png", b"", "empty"),
    ],
)
def test_a_logo_that_is_not_a_small_image_is_refused(
    admin: dict[str, Any], name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as refused:
        letterhead.receipt_logo_set(**admin, logo=SimpleUploadedFile(name, data))
    assert refused.value.errors[0]["field"] == "logo"
    assert not ReceiptSettings.objects.filter(logo__gt="").exists()


def test_a_logo_too_many_pixels_is_refused(admin: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="4000 by 4000"):
        letterhead.receipt_logo_set(
            **admin, logo=SimpleUploadedFile("wide.png", png(width=8000, height=2100))
        )


def test_only_admins_change_the_logo(ctx: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        letterhead.receipt_logo_set(**ctx, logo=SimpleUploadedFile("x.png", png()))


def test_the_settings_page_uploads_the_logo_and_serves_it_through_the_access_check(
    donors_org: Organization, cast: dict[str, Any]
) -> None:
    client = client_for(cast["admin"])
    sent = client.post(
        url(donors_org, "settings/logo/"), {"logo": SimpleUploadedFile("l.png", png())}
    )
    assert sent.status_code == 302
    image = client.get(url(donors_org, "settings/logo.img"))
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    refused = client.post(
        url(donors_org, "settings/logo/"), {"logo": SimpleUploadedFile("l.png", b"not an image")}
    )
    assert refused.status_code == 422
    assert "PNG, JPEG or GIF" in refused.content.decode()
    viewer = client_for(cast["fundraising"])
    assert viewer.get(url(donors_org, "settings/logo.img")).status_code == 403


# --- The editor: merge fields and the live preview -------------------------------------------


def _preview(client: Any, org: Organization, template: str, **fields: str) -> Any:
    data = {
        "letter_template": template,
        "thank_you_text": "Thanks a lot.",
        "signature_name": "Sam Draft",
        "signature_title": "Board Chair",
        **fields,
    }
    return client.post(url(org, "settings/preview/"), data, HTTP_HX_REQUEST="true")


def test_the_settings_page_offers_merge_fields_and_a_live_preview(
    donors_org: Organization, cast: dict[str, Any]
) -> None:
    page = client_for(cast["admin"]).get(url(donors_org, "settings/"))
    body = page.content.decode()
    assert 'data-merge-insert="{{ donor.name }}"' in body
    assert 'data-merge-target="id_letter_template"' in body
    assert 'hx-post="/o/alpha/donors/receipts/settings/preview/"' in body
    assert 'hx-include="#settings-form"' in body


def test_the_preview_renders_the_draft_with_a_sample_receipt_and_the_draft_signer(
    donors_org: Organization, cast: dict[str, Any], admin: dict[str, Any]
) -> None:
    _with_address_and_signer(donors_org, admin)
    response = _preview(client_for(cast["admin"]), donors_org, DEFAULT_LETTER_TEMPLATE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="preview-frame"' in body
    assert "sandbox" in body
    for text in ("Sam Draft", "Board Chair", "The Smith Family", "12 Harbor Road", "Thanks a lot."):
        assert text in body
    # Nothing was saved: the stored signer is still the one saved before.
    assert receipt_settings_get(organization=donors_org).signature_name == "Jordan Price"


def test_the_preview_shows_the_letters_html_only_inside_the_sandboxed_frame(
    donors_org: Organization, cast: dict[str, Any]
) -> None:
    response = _preview(
        client_for(cast["admin"]), donors_org, "<script>alert(1)</script>{{ donor.name }}"
    )
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body  # escaped into srcdoc, run by nobody
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% load static %}{% static 'x' %}", "uses tags letters may not use: {% load %}"),
        ("{% include 'base.html' %}", "{% include %}"),
        ("{% debug %}", "{% debug %}"),
        ("{{ org.__class__ }}", "has an error"),
        ("{{ donor.name.__class__.__mro__ }}", "has an error"),
        ("{{ org|pprint }}", "filters letters may not use: pprint"),
        (
            "{% for a in gifts %}{% for b in gifts %}{% for c in gifts %}{{ a.amount }}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "takes too much work",
        ),
        ("{% for x in '" + "a" * 5000 + "' %}{{ x }}{% endfor %}", "may only go over"),
        ("{% if %}", "has an error"),
        ("   ", "is empty"),
        ("x" * 50_001, "longer than 50,000 characters"),
    ],
)
def test_a_hostile_or_broken_draft_gets_a_clear_message_not_an_error_page(
    donors_org: Organization, cast: dict[str, Any], template: str, message: str
) -> None:
    response = _preview(client_for(cast["admin"]), donors_org, template)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="preview-problem"' in body
    assert 'role="alert"' in body
    assert message in body.replace("&#x27;", "'")
    assert 'id="preview-frame"' not in body


def test_the_preview_is_for_admins_of_the_organization_only(
    donors_org: Organization, cast: dict[str, Any]
) -> None:
    assert _preview(client_for(cast["fundraising"]), donors_org, "x").status_code == 403
    assert _preview(client_for(cast["other_admin"]), donors_org, "x").status_code == 404
    get = client_for(cast["admin"]).get(url(donors_org, "settings/preview/"))
    assert get.status_code == 405


def test_the_preview_service_renders_under_the_save_budget(
    donors_org: Organization, admin: dict[str, Any]
) -> None:
    with org_context(donors_org):
        out = letterhead.receipt_letter_preview(
            organization=donors_org,
            access=admin["access"],
            letter_template_source="{% for g in gifts %}{{ g.amount }}{% endfor %}",
        )
    assert out.count("$25.00") == 58
