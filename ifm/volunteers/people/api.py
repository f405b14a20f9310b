"""/api/v1/volunteers (list, get, create, change) and /api/v1/qualifications (list, add).

Ids in the path that are not the organization's are a 404; ids in the body are a 422 naming
the field. The services are the pages' ones.
"""

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, idempotent, paginated
from ifm.tenancy.permissions import require_perm
from ifm.volunteers.models import Qualification, Volunteer, VolunteerStatus
from ifm.volunteers.people import qualifications, selectors, services
from ifm.volunteers.people.schemas import (
    QualificationIn,
    QualificationOut,
    VolunteerIn,
    VolunteerListOut,
    VolunteerOut,
    VolunteerPatchIn,
)

router = Router(tags=["volunteers"])

VolunteerId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
MAX_DAYS = 3660


def _view(request: OrgRequest) -> None:
    require_perm(request.access, "volunteers.view")


def _volunteer(volunteer_id: int) -> Volunteer:
    row = Volunteer.objects.select_related("organization").filter(pk=volunteer_id).first()
    if row is None:
        raise Http404
    return row


@router.get("/volunteers", response=list[VolunteerListOut], summary="List or search volunteers")
@paginated("last_name", "first_name")
def volunteer_list(
    request: OrgRequest,
    q: Annotated[
        str, Query(max_length=200, description="Words matched in name, email, phone.")
    ] = "",
    status: Annotated[VolunteerStatus | None, Query(description="Only this status.")] = None,
) -> QuerySet[Volunteer]:
    _view(request)
    return selectors.volunteer_filter(q, status=status or "")


@router.get("/volunteers/{int:volunteer_id}", response=VolunteerOut, summary="Get a volunteer")
def volunteer_get(request: OrgRequest, volunteer_id: VolunteerId) -> Any:
    _view(request)
    return _volunteer(volunteer_id)


@router.post("/volunteers", response={201: VolunteerOut}, summary="Create a volunteer")
@idempotent
def volunteer_create(request: OrgRequest, payload: VolunteerIn) -> Any:
    data = payload.dict(exclude_none=True)
    confirm = data.pop("confirm_duplicate", False)
    row = services.volunteer_create(**service_args(request), confirm_duplicate=confirm, **data)
    return HttpStatus(201, _volunteer(row.pk))


@router.patch(
    "/volunteers/{int:volunteer_id}",
    response=VolunteerOut,
    summary="Change a volunteer (send the version you read: a stale one is a 409)",
)
def volunteer_update(
    request: OrgRequest, volunteer_id: VolunteerId, payload: VolunteerPatchIn
) -> Any:
    row = _volunteer(volunteer_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    # null clears the date of birth; on other fields it means "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "date_of_birth"}
    services.volunteer_update(
        **service_args(request), volunteer=row, expected_version=version, **changes
    )
    return _volunteer(volunteer_id)


@router.get(
    "/qualifications", response=list[QualificationOut], summary="List volunteers' qualifications"
)
@paginated()
def qualification_list(
    request: OrgRequest,
    volunteer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    expiring_within_days: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_DAYS,
            description="Only those expiring from today to this many days ahead "
            "(today in the organization's time zone).",
        ),
    ] = None,
) -> QuerySet[Qualification]:
    _view(request)
    return selectors.qualification_list(
        volunteer_id=volunteer_id,
        expiring_within_days=expiring_within_days,
        today=selectors.org_today(request.org),
    )


@router.post(
    "/qualifications",
    response={201: QualificationOut},
    summary="Add a qualification to a volunteer",
)
@idempotent
def qualification_create(request: OrgRequest, payload: QualificationIn) -> Any:
    row = qualifications.qualification_add(
        **service_args(request),
        volunteer=payload.volunteer_id,
        type=payload.type_id,
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        notes=payload.notes,
    )
    out = Qualification.objects.select_related("type", "volunteer").get(pk=row.pk)
    return HttpStatus(201, out)
