"""A donor's notes: written with `services.donor_note_add`, read here, changed and deleted
here. A note is changed with the version it was read at (a stale one is a 409) and only by
the person who wrote it or someone who may configure the donors (an admin)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.donors.models import Donor, DonorNote
from ifm.donors.validation import clean_long_text
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, has_perm, org_service

MAX_NOTE_CHARS = 5000


def donor_note_list(*, donor: Donor) -> QuerySet[DonorNote]:
    """The donor's notes, with who wrote them (newest first is the model's order)."""
    return DonorNote.objects.filter(donor=donor).select_related("created_by", "updated_by")


def _require_author_or_admin(note: DonorNote, actor: User, access: Access | None) -> None:
    if note.created_by_id != actor.pk and not has_perm(access, "donors.configure"):
        raise PermissionDenied("Only the note's author or an administrator may change it.")


@org_service("donors.edit")
def donor_note_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    note: DonorNote,
    body: str,
    expected_version: int,
) -> DonorNote:
    _require_author_or_admin(note, actor, access)
    text = clean_long_text(body, "body", MAX_NOTE_CHARS)
    if not text:
        raise ServiceError("Write the note.", field="body")
    if text == note.body:
        return note
    before = note.body
    note.body = text
    note.save_versioned(expected_version=expected_version, user=actor, fields=["body"])
    note.refresh_from_db()
    audit_record(
        action="donor.note_update",
        actor=actor,
        organization=organization,
        obj=note.donor,
        changes={"note": note.pk, "body": {"before": before[:200], "after": text[:200]}},
    )
    return note


@org_service("donors.edit")
def donor_note_delete(
    *, organization: Organization, actor: User, access: Access | None, note: DonorNote
) -> None:
    _require_author_or_admin(note, actor, access)
    donor = note.donor
    audit_record(
        action="donor.note_delete",
        actor=actor,
        organization=organization,
        obj=donor,
        changes={"note": note.pk, "body": note.body[:200]},
    )
    note.delete()
