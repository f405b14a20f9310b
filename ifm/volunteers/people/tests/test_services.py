"""Volunteer services: create and update with their checks, minors and consent, duplicates,
versions, the donor link, and qualifications with their documents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.volunteers.models import HoursStatus, Qualification, Volunteer
from ifm.volunteers.people import qualifications, selectors, services
from ifm.volunteers.tests import factories as vf

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def test_create_writes_norms_and_an_audit_entry(org_a: Any, who: dict[str, Any]) -> None:
    v = services.volunteer_create(
        **who,
        first_name=" Ada ",
        last_name="Lovelace",
        email="Ada@Example.org",
        phone="(614) 555-0101",
    )
    assert (v.first_name, v.email_norm, v.phone_norm) == ("Ada", "ada@example.org", "6145550101")
    assert v.name_norm == "ada lovelace"
    with org_context(org_a):
        event = AuditEvent.objects.get(action="volunteer.create")
        assert event.object_id == str(v.pk)
        assert selectors.volunteer_search("lovelace").get() == v
        assert selectors.volunteer_search("614-555-0101").get() == v


def test_every_field_error_is_named(who: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(
            **who, first_name="", email="not an email", country="USA", status="retired"
        )
    fields = {e["field"] for e in exc.value.errors}
    assert {"email", "country", "status"} <= fields


def test_a_name_is_needed(who: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(**who, first_name="", last_name="Lovelace")
    assert exc.value.errors[0]["field"] == "first_name"


def test_unknown_fields_are_refused(who: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(**who, first_name="Ada", organization_id=9)
    assert exc.value.errors == [{"field": "organization_id", "message": "Unknown field."}]


def test_a_minor_needs_a_guardian_and_consent(org_a: Any, who: dict[str, Any]) -> None:
    born = _years_ago(17)
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(**who, first_name="Kid", date_of_birth=born)
    assert {e["field"] for e in exc.value.errors} == {"guardian_name", "guardian_consent"}
    v = services.volunteer_create(
        **who, first_name="Kid", date_of_birth=born, guardian_name="Pat", guardian_consent=True
    )
    assert v.guardian_consent_at is not None
    # Withdrawing the consent of a minor is refused; the record is unchanged.
    with pytest.raises(ServiceError):
        services.volunteer_update(
            **who, volunteer=v, expected_version=v.version, guardian_consent=False
        )
    with org_context(org_a):
        assert Volunteer.objects.get(pk=v.pk).guardian_consent_at is not None


def test_eighteen_today_is_an_adult(who: dict[str, Any]) -> None:
    # "Today" is the organization's: in the hours its date differs from the server's, an age
    # counted from the server's date would be a day off.
    today = selectors.org_today(who["organization"])
    eighteen = today.replace(year=today.year - 18)
    v = services.volunteer_create(**who, first_name="Adult", date_of_birth=eighteen)
    assert v.guardian_consent_at is None
    with pytest.raises(ServiceError):
        services.volunteer_create(
            **who, first_name="Minor", date_of_birth=eighteen + timedelta(days=1)
        )


def test_a_birth_date_in_the_future_is_refused(who: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(
            **who, first_name="Ada", date_of_birth=timezone.localdate() + timedelta(days=2)
        )
    assert exc.value.errors[0]["field"] == "date_of_birth"


def test_duplicates_are_refused_unless_confirmed(org_a: Any, who: dict[str, Any]) -> None:
    first = services.volunteer_create(
        **who, first_name="Ada", last_name="Lovelace", phone="614 555 0101"
    )
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(**who, first_name="A.", last_name="Byron", phone="6145550101")
    assert exc.value.errors[0]["field"] == "duplicate"
    assert first.reference in exc.value.message
    with pytest.raises(ServiceError):
        services.volunteer_create(**who, first_name="ada", last_name="LOVELACE")
    second = services.volunteer_create(
        **who, first_name="Ada", last_name="Lovelace", confirm_duplicate=True
    )
    assert second.pk != first.pk
    with org_context(org_a):
        assert {g["reason"] for g in selectors.duplicate_groups()} == {"same name"}


def test_an_email_is_used_once_even_when_confirmed(who: dict[str, Any]) -> None:
    services.volunteer_create(**who, first_name="Ada", email="ada@example.org")
    with pytest.raises(ServiceError) as exc:
        services.volunteer_create(
            **who, first_name="Other", email="ADA@example.org", confirm_duplicate=True
        )
    assert exc.value.errors[0]["field"] == "email"


def test_a_stale_version_is_refused_not_overwritten(org_a: Any, who: dict[str, Any]) -> None:
    v = services.volunteer_create(**who, first_name="Ada", skills="cooking")
    services.volunteer_update(**who, volunteer=v, expected_version=1, skills="driving")
    with pytest.raises(ConflictError):
        services.volunteer_update(**who, volunteer=v, expected_version=1, skills="singing")
    with org_context(org_a):
        saved = Volunteer.objects.get(pk=v.pk)
        assert (saved.skills, saved.version) == ("driving", 2)
        event = AuditEvent.objects.get(action="volunteer.update")
        assert event.changes["skills"] == {"before": "cooking", "after": "driving"}


def test_a_viewer_may_not_write(viewer: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.volunteer_create(**viewer, first_name="Ada")


# --- The donor link ------------------------------------------------------------------------------


def _donor(org: Any, email: str) -> Any:
    from ifm.donors.models import Donor

    with org_context(org):
        return Donor.objects.create(
            organization=org, first_name="Ada", last_name="Lovelace", email=email, email_norm=email
        )


def test_a_donor_with_the_same_email_is_offered_then_linked(
    org_a: Any, org_b: Any, who: dict[str, Any]
) -> None:
    donor = _donor(org_a, "ada@example.org")
    _donor(org_b, "ada@example.org")  # another organization's: never offered
    v = services.volunteer_create(**who, first_name="Ada", email="Ada@example.org")
    with org_context(org_a):
        assert [d.pk for d in selectors.donor_matches(v)] == [donor.pk]
        assert Volunteer.objects.get(pk=v.pk).donor_id is None  # never linked by itself
    linked = services.volunteer_link_donor(**who, volunteer=v, donor_id=donor.pk)
    assert linked.donor_id == donor.pk
    with org_context(org_a):
        assert selectors.donor_matches(linked) == []
        assert selectors.volunteer_for_donor(donor.pk) == linked
    unlinked = services.volunteer_unlink_donor(**who, volunteer=linked)
    assert unlinked.donor_id is None
    with org_context(org_a):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"volunteer.link_donor", "volunteer.unlink_donor"} <= actions


def test_another_organizations_donor_cannot_be_linked(org_b: Any, who: dict[str, Any]) -> None:
    theirs = _donor(org_b, "ada@example.org")
    v = services.volunteer_create(**who, first_name="Ada")
    with pytest.raises(ServiceError) as exc:
        services.volunteer_link_donor(**who, volunteer=v, donor_id=theirs.pk)
    assert exc.value.errors[0]["field"] == "donor_id"


def test_a_donor_is_linked_to_one_volunteer(org_a: Any, who: dict[str, Any]) -> None:
    donor = _donor(org_a, "ada@example.org")
    one = services.volunteer_create(**who, first_name="Ada", last_name="One")
    two = services.volunteer_create(**who, first_name="Ada", last_name="Two")
    services.volunteer_link_donor(**who, volunteer=one, donor_id=donor.pk)
    with pytest.raises(ServiceError):
        services.volunteer_link_donor(**who, volunteer=two, donor_id=donor.pk)


def test_approved_hours_count_only_approved(org_a: Any) -> None:
    v = vf.volunteer(org_a)
    approved = vf.hours_entry(org_a, v, "2.5")
    vf.hours_entry(org_a, v, "4")  # pending
    with org_context(org_a):
        type(approved).objects.filter(pk=approved.pk).update(status=HoursStatus.APPROVED)
        assert str(selectors.approved_hours(v)) == "2.50"


# --- Qualifications ------------------------------------------------------------------------------


def test_qualification_with_a_document(
    org_a: Any, who: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    kind = qualifications.qualification_type_create(**who, name="Signed waiver", valid_months=12)
    v = vf.volunteer(org_a)
    row = qualifications.qualification_add(
        **who,
        volunteer=v,
        type=kind,
        issued_on=date(2026, 1, 1),
        expires_on=date(2027, 1, 1),
        document=SimpleUploadedFile("waiver.pdf", PDF, content_type="text/html"),
    )
    assert row.document_type == "application/pdf"
    assert row.document_name == "waiver.pdf"
    assert (tmp_path / row.document.name).read_bytes() == PDF


def test_a_document_is_judged_by_its_content(
    org_a: Any, who: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    kind = vf.qualification_type(org_a)
    v = vf.volunteer(org_a)
    with pytest.raises(ServiceError) as exc:
        qualifications.qualification_add(
            **who,
            volunteer=v,
            type=kind,
            issued_on=date(2026, 1, 1),
            document=SimpleUploadedFile("card.pdf", b"<html>not a pdf</html>"),
        )
    assert exc.value.errors[0]["field"] == "document"
    with org_context(org_a):
        assert not Qualification.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_expiry_before_issue_is_refused(org_a: Any, who: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        qualifications.qualification_add(
            **who,
            volunteer=vf.volunteer(org_a),
            type=vf.qualification_type(org_a),
            issued_on=date(2026, 5, 1),
            expires_on=date(2026, 4, 30),
        )
    assert exc.value.errors[0]["field"] == "expires_on"


def test_another_organizations_type_or_volunteer_is_refused(
    org_a: Any, org_b: Any, who: dict[str, Any]
) -> None:
    with pytest.raises(ServiceError) as exc:
        qualifications.qualification_add(
            **who,
            volunteer=vf.volunteer(org_a),
            type=vf.qualification_type(org_b).pk,
            issued_on=date(2026, 1, 1),
        )
    assert exc.value.errors[0]["field"] == "type_id"
    with pytest.raises(ServiceError) as exc:
        qualifications.qualification_add(
            **who,
            volunteer=vf.volunteer(org_b).pk,
            type=vf.qualification_type(org_a),
            issued_on=date(2026, 1, 1),
        )
    assert exc.value.errors[0]["field"] == "volunteer_id"


def test_archived_types_are_not_offered_and_names_are_unique(
    org_a: Any, who: dict[str, Any]
) -> None:
    kind = qualifications.qualification_type_create(**who, name="Food handler card")
    with pytest.raises(ServiceError):
        qualifications.qualification_type_create(**who, name="food HANDLER card")
    qualifications.qualification_type_update(**who, kind=kind, name=kind.name, is_archived=True)
    with org_context(org_a):
        assert list(selectors.qualification_types()) == []
    with pytest.raises(ServiceError):
        qualifications.qualification_add(
            **who, volunteer=vf.volunteer(org_a), type=kind, issued_on=date(2026, 1, 1)
        )


def test_update_and_delete(org_a: Any, who: dict[str, Any]) -> None:
    row = vf.qualification(org_a)
    updated = qualifications.qualification_update(
        **who, qualification=row, expected_version=1, issued_on=row.issued_on, expires_on=None
    )
    assert updated.expires_on is None
    with pytest.raises(ConflictError):
        qualifications.qualification_update(
            **who, qualification=row, expected_version=1, issued_on=row.issued_on
        )
    qualifications.qualification_delete(**who, qualification=row)
    with org_context(org_a):
        assert not Qualification.objects.filter(pk=row.pk).exists()
        assert AuditEvent.objects.filter(action="volunteer.qualification_delete").exists()


def test_expiring_lists_soon_and_expired_but_not_renewed(org_a: Any) -> None:
    today = date(2026, 6, 1)
    kind = vf.qualification_type(org_a)
    soon, later, gone, renewed_old = (vf.volunteer(org_a) for _ in range(4))
    with org_context(org_a):

        def add(v: Volunteer, expires: date) -> Qualification:
            return Qualification.objects.create(
                organization=org_a,
                volunteer=v,
                type=kind,
                issued_on=expires - timedelta(days=365),
                expires_on=expires,
            )

        add(soon, today + timedelta(days=30))
        add(later, today + timedelta(days=31))
        add(gone, today - timedelta(days=3))
        add(renewed_old, today - timedelta(days=3))
        add(renewed_old, today + timedelta(days=300))
        expiring = selectors.qualification_list(expiring_within_days=30, today=today)
        assert [q.volunteer_id for q in expiring] == [soon.pk]
        both = selectors.qualification_list(
            expiring_within_days=30, today=today, include_expired=True
        )
        assert [q.volunteer_id for q in both] == [gone.pk, soon.pk]
        assert selectors.expiring_count(today) == 1


def test_a_merged_donor_leads_to_the_donor_kept(org_a: Any, who: dict[str, Any]) -> None:
    from ifm.donors.models import Donor

    duplicate = _donor(org_a, "ada@example.org")
    kept = _donor(org_a, "ada.l@example.org")
    v = services.volunteer_create(**who, first_name="Ada", email="ada@example.org")
    v = services.volunteer_link_donor(**who, volunteer=v, donor_id=duplicate.pk)
    with org_context(org_a):
        Donor.objects.filter(pk=duplicate.pk).update(merged_into=kept)
        assert selectors.linked_donor(v).pk == kept.pk
        assert selectors.volunteer_for_donor(kept.pk) == v
        assert selectors.volunteer_for_donor(duplicate.pk) == v
