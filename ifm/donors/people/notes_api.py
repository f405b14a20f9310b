"""/api/v1/donors/{donor_id}/notes: a donor's notes, listed, written, changed (with the
version read) and deleted, through the same services as the donor's page."""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import Version
from ifm.donors.models import Donor, DonorNote
from ifm.donors.people import notes, services
from ifm.tenancy.permissions import require_perm

router = Router(tags=["donors"])

DonorId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
NoteId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


class NoteOut(Schema):
    id: int
    donor_id: int
    body: str
    created_at: datetime
    created_by: str = Field(..., description="Who wrote it (empty once their account is gone).")
    created_by_id: int | None
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_created_by(obj: DonorNote) -> str:
        user = obj.created_by
        return (user.full_name or user.email) if user is not None else ""


class NoteIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=notes.MAX_NOTE_CHARS)


class NotePatchIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=notes.MAX_NOTE_CHARS)
    version: Version


def _donor(donor_id: int) -> Donor:
    donor = Donor.objects.filter(pk=donor_id).first()
    if donor is None:
        raise Http404
    return donor


def _note(donor_id: int, note_id: int) -> DonorNote:
    note = notes.donor_note_list(donor=_donor(donor_id)).filter(pk=note_id).first()
    if note is None:
        raise Http404
    return note


@router.get("/donors/{int:donor_id}/notes", response=list[NoteOut], summary="List a donor's notes")
@paginated("-created_at")
def donor_note_list(request: OrgRequest, donor_id: DonorId) -> QuerySet[DonorNote]:
    require_perm(request.access, "donors.view")
    return notes.donor_note_list(donor=_donor(donor_id))


@router.post(
    "/donors/{int:donor_id}/notes", response={201: NoteOut}, summary="Write a note on a donor"
)
@idempotent
def donor_note_create(request: OrgRequest, donor_id: DonorId, payload: NoteIn) -> Any:
    donor = _donor(donor_id)
    note = services.donor_note_add(**service_args(request), donor=donor, body=payload.body)
    return Status(201, _note(donor_id, note.pk))


@router.patch(
    "/donors/{int:donor_id}/notes/{int:donornote_id}",
    response=NoteOut,
    summary="Change a note (its author or an administrator)",
)
def donor_note_update(
    request: OrgRequest, donor_id: DonorId, donornote_id: NoteId, payload: NotePatchIn
) -> Any:
    note = _note(donor_id, donornote_id)
    notes.donor_note_update(
        **service_args(request), note=note, body=payload.body, expected_version=payload.version
    )
    return _note(donor_id, donornote_id)


@router.delete(
    "/donors/{int:donor_id}/notes/{int:donornote_id}",
    response={204: None},
    summary="Delete a note (its author or an administrator)",
)
def donor_note_delete(request: OrgRequest, donor_id: DonorId, donornote_id: NoteId) -> Any:
    note = _note(donor_id, donornote_id)
    notes.donor_note_delete(**service_args(request), note=note)
    return Status(204, None)
