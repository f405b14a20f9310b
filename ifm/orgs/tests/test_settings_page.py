from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Organization


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _form(org: Organization, **changes: Any) -> dict[str, Any]:
    data = {
        "version": org.version,
        "name": org.name,
        "legal_name": org.legal_name,
        "ein": org.ein,
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "country": "US",
        "phone": "555-0100",
        "website": "https://alpha.example.org",
        "currency": "usd",
        "fiscal_year_start_month": "7",
        "time_zone": "America/Chicago",
    }
    data.update(changes)
    return data


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def test_admin_saves_settings_and_the_change_is_audited(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["admin"])
    page = client.get("/o/alpha/settings/")
    assert page.status_code == 200
    assert b'name="version"' in page.content
    assert b"America/Chicago" in page.content
    response = client.post("/o/alpha/settings/", _form(org_a, require_2fa_for_admin_finance="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(pk=org_a.pk)
    assert org.city == "Springfield"
    assert org.fiscal_year_start_month == 7
    assert org.time_zone == "America/Chicago"
    assert org.currency == "USD"
    assert org.require_2fa_for_admin_finance is True
    assert org.version == org_a.version + 1
    with all_organizations():
        event = AuditEvent.objects.get(action="organization.update", organization=org)
    assert event.actor == cast["admin"]
    assert event.changes["city"] == {"before": "", "after": "Springfield"}
    assert event.changes["fiscal_year_start_month"] == {"before": 1, "after": 7}
    assert "name" not in event.changes


def test_stale_version_is_a_conflict_and_saves_nothing(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["admin"])
    stale = _form(org_a, city="First")
    assert client.post("/o/alpha/settings/", stale).status_code == 302
    response = client.post("/o/alpha/settings/", {**stale, "city": "Second", "name": "Renamed"})
    assert response.status_code == 409
    assert b"changed by Alpha Admin" in response.content
    assert b"Reload the settings" in response.content
    org = Organization.objects.get(pk=org_a.pk)
    assert org.city == "First"
    assert org.name == "Alpha Outreach"


def test_invalid_values_are_shown_beside_the_fields(cast: dict[str, Any], org_a: Any) -> None:
    response = client_for(cast["admin"]).post(
        "/o/alpha/settings/", _form(org_a, ein="123", fiscal_year_start_month="13")
    )
    assert response.status_code == 422
    assert b"An EIN has the form 12-3456789." in response.content
    form = response.context["form"]
    assert "ein" in form.errors
    assert "fiscal_year_start_month" in form.errors
    assert Organization.objects.get(pk=org_a.pk).ein == "11-1111111"


def test_logo_upload_and_size_limit(cast: dict[str, Any], org_a: Any, media: Any) -> None:
    client = client_for(cast["admin"])
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = client.post("/o/alpha/settings/", {**_form(org_a), "logo": logo})
    assert response.status_code == 302
    org = Organization.objects.get(pk=org_a.pk)
    assert str(org.logo.name).startswith("logos/")
    assert (media / org.logo.name).exists()

    big = SimpleUploadedFile(
        "big.png", _png() + b"\0" * (2 * 1024 * 1024), content_type="image/png"
    )
    response = client.post("/o/alpha/settings/", {**_form(org), "logo": big})
    assert response.status_code == 422
    assert b"at most 2 MB" in response.content
    assert Organization.objects.get(pk=org_a.pk).logo.name == org.logo.name


def test_only_admins_edit_settings(cast: dict[str, Any], org_a: Any) -> None:
    for role in ("finance", "staff", "viewer"):
        client = client_for(cast[role])
        assert client.get("/o/alpha/settings/").status_code == 403
        assert client.post("/o/alpha/settings/", _form(org_a, city="X")).status_code == 403
    assert Organization.objects.get(pk=org_a.pk).city == ""
    assert client_for(cast["other_admin"]).get("/o/alpha/settings/").status_code == 404


def test_dashboard_shows_cards_for_the_role_and_admin_checklist(cast: dict[str, Any]) -> None:
    admin_page = client_for(cast["admin"]).get("/o/alpha/")
    titles = [c["title"] for c in admin_page.context["cards"]]
    assert {"Members", "Settings", "API tokens"} <= set(titles)
    labels = {item["label"]: item["done"] for item in admin_page.context["checklist"]}
    assert labels["Invite your team"] is True
    assert labels["Fill in the organization's legal details and address"] is False
    assert b"Getting started" in admin_page.content

    viewer_page = client_for(cast["viewer"]).get("/o/alpha/")
    # A viewer gets the modules it may read, nothing to manage.
    assert [c["title"] for c in viewer_page.context["cards"]] == ["Ledger", "Donors"]
    assert viewer_page.context["checklist"] == []
    assert b"Members</a>" not in viewer_page.content


def test_the_logo_is_served_to_members_through_the_app(
    cast: dict[str, Any], org_a: Any, media: Any
) -> None:
    admin = client_for(cast["admin"])
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    assert admin.post("/o/alpha/settings/", {**_form(org_a), "logo": logo}).status_code == 302
    dashboard = client_for(cast["viewer"]).get("/o/alpha/")
    assert b'src="/o/alpha/logo/"' in dashboard.content
    image = client_for(cast["viewer"]).get("/o/alpha/logo/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content == _png()
    assert image["X-Content-Type-Options"] == "nosniff"
    # Another organization's people, and visitors, never get it.
    assert client_for(cast["other_admin"]).get("/o/alpha/logo/").status_code == 404
    assert Client().get("/o/alpha/logo/").status_code == 302


def test_no_logo_or_a_lost_file_is_a_404(cast: dict[str, Any], org_a: Any, media: Any) -> None:
    admin = client_for(cast["admin"])
    assert admin.get("/o/alpha/logo/").status_code == 404
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    admin.post("/o/alpha/settings/", {**_form(org_a), "logo": logo})
    (media / Organization.objects.get(pk=org_a.pk).logo.name).unlink()
    assert admin.get("/o/alpha/logo/").status_code == 404
