"""/api/v1/hours: list and log hours, change them while they wait, approve or reject them."""

from datetime import date
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, idempotent, paginated
from ifm.core.api_types import DateText
from ifm.core.pages import get_or_404
from ifm.tenancy.permissions import require_perm
from ifm.volunteers.hours import selectors, services
from ifm.volunteers.hours.schemas import (
    HoursApproveManyIn,
    HoursIn,
    HoursOut,
    HoursPatchIn,
    HoursRejectIn,
)
from ifm.volunteers.models import HoursEntry, HoursSource, HoursStatus

router = Router(tags=["volunteers"])

HoursId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _entry(request: OrgRequest, hours_id: int) -> HoursEntry:
    require_perm(request.access, "volunteers.view")
    return get_or_404(HoursEntry.objects.select_related("volunteer"), hours_id, "hours entry")


def _out(pk: int) -> HoursEntry:
    return HoursEntry.objects.select_related("volunteer").get(pk=pk)


@router.get("/hours", response=list[HoursOut], summary="List hours, newest first")
@paginated("-date")
def hours_list(
    request: OrgRequest,
    status: HoursStatus | None = None,
    source: HoursSource | None = None,
    volunteer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    opportunity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: Annotated[date | None, DateText] = None,
    date_to: Annotated[date | None, DateText] = None,
    q: Annotated[str, Query(max_length=200, description="Search volunteer and description")] = "",
) -> QuerySet[HoursEntry]:
    """The same filters as the hours page and its export."""
    require_perm(request.access, "volunteers.view")
    return selectors.hours_list(
        status=status.value if status else "",
        source=source.value if source else "",
        volunteer_id=volunteer_id,
        opportunity_id=opportunity_id,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )


@router.post("/hours", response={201: HoursOut}, summary="Log hours (they wait for approval)")
@idempotent
def hours_create(request: OrgRequest, payload: HoursIn) -> Any:
    entry = services.hours_log(
        **service_args(request),
        volunteer=payload.volunteer_id,
        date=payload.date,
        hours=payload.hours,
        description=payload.description,
        opportunity=payload.opportunity_id,
        shift=payload.shift_id,
        source=HoursSource.COORDINATOR,
    )
    return HttpStatus(201, _out(entry.pk))


@router.get("/hours/{int:hours_id}", response=HoursOut, summary="Get an hours entry")
def hours_get(request: OrgRequest, hours_id: HoursId) -> Any:
    return _entry(request, hours_id)


@router.patch(
    "/hours/{int:hours_id}", response=HoursOut, summary="Correct hours waiting for approval"
)
def hours_update(request: OrgRequest, hours_id: HoursId, payload: HoursPatchIn) -> Any:
    entry = _entry(request, hours_id)
    changes = payload.dict(exclude_unset=True)
    services.hours_update(
        **service_args(request),
        entry=entry,
        expected_version=changes["version"],
        date=changes.get("date"),
        hours=changes.get("hours"),
        description=changes.get("description"),
        opportunity=changes.get("opportunity_id"),
        clear_opportunity="opportunity_id" in changes and changes["opportunity_id"] is None,
    )
    return _out(entry.pk)


@router.post("/hours/{int:hours_id}/approve", response=HoursOut, summary="Approve hours")
def hours_approve(request: OrgRequest, hours_id: HoursId) -> Any:
    entry = services.hours_approve(**service_args(request), entry=_entry(request, hours_id))
    return _out(entry.pk)


@router.post(
    "/hours/{int:hours_id}/reject", response=HoursOut, summary="Reject hours with a reason"
)
def hours_reject(request: OrgRequest, hours_id: HoursId, payload: HoursRejectIn) -> Any:
    entry = services.hours_reject(
        **service_args(request), entry=_entry(request, hours_id), reason=payload.reason
    )
    return _out(entry.pk)


@router.post(
    "/hours/approve", response=list[HoursOut], summary="Approve several entries, all or nothing"
)
def hours_approve_many(request: OrgRequest, payload: HoursApproveManyIn) -> Any:
    done = services.hours_approve_many(**service_args(request), entry_ids=payload.ids)
    return list(
        HoursEntry.objects.select_related("volunteer")
        .filter(pk__in=[e.pk for e in done])
        .order_by("pk")
    )
