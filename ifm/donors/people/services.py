"""Writes of donors: create and update (with their contacts, tags and the duplicate check) and
notes. Contacts are in people/contacts.py, households in people/households.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import resolve
from ifm.donors.models import (
    Donor,
    DonorKind,
    DonorNote,
    Household,
    Tag,
)
from ifm.donors.people import selectors
from ifm.donors.people.contacts import (
    CONTACT_KINDS,
    CONTACT_KINDS_BY_PLURAL,
    DONOR_TEXT_FIELDS,
    apply_norms,
    clean_contact_lists,
    sync_primary,
)
from ifm.donors.validation import Checker, clean_bool, clean_long_text, clean_text, reject_unknown
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

DONOR_FLAGS = ("no_email", "no_mail", "no_phone", "anonymous", "is_deceased", "is_active")
DONOR_FIELDS = ("kind", "email", "country", "household", *DONOR_FLAGS, *tuple(DONOR_TEXT_FIELDS))


# --- Donors ------------------------------------------------------------------------------------


def _donor_kind(v: Any) -> str:
    if v not in DonorKind.values:
        raise ServiceError("Choose individual or organization.", field="kind")
    return str(v)


def _donor_email(v: Any) -> str:
    text = str(v or "").strip()
    if text:
        if len(text) > 254:
            raise ServiceError("At most 254 characters.", field="email")
        try:
            validate_email(text)
        except ValidationError:
            raise ServiceError(f"{text[:60]!r} is not an email address.", field="email") from None
    return text


def _donor_country(v: Any) -> str:
    text = str(v or "").strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise ServiceError("Use a two-letter country code, such as US.", field="country")
    return text


def _donor_household(v: Any) -> Household | None:
    if v is None or v == "":
        return None
    return resolve(
        Household.objects.all(), v, "household_id", "Choose a household of this organization."
    )


def _clean_donor(values: dict[str, Any]) -> dict[str, Any]:
    c = Checker(values)
    c.check("kind", _donor_kind)
    c.check("email", _donor_email)
    c.check("country", _donor_country)
    c.check("household", _donor_household, error_field="household_id")
    for field, limit in DONOR_TEXT_FIELDS.items():
        c.check(field, lambda v, f=field, n=limit: clean_text(v, f, n))
    for flag in DONOR_FLAGS:
        c.check(flag, lambda v, f=flag: clean_bool(v, f))
    c.raise_if_errors()
    return c.cleaned


def _check_donor_named(donor: Donor) -> None:
    if donor.kind == DonorKind.ORGANIZATION and not donor.organization_name:
        raise ServiceError("An organization donor needs its name.", field="organization_name")
    if donor.kind == DonorKind.INDIVIDUAL and not (donor.first_name or donor.last_name):
        raise ServiceError("Give the donor's first or last name.", field="last_name")


def _tags(organization: Organization, names: Iterable[str]) -> list[Tag]:
    if isinstance(names, str):
        raise ServiceError("Give the tags as a list of names.", field="tags")
    cleaned: list[str] = []
    for raw in names:
        name = clean_text(raw, "tags", 60)
        if name and name.lower() not in {n.lower() for n in cleaned}:
            cleaned.append(name)
    if len(cleaned) > 50:
        raise ServiceError("At most 50 tags.", field="tags")
    tags = []
    for name in cleaned:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(organization=organization, name=name)
        tags.append(tag)
    return tags


def _duplicate_error(matches: Sequence[Donor]) -> ServiceError:
    listed = ", ".join(f"{d.name} ({d.reference})" for d in matches[:5])
    return ServiceError(
        f"This looks like a donor who already exists: {listed}. "
        "Open the existing donor, or save anyway to create a new one.",
        field="duplicate",
    )


@org_service("donors.edit")
def donor_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    confirm_duplicate: bool = False,
    tags: Iterable[str] = (),
    emails: Iterable[dict[str, Any]] | None = None,
    phones: Iterable[dict[str, Any]] | None = None,
    addresses: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Donor:
    """A new donor. Refuses (field "duplicate") when it matches an existing donor (by any of
    its emails or phones, or name and postal code), unless `confirm_duplicate` is true.

    `emails`, `phones`, `addresses`: every contact of the kind, each a dict (email= / phone= /
    the address fields, label=, is_primary=); the primary (else the first) fills the columns."""
    reject_unknown(fields, DONOR_FIELDS)
    cleaned = _clean_donor(fields)
    lists = clean_contact_lists(
        fields, {"emails": emails, "phones": phones, "addresses": addresses}
    )
    donor = Donor(organization=organization, created_by=actor, updated_by=actor, **cleaned)
    for kind in CONTACT_KINDS.values():
        if kind.plural in lists:
            kind.columns_from_row(donor, kind.primary_item(lists[kind.plural]))
    _check_donor_named(donor)
    apply_norms(donor)
    if not confirm_duplicate:
        matches = selectors.donor_duplicates(
            organization=organization,
            email=donor.email,
            first_name=donor.first_name if donor.kind == DonorKind.INDIVIDUAL else "",
            last_name=donor.last_name if donor.kind == DonorKind.INDIVIDUAL else "",
            organization_name=donor.organization_name
            if donor.kind == DonorKind.ORGANIZATION
            else "",
            postal_code=donor.postal_code,
            phone=donor.phone,
            emails=[e["email"] for e in lists.get("emails", [])],
            phones=[p["phone"] for p in lists.get("phones", [])],
        )
        if matches:
            raise _duplicate_error(matches)
    donor.save()
    for kind in CONTACT_KINDS.values():
        if kind.plural in lists:
            kind.replace(organization, donor, lists[kind.plural])
    sync_primary(organization, donor)
    norm_fields = apply_norms(donor)
    Donor.objects.filter(pk=donor.pk).update(**{f: getattr(donor, f) for f in norm_fields})
    tag_rows = _tags(organization, tags)
    if tag_rows:
        donor.tags.set(tag_rows)
    audit_record(
        action="donor.create",
        actor=actor,
        organization=organization,
        obj=donor,
        changes={
            "name": donor.name,
            "email": donor.email,
            "duplicate_confirmed": bool(confirm_duplicate),
            **{k: [CONTACT_KINDS_BY_PLURAL[k].shown(i) for i in v] for k, v in lists.items()},
        },
    )
    return donor


@org_service("donors.edit")
def donor_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donor: Donor,
    expected_version: int,
    tags: Iterable[str] | None = None,
    emails: Iterable[dict[str, Any]] | None = None,
    phones: Iterable[dict[str, Any]] | None = None,
    addresses: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Donor:
    """Change the given fields (others stay). Duplicates are not re-checked on edit.

    `emails`, `phones`, `addresses` given replace all the donor's contacts of that kind (see
    donor_create); a flat primary field (email=, phone=, address_*) changes the primary one.
    Clearing a primary field while others of its kind remain makes the next one primary."""
    donor = Donor.objects.select_for_update(of=("self",)).get(pk=donor.pk)
    if donor.merged_into_id:
        raise ServiceError(f"{donor.name} was merged into another donor: edit that one.")
    reject_unknown(fields, DONOR_FIELDS)
    cleaned = _clean_donor(fields)
    lists = clean_contact_lists(
        fields, {"emails": emails, "phones": phones, "addresses": addresses}
    )
    changes: dict[str, Any] = {}
    for field, value in cleaned.items():
        before = getattr(donor, field)
        if before != value:
            changes[field] = {"before": str(before or ""), "after": str(value or "")}
        setattr(donor, field, value)
    _check_donor_named(donor)
    column_fields: list[str] = []
    for plural, items in lists.items():
        kind = CONTACT_KINDS_BY_PLURAL[plural]
        before_list = [kind.shown(r) for r in kind.rows_of(donor)]
        column_fields += kind.replace(organization, donor, items)
        after_list = [kind.shown(i) for i in items]
        if before_list != after_list:
            changes[plural] = {"before": before_list, "after": after_list}
    column_fields += sync_primary(organization, donor)
    _check_donor_named(donor)
    norm_fields = apply_norms(donor)
    donor.save_versioned(
        expected_version=expected_version,
        user=actor,
        fields=list(dict.fromkeys([*cleaned, *column_fields, *norm_fields])),
    )
    if tags is not None:
        before_tags = sorted(donor.tags.values_list("name", flat=True))
        donor.tags.set(_tags(organization, tags))
        after_tags = sorted(donor.tags.values_list("name", flat=True))
        if before_tags != after_tags:
            changes["tags"] = {"before": before_tags, "after": after_tags}
    audit_record(
        action="donor.update",
        actor=actor,
        organization=organization,
        obj=donor,
        changes=changes,
    )
    return donor


@org_service("donors.edit")
def donor_note_add(
    *, organization: Organization, actor: User, access: Access | None, donor: Donor | int, body: str
) -> DonorNote:
    row: Donor = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
    text = clean_long_text(body, "body", 5000)
    if not text:
        raise ServiceError("Write the note.", field="body")
    note = DonorNote.objects.create(
        organization=organization, donor=row, body=text, created_by=actor
    )
    audit_record(action="donor.note_add", actor=actor, organization=organization, obj=row)
    return note
