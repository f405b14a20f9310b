"""/api/v1 of the volunteers' shifts area: opportunities, shifts (one-off or weekly), and
staff sign-ups with cancel, check-in and check-out. Thin: the services decide; a refused
sign-up is a 422 problem carrying the rule's message."""

from datetime import date
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Path, Query, Router
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, ApiError, idempotent, paginated
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE, DateText
from ifm.tenancy.permissions import require_perm
from ifm.volunteers.models import Opportunity, Shift, ShiftRole, SignUp, Volunteer
from ifm.volunteers.shifts import selectors, services
from ifm.volunteers.shifts.schemas import (
    CancelledOut,
    CheckedOutOut,
    OpportunityIn,
    OpportunityOut,
    PlacedOut,
    ShiftIn,
    ShiftOut,
    ShiftsMadeOut,
    SignUpIn,
    SignUpOut,
)
from ifm.volunteers.signups import services as signups

router = Router(tags=["volunteers"])

IdPath = Annotated[int, Path(..., ge=1, le=MAX_ID)]
QueryDate = Annotated[date | None, DateText]


def _opportunity_or_404(opportunity_id: int) -> Opportunity:
    found = selectors.opportunity_get(opportunity_id)
    if found is None:
        raise Http404
    return found


def _shift_or_404(shift_id: int) -> Shift:
    found = selectors.shift_get(shift_id)
    if found is None:
        raise Http404
    return found


def _signup_or_404(signup_id: int) -> SignUp:
    found = selectors.signup_get(signup_id)
    if found is None:
        raise Http404
    return found


def _named(model: Any, pk: int | None, field: str, what: str) -> Any:
    """A row the body names: missing or another organization's is a 422 on its field."""
    if pk is None:
        return None
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise ApiError(
            422, f"No such {what}.", errors=[{"field": field, "message": f"No such {what}."}]
        )
    return row


# --- Opportunities -----------------------------------------------------------------------------


@router.get("/opportunities", response=list[OpportunityOut], summary="List opportunities")
@paginated("title")
def opportunity_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Search title, location, text.")] = "",
    program_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    archived: Annotated[
        bool | None, Query(description="true: only archived; false (default): only active.")
    ] = False,
) -> QuerySet[Opportunity]:
    require_perm(request.access, "volunteers.view")
    return selectors.opportunity_list(
        q=q, program_id=program_id, archived=archived
    ).prefetch_related("required_qualifications")


@router.post("/opportunities", response={201: OpportunityOut}, summary="Add an opportunity")
@idempotent
def opportunity_create(request: OrgRequest, payload: OpportunityIn) -> Any:
    made = services.opportunity_create(
        **service_args(request),
        title=payload.title,
        description=payload.description,
        program=payload.program_id,
        location=payload.location,
        coordinator=payload.coordinator_id,
        qualifications=payload.qualification_type_ids,
        minimum_age=payload.minimum_age,
        is_public=payload.is_public,
    )
    return Status(201, _opportunity_or_404(made.pk))


@router.get(
    "/opportunities/{int:opportunity_id}", response=OpportunityOut, summary="Get an opportunity"
)
def opportunity_get(request: OrgRequest, opportunity_id: IdPath) -> Any:
    require_perm(request.access, "volunteers.view")
    return _opportunity_or_404(opportunity_id)


# --- Shifts ------------------------------------------------------------------------------------


@router.get("/shifts", response=list[ShiftOut], summary="List shifts, soonest first")
@paginated("starts_at")
def shift_list(
    request: OrgRequest,
    date_from: Annotated[
        QueryDate,
        Query(
            None,
            alias="from",
            ge=EARLIEST_DATE,
            le=LATEST_DATE,
            description="From this day (organization's calendar); default: shifts not yet over.",
        ),
    ] = None,
    date_to: Annotated[
        QueryDate,
        Query(
            None,
            alias="to",
            ge=EARLIEST_DATE,
            le=LATEST_DATE,
            description="Until this day, included.",
        ),
    ] = None,
    opportunity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    include_cancelled: bool = False,
) -> QuerySet[Shift]:
    require_perm(request.access, "volunteers.view")
    if date_from and date_to and date_to < date_from:
        raise ApiError(
            422, "`to` is before `from`.", errors=[{"field": "to", "message": "Before `from`."}]
        )
    return selectors.shift_list(
        zone=request.org.time_zone,
        date_from=date_from,
        date_to=date_to,
        opportunity_id=opportunity_id,
        include_cancelled=include_cancelled,
    )


@router.post(
    "/shifts",
    response={201: ShiftsMadeOut},
    summary="Add a shift, or a weekly series of shifts",
)
@idempotent
def shift_create(request: OrgRequest, payload: ShiftIn) -> Any:
    require_perm(request.access, "volunteers.manage")
    opportunity = _named(Opportunity, payload.opportunity_id, "opportunity_id", "opportunity")
    common = {
        "opportunity": opportunity,
        "capacity": payload.capacity,
        "notes": payload.notes,
        "roles": [services.RoleSpec(r.name, r.capacity) for r in payload.roles],
    }
    series_id = None
    if payload.weekly is not None:
        made = services.shift_series_create(
            **service_args(request),
            **common,
            weekdays=payload.weekly.weekdays,
            start_time=payload.weekly.start_time,
            end_time=payload.weekly.end_time,
            first_date=payload.weekly.first_date,
            until=payload.weekly.until,
        )
        ids = [s.pk for s in made.shifts]
        series_id = made.series.pk
    elif payload.starts_at is None or payload.ends_at is None:
        raise ApiError(422, "Give starts_at and ends_at, or a weekly pattern.")
    else:
        shift = services.shift_create(
            **service_args(request), **common, starts_at=payload.starts_at, ends_at=payload.ends_at
        )
        ids = [shift.pk]
    shifts = list(
        selectors.with_counts(Shift.objects.filter(pk__in=ids))
        .select_related("opportunity")
        .order_by("starts_at", "id")
    )
    return Status(
        201, {"id": ids[0], "series_id": series_id, "count": len(shifts), "shifts": shifts}
    )


@router.get("/shifts/{int:shift_id}", response=ShiftOut, summary="Get a shift")
def shift_get(request: OrgRequest, shift_id: IdPath) -> Any:
    require_perm(request.access, "volunteers.view")
    return _shift_or_404(shift_id)


# --- Sign-ups ----------------------------------------------------------------------------------


@router.get(
    "/shifts/{int:shift_id}/signups",
    response=list[SignUpOut],
    summary="The sign-ups of a shift, in the order they came",
)
@paginated("signed_up_at")
def shift_signup_list(request: OrgRequest, shift_id: IdPath) -> QuerySet[SignUp]:
    require_perm(request.access, "volunteers.view")
    shift = _shift_or_404(shift_id)
    return SignUp.objects.filter(shift_id=shift.pk)


@router.post(
    "/shifts/{int:shift_id}/signups",
    response={201: PlacedOut},
    summary="Sign a volunteer up: confirmed while places are left, else waitlisted",
)
@idempotent
def shift_signup_create(request: OrgRequest, shift_id: IdPath, payload: SignUpIn) -> Any:
    require_perm(request.access, "volunteers.manage")
    shift = _shift_or_404(shift_id)
    volunteer = _named(Volunteer, payload.volunteer_id, "volunteer_id", "volunteer")
    role = _named(ShiftRole, payload.role_id, "role_id", "role")
    placed = signups.sign_up(
        **service_args(request), shift=shift, volunteer=volunteer, role=role, source="api"
    )
    return Status(
        201, {"id": placed.signup.pk, "status": placed.status, "warnings": placed.warnings}
    )


@router.post(
    "/signups/{int:signup_id}/cancel",
    response=CancelledOut,
    summary="Cancel a sign-up; the first on the waitlist takes the place",
)
def signup_cancel(request: OrgRequest, signup_id: IdPath) -> Any:
    require_perm(request.access, "volunteers.manage")
    signup = _signup_or_404(signup_id)
    promoted = signups.cancel(**service_args(request), signup=signup)
    return {"id": signup.pk, "status": "cancelled", "promoted": [s.pk for s in promoted]}


@router.post("/signups/{int:signup_id}/check-in", response=SignUpOut, summary="Check in")
def signup_check_in(request: OrgRequest, signup_id: IdPath) -> Any:
    require_perm(request.access, "volunteers.manage")
    signup = _signup_or_404(signup_id)
    return signups.check_in(**service_args(request), signup=signup)


@router.post(
    "/signups/{int:signup_id}/check-out",
    response=CheckedOutOut,
    summary="Check out: the hours since check-in are logged, waiting for approval",
)
def signup_check_out(request: OrgRequest, signup_id: IdPath) -> Any:
    require_perm(request.access, "volunteers.manage")
    signup = _signup_or_404(signup_id)
    entry = signups.check_out(**service_args(request), signup=signup)
    done = _signup_or_404(signup.pk)
    return {
        **SignUpOut.from_orm(done).dict(),
        "hours": f"{entry.hours:.2f}" if entry is not None else None,
    }
