"""Writes of qualifications: the types an organization asks for (background check, food handler
card, signed waiver...) and each volunteer's qualifications with an optional document.

A document is a private file (never served by URL; the document view checks volunteers.view),
a PDF, JPEG or PNG judged by its content, not by its name or the type the browser sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.core.errors import ServiceError
from ifm.core.files import (
    clean_filename,
    detect_document_type,
    save_in_transaction,
    stored_document_type,
)
from ifm.core.lookups import resolve
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service
from ifm.volunteers.models import Qualification, QualificationType, Volunteer

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_VALID_MONTHS = 600


def stored_type(handle: Any) -> str | None:
    """The type of a stored document judged again from its content; `handle` is rewound."""
    return stored_document_type(handle)


def _clean_filename(name: str) -> str:
    return clean_filename(name, "document")


# --- Qualification types -----------------------------------------------------------------------


def _type_fields(name: Any, description: Any, valid_months: Any) -> dict[str, Any]:
    errors = []
    text = " ".join(str(name or "").split())
    if not text:
        errors.append({"field": "name", "message": "Give the qualification's name."})
    elif len(text) > 100:
        errors.append({"field": "name", "message": "At most 100 characters."})
    about = str(description or "").strip()
    if len(about) > 2000:
        errors.append({"field": "description", "message": "At most 2000 characters."})
    months = valid_months
    if months is not None and (
        not isinstance(months, int)
        or isinstance(months, bool)
        or not 1 <= months <= MAX_VALID_MONTHS
    ):
        errors.append(
            {
                "field": "valid_months",
                "message": f"Give a number of months from 1 to {MAX_VALID_MONTHS}, or none.",
            }
        )
    if errors:
        raise ServiceError(errors[0]["message"], errors=errors)
    return {"name": text, "description": about, "valid_months": months}


def _name_free(name: str, exclude_id: int | None = None) -> None:
    qs = QualificationType.objects.filter(name__iexact=name)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if qs.exists():
        raise ServiceError(f"There is already a qualification named {name}.", field="name")


@org_service("volunteers.manage")
def qualification_type_create(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    name: str,
    description: str = "",
    valid_months: int | None = None,
) -> QualificationType:
    values = _type_fields(name, description, valid_months)
    _name_free(values["name"])
    kind = QualificationType.objects.create(organization=organization, **values)
    audit_record(
        action="volunteer.qualification_type_create",
        actor=actor,
        organization=organization,
        obj=kind,
        changes={k: v for k, v in values.items() if v not in ("", None)},
    )
    return kind


@org_service("volunteers.manage")
def qualification_type_update(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    kind: QualificationType,
    name: str,
    description: str = "",
    valid_months: int | None = None,
    is_archived: bool | None = None,
) -> QualificationType:
    """Rename or change a type; archived, it is no longer offered for new qualifications (those
    held stay, and shifts that require it keep requiring it)."""
    kind = QualificationType.objects.select_for_update().get(pk=kind.pk)
    values = _type_fields(name, description, valid_months)
    _name_free(values["name"], exclude_id=kind.pk)
    if is_archived is not None:
        values["is_archived"] = bool(is_archived)
    changes = {
        k: {"before": getattr(kind, k), "after": v}
        for k, v in values.items()
        if getattr(kind, k) != v
    }
    for k, v in values.items():
        setattr(kind, k, v)
    kind.save(update_fields=list(values))
    audit_record(
        action="volunteer.qualification_type_update",
        actor=actor,
        organization=organization,
        obj=kind,
        changes=changes,
    )
    return kind


# --- A volunteer's qualifications ----------------------------------------------------------------


def _dates(issued_on: Any, expires_on: Any) -> tuple[date, date | None]:
    errors = []
    if not isinstance(issued_on, date):
        errors.append({"field": "issued_on", "message": "Give the date it was issued."})
    elif not EARLIEST_DATE <= issued_on <= LATEST_DATE:
        errors.append({"field": "issued_on", "message": "Give a real date."})
    if expires_on is not None and not isinstance(expires_on, date):
        errors.append({"field": "expires_on", "message": "Give the expiry date as YYYY-MM-DD."})
    elif expires_on is not None and not EARLIEST_DATE <= expires_on <= LATEST_DATE:
        errors.append({"field": "expires_on", "message": "Give a real date."})
    elif isinstance(issued_on, date) and expires_on is not None and expires_on < issued_on:
        errors.append({"field": "expires_on", "message": "It cannot expire before it was issued."})
    if errors:
        raise ServiceError(errors[0]["message"], errors=errors)
    return issued_on, expires_on


def _notes(notes: Any) -> str:
    text = " ".join(str(notes or "").split())
    if len(text) > 500:
        raise ServiceError("At most 500 characters.", field="notes")
    return text


def _attach(qualification: Qualification, document: UploadedFile) -> None:
    name = _clean_filename(document.name or "")
    size = document.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            f"{name} is {size / (1024 * 1024):.1f} MB: a document may be at most 10 MB.",
            field="document",
        )
    if size == 0:
        raise ServiceError(f"{name} is empty.", field="document")
    document.seek(0)
    content_type = detect_document_type(document.read(8))
    if content_type is None:
        raise ServiceError(
            f"{name} is not a PDF, JPEG or PNG file (judged by its content, not its name).",
            field="document",
        )
    document.seek(0)
    save_in_transaction(qualification.document, name, document, field="document")
    qualification.document_name = name
    qualification.document_type = content_type


def _remove_document_on_commit(qualification: Qualification) -> None:
    """Delete a replaced or removed document's file once the change is committed."""
    stored = str(qualification.document.name or "")
    if not stored:
        return
    storage = qualification.document.storage
    transaction.on_commit(lambda: storage.delete(stored))


@org_service("volunteers.manage")
def qualification_add(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    volunteer: Volunteer | int,
    type: QualificationType | int,
    issued_on: date,
    expires_on: date | None = None,
    notes: str = "",
    document: UploadedFile | None = None,
) -> Qualification:
    """A qualification held by the volunteer, current from `issued_on` to `expires_on` (none:
    it does not expire)."""
    holder: Volunteer = resolve(
        Volunteer.objects.all(),
        volunteer,
        "volunteer_id",
        "Choose a volunteer of this organization.",
    )
    kind: QualificationType = resolve(
        QualificationType.objects.all(),
        type,
        "type_id",
        "Choose a qualification of this organization.",
    )
    if kind.is_archived:
        raise ServiceError(f"{kind.name} is archived: choose another.", field="type_id")
    issued, expires = _dates(issued_on, expires_on)
    row = Qualification(
        organization=organization,
        volunteer=holder,
        type=kind,
        issued_on=issued,
        expires_on=expires,
        notes=_notes(notes),
        created_by=actor,
        updated_by=actor,
    )
    if document is not None:
        _attach(row, document)
    row.save()
    audit_record(
        action="volunteer.qualification_add",
        actor=actor,
        organization=organization,
        obj=row,
        changes={
            "volunteer": holder.pk,
            "type": kind.name,
            "issued_on": issued.isoformat(),
            "expires_on": expires.isoformat() if expires else None,
            "document": row.document_name,
        },
    )
    return row


@org_service("volunteers.manage")
def qualification_update(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    qualification: Qualification,
    expected_version: int,
    issued_on: date,
    expires_on: date | None = None,
    notes: str = "",
    document: UploadedFile | None = None,
    remove_document: bool = False,
) -> Qualification:
    """Change the dates and notes; a new document replaces the old one."""
    row = Qualification.objects.select_for_update(of=("self",)).get(pk=qualification.pk)
    issued, expires = _dates(issued_on, expires_on)
    before = {
        "issued_on": row.issued_on.isoformat(),
        "expires_on": row.expires_on.isoformat() if row.expires_on else None,
        "notes": row.notes,
        "document": row.document_name,
    }
    row.issued_on, row.expires_on, row.notes = issued, expires, _notes(notes)
    fields = ["issued_on", "expires_on", "notes"]
    if document is not None or remove_document:
        _remove_document_on_commit(row)
        row.document = ""
        row.document_name = row.document_type = ""
        if document is not None:
            _attach(row, document)
        fields += ["document", "document_name", "document_type"]
    row.save_versioned(expected_version=expected_version, user=actor, fields=fields)
    after = {
        "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat() if expires else None,
        "notes": row.notes,
        "document": row.document_name,
    }
    audit_record(
        action="volunteer.qualification_update",
        actor=actor,
        organization=organization,
        obj=row,
        changes={
            k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]
        },
    )
    return row


@org_service("volunteers.manage")
def qualification_delete(
    *,
    organization: Organization,
    actor: User | None,
    access: Access | None,
    qualification: Qualification,
) -> None:
    row = (
        Qualification.objects.select_for_update(of=("self",))
        .select_related("type")
        .get(pk=qualification.pk)
    )
    _remove_document_on_commit(row)
    audit_record(
        action="volunteer.qualification_delete",
        actor=actor,
        organization=organization,
        obj=row,
        changes={
            "volunteer": row.volunteer_id,
            "type": row.type.name,
            "issued_on": row.issued_on.isoformat(),
            "expires_on": row.expires_on.isoformat() if row.expires_on else None,
        },
    )
    row.delete()
