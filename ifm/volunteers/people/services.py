"""Writes of volunteers: create and update (with the duplicate check and the rule for minors),
and the link to the donor record of the same person. Qualifications are in qualifications.py.

Every door (the pages, the API, the import) calls these, so the rules live here once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.api_types import EARLIEST_DATE
from ifm.core.errors import ServiceError
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import Volunteer, VolunteerStatus
from ifm.volunteers.people import normalize, selectors

TEXT_FIELDS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "phone": 40,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "state": 50,
    "postal_code": 20,
    "emergency_contact_name": 200,
    "emergency_contact_phone": 40,
    "guardian_name": 200,
}
LONG_TEXT_FIELDS: dict[str, int] = {
    "skills": 2000,
    "interests": 2000,
    "availability": 2000,
    "notes": 5000,
}
EMAIL_FIELDS = ("email", "guardian_email")
VOLUNTEER_FIELDS = (
    *TEXT_FIELDS,
    *LONG_TEXT_FIELDS,
    *EMAIL_FIELDS,
    "country",
    "date_of_birth",
    "status",
    "email_opt_out",
    "guardian_consent",
)


# --- Field checks --------------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def _long_text(value: Any, field: str, limit: int) -> str:
    text = str(value if value is not None else "").strip()
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def _email(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) > 254:
        raise ServiceError("At most 254 characters.", field=field)
    try:
        validate_email(text)
    except ValidationError:
        raise ServiceError(f"{text[:60]!r} is not an email address.", field=field) from None
    return text


def _country(value: Any) -> str:
    text = str(value or "").strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise ServiceError("Use a two-letter country code, such as US.", field="country")
    return text


def _birth_date(value: Any, today: date) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, date):
        raise ServiceError("Give the date of birth as YYYY-MM-DD.", field="date_of_birth")
    if value > today:
        raise ServiceError("The date of birth cannot be in the future.", field="date_of_birth")
    if value < EARLIEST_DATE:
        raise ServiceError(
            f"The date of birth must be after {EARLIEST_DATE.year - 1}.", field="date_of_birth"
        )
    return value


def _status(value: Any) -> str:
    if value not in VolunteerStatus.values:
        raise ServiceError("Choose applicant, active or inactive.", field="status")
    return str(value)


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("Give true or false.", field=field)
    return value


def _clean(values: dict[str, Any], today: date) -> dict[str, Any]:
    """The given fields cleaned; every field's error is collected before raising."""
    unknown = sorted(set(values) - set(VOLUNTEER_FIELDS))
    if unknown:
        raise ServiceError(
            f"Unknown field: {unknown[0]}.",
            errors=[{"field": f, "message": "Unknown field."} for f in unknown],
        )
    checks: dict[str, Any] = {
        **{f: (lambda v, f=f, n=n: _text(v, f, n)) for f, n in TEXT_FIELDS.items()},
        **{f: (lambda v, f=f, n=n: _long_text(v, f, n)) for f, n in LONG_TEXT_FIELDS.items()},
        **{f: (lambda v, f=f: _email(v, f)) for f in EMAIL_FIELDS},
        "country": _country,
        "date_of_birth": lambda v: _birth_date(v, today),
        "status": _status,
        "email_opt_out": lambda v: _bool(v, "email_opt_out"),
        "guardian_consent": lambda v: _bool(v, "guardian_consent"),
    }
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for field, value in values.items():
        try:
            cleaned[field] = checks[field](value)
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": field, "message": exc.message}])
    if errors:
        raise ServiceError(errors[0]["message"], errors=errors)
    return cleaned


def _apply_consent(volunteer: Volunteer, consent: bool | None) -> None:
    """A consent given keeps its first time; withdrawn, it is cleared."""
    if consent is None:
        return
    if consent and volunteer.guardian_consent_at is None:
        volunteer.guardian_consent_at = timezone.now()
    elif not consent:
        volunteer.guardian_consent_at = None


def _check_whole(volunteer: Volunteer, today: date) -> None:
    """Rules across fields: a name, and for a minor (under 18 today, in the organization's time
    zone) a guardian's name and consent."""
    errors = []
    if not volunteer.first_name:
        errors.append({"field": "first_name", "message": "Give the volunteer's first name."})
    if volunteer.is_minor(today):
        if not volunteer.guardian_name:
            errors.append(
                {
                    "field": "guardian_name",
                    "message": "Under 18: give the name of a parent or guardian.",
                }
            )
        if volunteer.guardian_consent_at is None:
            errors.append(
                {
                    "field": "guardian_consent",
                    "message": "Under 18: a parent's or guardian's consent is needed.",
                }
            )
    if errors:
        raise ServiceError(errors[0]["message"], errors=errors)


def _check_email_free(volunteer: Volunteer) -> None:
    """Two volunteers of an organization never share an email (the database's rule too)."""
    if not volunteer.email_norm:
        return
    other = Volunteer.objects.filter(email__iexact=volunteer.email).exclude(pk=volunteer.pk).first()
    if other is not None:
        raise ServiceError(
            f"{other.name} ({other.reference}) already has this email.", field="email"
        )


def _duplicate_error(matches: list[Volunteer]) -> ServiceError:
    listed = ", ".join(f"{v.name} ({v.reference})" for v in matches[:5])
    return ServiceError(
        f"This looks like a volunteer who already exists: {listed}. "
        "Open the existing volunteer, or save anyway to create a new one.",
        field="duplicate",
    )


def _shown(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, bool | int) or value is None else str(value)


# --- Volunteers ----------------------------------------------------------------------------------


@org_service("volunteers.manage")
def volunteer_create(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    confirm_duplicate: bool = False,
    **fields: Any,
) -> Volunteer:
    """A new volunteer. Refuses (field "duplicate") when one with the same email, phone or full
    name exists, unless `confirm_duplicate` is true; an email already used is always refused."""
    today = selectors.org_today(organization)
    cleaned = _clean(fields, today)
    consent = cleaned.pop("guardian_consent", None)
    volunteer = Volunteer(organization=organization, created_by=actor, updated_by=actor, **cleaned)
    _apply_consent(volunteer, consent)
    _check_whole(volunteer, today)
    normalize.apply_norms(volunteer)
    _check_email_free(volunteer)
    if not confirm_duplicate:
        matches = selectors.volunteer_duplicates(
            email=volunteer.email,
            phone=volunteer.phone,
            first_name=volunteer.first_name,
            last_name=volunteer.last_name,
        )
        if matches:
            raise _duplicate_error(matches)
    volunteer.save()
    audit_record(
        action="volunteer.create",
        actor=actor,
        organization=organization,
        obj=volunteer,
        changes={
            "name": volunteer.name,
            "email": volunteer.email,
            "status": volunteer.status,
            "duplicate_confirmed": bool(confirm_duplicate),
        },
    )
    return volunteer


@org_service("volunteers.manage")
def volunteer_update(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    volunteer: Volunteer,
    expected_version: int,
    **fields: Any,
) -> Volunteer:
    """Change the given fields (the others stay). A stale `expected_version` changes nothing
    (ConflictError, 409)."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).get(pk=volunteer.pk)
    today = selectors.org_today(organization)
    cleaned = _clean(fields, today)
    consent = cleaned.pop("guardian_consent", None)
    changes: dict[str, Any] = {}
    for field, value in cleaned.items():
        before = getattr(volunteer, field)
        if before != value:
            changes[field] = {"before": _shown(before), "after": _shown(value)}
        setattr(volunteer, field, value)
    consent_before = volunteer.guardian_consent_at
    _apply_consent(volunteer, consent)
    if consent_before != volunteer.guardian_consent_at:
        changes["guardian_consent"] = {
            "before": consent_before is not None,
            "after": volunteer.guardian_consent_at is not None,
        }
    _check_whole(volunteer, today)
    norm_fields = normalize.apply_norms(volunteer)
    _check_email_free(volunteer)
    volunteer.save_versioned(
        expected_version=expected_version,
        user=actor,
        fields=[*cleaned, "guardian_consent_at", *norm_fields],
    )
    audit_record(
        action="volunteer.update",
        actor=actor,
        organization=organization,
        obj=volunteer,
        changes=changes,
    )
    return volunteer


# --- The donor of the same person ----------------------------------------------------------------


@org_service("volunteers.manage")
def volunteer_link_donor(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    volunteer: Volunteer,
    donor_id: int,
) -> Volunteer:
    """Record that the volunteer is this donor (the same person). Nothing is merged: both
    records stay as they are and each page shows the other."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).get(pk=volunteer.pk)
    donor = selectors.donor_get(donor_id)
    if donor is None:
        raise ServiceError("Choose a donor of this organization.", field="donor_id")
    other = Volunteer.objects.filter(donor_id=donor.pk).exclude(pk=volunteer.pk).first()
    if other is not None:
        raise ServiceError(
            f"{donor.name} is already linked to {other.name} ({other.reference}).",
            field="donor_id",
        )
    before = volunteer.donor_id
    volunteer.donor_id = donor.pk
    volunteer.save_versioned(expected_version=volunteer.version, user=actor, fields=["donor"])
    audit_record(
        action="volunteer.link_donor",
        actor=actor,
        organization=organization,
        obj=volunteer,
        changes={"donor": {"before": before, "after": donor.pk}},
    )
    return volunteer


@org_service("volunteers.manage")
def volunteer_unlink_donor(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    volunteer: Volunteer,
) -> Volunteer:
    """Forget the link to a donor record (both records stay)."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).get(pk=volunteer.pk)
    before = volunteer.donor_id
    if before is None:
        raise ServiceError(f"{volunteer.name} is not linked to a donor.")
    volunteer.donor_id = None
    volunteer.save_versioned(expected_version=volunteer.version, user=actor, fields=["donor"])
    audit_record(
        action="volunteer.unlink_donor",
        actor=actor,
        organization=organization,
        obj=volunteer,
        changes={"donor": {"before": before, "after": None}},
    )
    return volunteer
