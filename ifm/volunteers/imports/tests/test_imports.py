"""The volunteer import: mapping suggested from the headers, a dry run that writes nothing and
names each problem by row and field, a commit that creates every row or none, hostile files
refused with a message; the pages of the wizard."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership
from ifm.volunteers.imports import services
from ifm.volunteers.models import Volunteer, VolunteerImport

GOOD = (
    b"First Name,Surname,E-mail,Phone,Date of birth,Guardian,Consent,Status,Skills\n"
    b"Ada,Lovelace,ada@example.org,614-555-0101,1990-05-01,,,active,driving\n"
    b"Kid,Young,kid@example.org,,4/2/2015,Pat Young,yes,applicant,\n"
)


@pytest.fixture
def who(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["volunteer_coordinator"]
    with org_context(org_a):
        access = Membership.objects.get(user=user)
    return {"organization": org_a, "access": access, "actor": user}


def _checked(who: dict[str, Any], data: bytes, name: str = "v.csv", **kw: Any) -> VolunteerImport:
    row = services.volunteer_import_upload(**who, file_name=name, data=data)
    return services.volunteer_import_check(**who, row=row, columns=row.mapping["columns"], **kw)


def test_mapping_is_suggested_from_the_headers(who: dict[str, Any]) -> None:
    row = services.volunteer_import_upload(**who, file_name="v.csv", data=GOOD)
    assert row.mapping["columns"] == {
        "first_name": "First Name",
        "last_name": "Surname",
        "email": "E-mail",
        "phone": "Phone",
        "date_of_birth": "Date of birth",
        "guardian_name": "Guardian",
        "guardian_consent": "Consent",
        "status": "Status",
        "skills": "Skills",
    }


def test_dry_run_writes_nothing_then_commit_creates_all(org_a: Any, who: dict[str, Any]) -> None:
    row = _checked(who, GOOD)
    assert (row.dry_run["rows"], row.dry_run["created"], row.dry_run["errors"]) == (2, 2, [])
    with org_context(org_a):
        assert Volunteer.objects.count() == 0
    done = services.volunteer_import_commit(**who, row=row)
    assert done.created_count == 2
    with org_context(org_a):
        kid = Volunteer.objects.get(email="kid@example.org")
        assert kid.guardian_consent_at is not None
        assert kid.date_of_birth is not None
        assert kid.date_of_birth.isoformat() == "2015-04-02"
        assert Volunteer.objects.get(email="ada@example.org").status == "active"
    with pytest.raises(ServiceError):
        services.volunteer_import_commit(**who, row=done)


def test_one_bad_row_refuses_the_whole_file(org_a: Any, who: dict[str, Any]) -> None:
    data = (
        GOOD + b"Teen,Minor,teen@example.org,,2014-01-01,,,active,\n,NoFirst,x@example.org,,,,,,\n"
    )
    row = _checked(who, data)
    problems = {(e["row"], e["field"]) for e in row.dry_run["errors"]}
    assert problems == {
        (4, "guardian_name"),
        (4, "guardian_consent"),
        (5, "first_name"),
    }
    with pytest.raises(ServiceError) as exc:
        services.volunteer_import_commit(**who, row=row)
    assert "nothing was imported" in exc.value.message
    with org_context(org_a):
        assert Volunteer.objects.count() == 0


def test_duplicates_in_the_file_and_existing_ones(org_a: Any, who: dict[str, Any]) -> None:
    from ifm.volunteers.people import services as people

    people.volunteer_create(**who, first_name="Ada", last_name="Lovelace")
    row = _checked(who, GOOD)
    assert [(e["row"], e["field"]) for e in row.dry_run["errors"]] == [(2, "duplicate")]
    allowed = _checked(who, GOOD, allow_duplicates=True)
    assert allowed.dry_run["errors"] == []
    twice = GOOD + b"Ada,Other,ADA@example.org,,,,,active,\n"
    again = _checked(who, twice, allow_duplicates=True)
    assert [(e["row"], e["field"]) for e in again.dry_run["errors"]] == [(4, "email")]


def test_xlsx_and_mapping_errors(org_a: Any, who: dict[str, Any]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Given name", "Family name", "Email"])
    sheet.append(["Ada", "Lovelace", "ada@example.org"])
    buffer = io.BytesIO()
    book.save(buffer)
    row = services.volunteer_import_upload(**who, file_name="v.xlsx", data=buffer.getvalue())
    assert row.mapping["columns"] == {
        "first_name": "Given name",
        "last_name": "Family name",
        "email": "Email",
    }
    with pytest.raises(ServiceError) as exc:
        services.volunteer_import_check(**who, row=row, columns={"last_name": "Family name"})
    assert exc.value.errors[0]["field"] == "first_name"
    with pytest.raises(ServiceError):
        services.volunteer_import_check(
            **who, row=row, columns={"first_name": "Nope", "email": "Email"}
        )
    checked = services.volunteer_import_check(**who, row=row, columns=row.mapping["columns"])
    services.volunteer_import_commit(**who, row=checked)
    with org_context(org_a):
        assert Volunteer.objects.get().name == "Ada Lovelace"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.csv", b""),
        ("v.pdf", b"%PDF-1.4 not a table"),
        ("bin.csv", b"\x00\x01\x02\x03" * 100),
        ("headers.csv", b"First name,Last name\n"),
    ],
)
def test_hostile_files_are_refused_with_a_message(
    who: dict[str, Any], name: str, data: bytes
) -> None:
    def upload_and_check() -> None:
        row = services.volunteer_import_upload(**who, file_name=name, data=data)
        services.volunteer_import_check(**who, row=row, columns=row.mapping["columns"])

    with pytest.raises(ServiceError):
        upload_and_check()


def test_the_wizard_pages(org_a: Any, cast: dict[str, Any]) -> None:
    vc = client_for(cast["volunteer_coordinator"])
    base = "/o/alpha/volunteers/imports/"
    r = vc.post(base, {"file": SimpleUploadedFile("v.csv", GOOD, content_type="text/csv")})
    assert r.status_code == 302
    with org_context(org_a):
        row = VolunteerImport.objects.get()
    page = vc.get(f"{base}{row.pk}/")
    assert page.status_code == 200
    assert b'<option value="Surname" selected>' in page.content
    mapping = {f"map_{k}": v for k, v in row.mapping["columns"].items()}
    r = vc.post(f"{base}{row.pk}/", {"action": "check", **mapping})
    assert r.status_code == 302
    checked = vc.get(f"{base}{row.pk}/").content
    assert b"2 would be created" in checked
    assert b'id="commit"' in checked
    r = vc.post(f"{base}{row.pk}/", {"action": "commit"})
    assert r.status_code == 302
    with org_context(org_a):
        assert Volunteer.objects.count() == 2
    bad = vc.post(base, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")})
    assert bad.status_code == 422
    assert client_for(cast["viewer"]).get(base).status_code == 403
