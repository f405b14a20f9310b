"""The people area's pages: the list with filters and export, the form with its duplicate
warning and stale-version refusal, the volunteer's page with its donor link, the panel on the
donor profile, qualification pages and documents, the dashboard tiles, search and navigation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.orgs import search
from ifm.tenancy.models import Membership
from ifm.volunteers.models import HoursStatus, Qualification, QualificationType, Volunteer
from ifm.volunteers.people import services
from ifm.volunteers.tests import factories as vf

PDF = b"%PDF-1.4\n%%EOF\n"
BASE = "/o/alpha/volunteers/"


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def vc(cast: dict[str, Any]) -> Client:
    return client_for(cast["volunteer_coordinator"])


def _streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _form(**fields: Any) -> dict[str, Any]:
    values = {"first_name": "Ada", "last_name": "Lovelace", "status": "active", "country": "US"}
    values.update(fields)
    return values


def test_list_search_filters_and_export(org_a: Any, who: dict[str, Any], vc: Client) -> None:
    services.volunteer_create(
        **who, first_name="Ada", last_name="Lovelace", skills="driving", status="active"
    )
    services.volunteer_create(
        **who,
        first_name="Kid",
        last_name="Young",
        status="applicant",
        date_of_birth=date.today() - timedelta(days=365 * 12),
        guardian_name="Pat",
        guardian_consent=True,
    )
    page = vc.get(BASE)
    assert page.status_code == 200
    assert b"Lovelace, Ada" in page.content
    assert b"Young, Kid" in page.content
    assert b"Under 18" in page.content
    only = vc.get(BASE + "?q=lovel").content
    assert b"Lovelace, Ada" in only
    assert b"Young, Kid" not in only
    minors = vc.get(BASE + "?minor=yes").content
    assert b"Young, Kid" in minors
    assert b"Lovelace, Ada" not in minors
    drivers = vc.get(BASE + "?skill=driving").content
    assert b"Lovelace, Ada" in drivers
    assert b"Young, Kid" not in drivers
    applicants = vc.get(BASE + "?status=applicant").content
    assert b"Young, Kid" in applicants
    assert b"Lovelace, Ada" not in applicants
    csv = vc.get(BASE + "export.csv?status=active")
    text = _streamed(csv).decode()
    assert "Lovelace" in text
    assert "Young" not in text
    xlsx = vc.get(BASE + "export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_create_warns_of_a_duplicate_with_a_link(
    org_a: Any, who: dict[str, Any], vc: Client
) -> None:
    first = services.volunteer_create(**who, first_name="Ada", last_name="Lovelace")
    r = vc.post(BASE + "new/", _form())
    assert r.status_code == 200
    assert b"This may be a volunteer you already have" in r.content
    assert f'{BASE}{first.pk}/"'.encode() in r.content
    with org_context(org_a):
        assert Volunteer.objects.count() == 1
    r = vc.post(BASE + "new/", _form(confirm_duplicates="1"))
    assert r.status_code == 302
    with org_context(org_a):
        assert Volunteer.objects.count() == 2


def test_a_minor_needs_consent_on_the_form(org_a: Any, vc: Client) -> None:
    born = (date.today() - timedelta(days=365 * 15)).isoformat()
    r = vc.post(BASE + "new/", _form(date_of_birth=born))
    assert r.status_code == 422
    assert b"a parent" in r.content
    r = vc.post(
        BASE + "new/", _form(date_of_birth=born, guardian_name="Pat", guardian_consent="on")
    )
    assert r.status_code == 302
    with org_context(org_a):
        kid = Volunteer.objects.get()
    page = vc.get(f"{BASE}{kid.pk}/").content
    assert b"Consent given" in page
    assert b"Under 18" in page


def test_a_stale_edit_is_refused(org_a: Any, who: dict[str, Any], vc: Client) -> None:
    v = services.volunteer_create(**who, first_name="Ada", skills="cooking")
    assert vc.post(f"{BASE}{v.pk}/edit/", _form(skills="driving", version=1)).status_code == 302
    stale = vc.post(f"{BASE}{v.pk}/edit/", _form(skills="singing", version=1))
    assert stale.status_code == 409
    assert b"reload it" in stale.content
    with org_context(org_a):
        assert Volunteer.objects.get(pk=v.pk).skills == "driving"


def test_donor_link_offered_linked_and_shown_both_ways(
    org_a: Any, who: dict[str, Any], vc: Client, cast: dict[str, Any]
) -> None:
    from ifm.donors.models import Donor

    with org_context(org_a):
        donor = Donor.objects.create(
            organization=org_a,
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.org",
            email_norm="ada@example.org",
        )
    v = services.volunteer_create(**who, first_name="Ada", email="ada@example.org")
    page = vc.get(f"{BASE}{v.pk}/").content
    assert f"Link to donor {donor.name}".encode() in page
    r = vc.post(f"{BASE}{v.pk}/donor/", {"action": "link", "donor_id": donor.pk})
    assert r.status_code == 302
    entry = vf.hours_entry(org_a, v, "3.5")
    vf.hours_entry(org_a, v, "8")  # pending: not counted
    with org_context(org_a):
        type(entry).objects.filter(pk=entry.pk).update(status=HoursStatus.APPROVED)
        assert Volunteer.objects.get(pk=v.pk).donor_id == donor.pk
    page = vc.get(f"{BASE}{v.pk}/").content
    assert f"({donor.reference})".encode() in page
    # The coordinator does not see donors: the name without a link; an admin gets the link.
    assert f"/o/alpha/donors/{donor.pk}/".encode() not in page
    admin_page = client_for(cast["admin"]).get(f"{BASE}{v.pk}/").content
    assert f"/o/alpha/donors/{donor.pk}/".encode() in admin_page
    # The donor profile shows the volunteer and their approved hours (to those who see both).
    profile = client_for(cast["admin"]).get(f"/o/alpha/donors/{donor.pk}/").content
    assert b'id="volunteer-panel"' in profile
    assert f"{BASE}{v.pk}/".encode() in profile
    assert b'id="volunteer-approved-hours">3.50<' in profile
    # A fundraiser without volunteers.view does not see the panel.
    fundraising = client_for(cast["fundraising"]).get(f"/o/alpha/donors/{donor.pk}/").content
    assert b'id="volunteer-panel"' not in fundraising
    r = vc.post(f"{BASE}{v.pk}/donor/", {"action": "unlink"})
    with org_context(org_a):
        assert Volunteer.objects.get(pk=v.pk).donor_id is None
    assert (
        b'id="volunteer-panel"'
        not in client_for(cast["admin"]).get(f"/o/alpha/donors/{donor.pk}/").content
    )


def test_viewer_sees_but_cannot_change(
    org_a: Any, who: dict[str, Any], cast: dict[str, Any]
) -> None:
    v = services.volunteer_create(**who, first_name="Ada")
    viewer = client_for(cast["viewer"])
    assert viewer.get(f"{BASE}{v.pk}/").status_code == 200
    assert viewer.get(BASE + "new/").status_code == 403
    assert viewer.post(f"{BASE}{v.pk}/edit/", _form(version=1)).status_code == 403
    assert client_for(cast["fundraising"]).get(BASE).status_code == 403


def test_qualification_types_and_qualifications(
    org_a: Any, who: dict[str, Any], vc: Client
) -> None:
    r = vc.post(BASE + "qualifications/types/", {"name": "Signed waiver", "valid_months": "12"})
    assert r.status_code == 302
    with org_context(org_a):
        kind = QualificationType.objects.get()
    v = services.volunteer_create(**who, first_name="Ada")
    upload = SimpleUploadedFile("waiver.pdf", PDF, content_type="application/pdf")
    r = vc.post(
        f"{BASE}{v.pk}/qualifications/new/",
        {
            "type": kind.pk,
            "issued_on": "2026-01-05",
            "expires_on": "2027-01-05",
            "document": upload,
        },
    )
    assert r.status_code == 302, r.content
    with org_context(org_a):
        q = Qualification.objects.get()
    page = vc.get(f"{BASE}{v.pk}/").content
    assert b"Signed waiver" in page
    assert b"waiver.pdf" in page
    doc = vc.get(f"{BASE}qualifications/{q.pk}/document/")
    assert doc.status_code == 200
    assert doc["Content-Type"] == "application/pdf"
    assert doc["X-Content-Type-Options"] == "nosniff"
    assert _streamed(doc) == PDF
    bad = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = vc.post(
        f"{BASE}{v.pk}/qualifications/new/",
        {"type": kind.pk, "issued_on": "2026-01-05", "document": bad},
    )
    assert r.status_code == 422
    assert b"not a PDF, JPEG or PNG" in r.content
    r = vc.post(
        f"{BASE}qualifications/{q.pk}/edit/",
        {"issued_on": "2026-01-05", "expires_on": "", "version": 1, "remove_document": "on"},
    )
    assert r.status_code == 302
    with org_context(org_a):
        q.refresh_from_db()
        assert (q.expires_on, q.document_name) == (None, "")
    assert vc.get(f"{BASE}qualifications/{q.pk}/document/").status_code == 404
    r = vc.post(BASE + f"qualifications/types/{kind.pk}/", {"action": "archive"})
    assert r.status_code == 302
    with org_context(org_a):
        assert QualificationType.objects.get().is_archived
    assert vc.post(f"{BASE}qualifications/{q.pk}/delete/").status_code == 302
    with org_context(org_a):
        assert not Qualification.objects.exists()


def test_documents_need_volunteers_view(org_a: Any, cast: dict[str, Any]) -> None:
    q = vf.qualification(org_a)
    with org_context(org_a):
        q.document.save("x", SimpleUploadedFile("x.pdf", PDF))
        q.document_name = "x.pdf"
        q.save()
    url = f"{BASE}qualifications/{q.pk}/document/"
    assert client_for(cast["fundraising"]).get(url).status_code == 403
    assert client_for(cast["viewer"]).get(url).status_code == 200


def test_expiring_page_dashboard_and_search(
    org_a: Any, who: dict[str, Any], vc: Client, cast: dict[str, Any]
) -> None:
    v = services.volunteer_create(**who, first_name="Ada", last_name="Quistorp")
    kind = vf.qualification_type(org_a, "Food handler card")
    with org_context(org_a):
        Qualification.objects.create(
            organization=org_a,
            volunteer=v,
            type=kind,
            issued_on=date.today() - timedelta(days=700),
            expires_on=date.today() + timedelta(days=3),
        )
    page = vc.get(BASE + "qualifications/expiring/").content
    assert b"Quistorp, Ada" in page
    assert b"Food handler card" in page
    dashboard = vc.get("/o/alpha/").content
    assert b"Qualifications expiring" in dashboard
    assert f'href="{BASE}qualifications/expiring/"'.encode() in dashboard
    assert f'href="{BASE}"'.encode() in dashboard  # the navigation's entry
    with org_context(org_a):
        access = Membership.objects.get(user=cast["volunteer_coordinator"])
    groups = search.search_run(
        organization=org_a, actor=cast["volunteer_coordinator"], access=access, q="quistorp"
    )
    hits = [h for g in groups if g.key == "volunteers" for h in g.hits]
    assert [h.url for h in hits] == [f"{BASE}{v.pk}/"]


def test_duplicates_page(org_a: Any, who: dict[str, Any], vc: Client) -> None:
    assert b"No likely duplicates" in vc.get(BASE + "duplicates/").content
    services.volunteer_create(**who, first_name="Ada", last_name="Lovelace", phone="614-555-0100")
    services.volunteer_create(
        **who,
        first_name="Augusta",
        last_name="King",
        phone="(614) 555 0100",
        confirm_duplicate=True,
    )
    page = vc.get(BASE + "duplicates/").content
    assert b"Same phone" in page
    assert b"Augusta King" in page


def test_approved_hours_shown_on_the_volunteer_page(org_a: Any, vc: Client) -> None:
    v = vf.volunteer(org_a)
    entry = vf.hours_entry(org_a, v, "1.25")
    with org_context(org_a):
        type(entry).objects.filter(pk=entry.pk).update(status=HoursStatus.APPROVED)
    page = vc.get(f"{BASE}{v.pk}/").content
    assert b'id="approved-hours">1.25<' in page
