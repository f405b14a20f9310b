"""/api/v1/support/tickets (the organization's members) and /api/v1/platform/support/...
(IFM platform staff, across organizations): the Help pages' and the desk's twins, through the
same services and selectors.

A member sees their own tickets, an organization's admin all of its tickets; another
organization's ticket is a 404, like a missing one. Screenshots are added from the pages or by
email; the API takes JSON only.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, ApiError, idempotent, paginated
from ifm.core.org_context import all_organizations
from ifm.ops.services import require_platform_staff
from ifm.support import selectors, services
from ifm.support.models import MessageKind, Priority, Source, Status, Ticket, TicketRating
from ifm.support.schemas import (
    MetricsOut,
    PlatformTicketOut,
    RatingIn,
    RatingOut,
    ReplyIn,
    TicketIn,
    TicketListOut,
    TicketOut,
)
from ifm.support.sla import ClockState

router = Router(tags=["support"])
platform_router = Router(tags=["platform"])

TicketId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
MAX_METRIC_DAYS = 366


def _ticket(request: OrgRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(user=request.user, access=request.access, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return ticket


def _clock(clock: ClockState) -> dict[str, Any]:
    return {
        "due": clock.due,
        "state": clock.state,
        "seconds_left": int(clock.left.total_seconds()),
        "label": clock.label,
    }


def _ticket_out(ticket: Ticket) -> dict[str, Any]:
    clocks = selectors.ticket_clocks(ticket)
    rating = TicketRating.all_orgs.filter(ticket=ticket).first()
    out = {f: getattr(ticket, f) for f in TicketOut.model_fields if hasattr(ticket, f)}
    out.update(
        first_response=_clock(clocks.first_response),
        resolution=_clock(clocks.resolution),
        replies=[
            {
                "id": m.pk,
                "from_staff": m.from_staff,
                "author": "IFM support"
                if m.from_staff
                else str(m.author or ticket.requester_email),
                "body": m.body,
                "created_at": m.created_at,
            }
            for m in selectors.conversation(ticket)
            if m.kind == MessageKind.REPLY
        ],
        rating=rating,
    )
    return out


@router.get(
    "/support/tickets",
    response=list[TicketListOut],
    summary="List support tickets (one's own; all of the organization's for its admins)",
)
@paginated("-created_at")
def ticket_list(
    request: OrgRequest,
    status: Annotated[Status | None, Query(description="Only this status.")] = None,
) -> QuerySet[Ticket]:
    tickets = selectors.ticket_list(user=request.user, access=request.access)
    return tickets.filter(status=status) if status else tickets


@router.post("/support/tickets", response={201: TicketOut}, summary="Open a support ticket")
@idempotent
def ticket_open(request: OrgRequest, payload: TicketIn) -> Any:
    data = payload.dict()
    ticket = services.ticket_open(
        **service_args(request),
        **data,
        source=Source.API,
    )
    return HttpStatus(201, _ticket_out(_ticket(request, ticket.pk)))


@router.get(
    "/support/tickets/{int:ticket_id}",
    response=TicketOut,
    summary="Get a support ticket with its replies and SLA clocks",
)
def ticket_get(request: OrgRequest, ticket_id: TicketId) -> Any:
    return _ticket_out(_ticket(request, ticket_id))


@router.post(
    "/support/tickets/{int:ticket_id}/replies",
    response={201: TicketOut},
    summary="Reply on a support ticket (a resolved one opens again; a closed one is a 409)",
)
def ticket_reply(request: OrgRequest, ticket_id: TicketId, payload: ReplyIn) -> Any:
    ticket = _ticket(request, ticket_id)
    services.ticket_reply(**service_args(request), ticket=ticket, body=payload.body)
    return HttpStatus(201, _ticket_out(_ticket(request, ticket_id)))


@router.post(
    "/support/tickets/{int:ticket_id}/rating",
    response={201: RatingOut},
    summary="Rate a resolved ticket from 1 to 5 (the person who asked, once)",
)
def ticket_rate(request: OrgRequest, ticket_id: TicketId, payload: RatingIn) -> Any:
    ticket = _ticket(request, ticket_id)
    rating = services.ticket_rate(
        **service_args(request), ticket=ticket, score=payload.score, comment=payload.comment
    )
    return HttpStatus(201, rating)


# --- Platform staff ------------------------------------------------------------------------


def across_organizations(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a platform list (pagination included) with the organization walls lifted. Goes
    above `@paginated`, whose page is built after the function returns; ninja names its
    operation on this outer function, so it is handed on to the page renderer inside."""

    @wraps(view)
    def run(request: HttpRequest, **kwargs: Any) -> Any:
        require_platform_staff(request.user)
        operation = getattr(run, "_ninja_operation", None)
        if operation is not None:
            view._ninja_operation = operation  # type: ignore[attr-defined]  # noqa: SLF001
        with all_organizations():
            return view(request, **kwargs)

    return run


@platform_router.get(
    "/platform/support/tickets",
    response=list[PlatformTicketOut],
    summary="Every organization's support tickets, open ones unless a status is named "
    "(IFM platform staff)",
)
@across_organizations
@paginated("first_response_due_at")
def platform_ticket_list(
    request: OrgRequest,
    status: Annotated[Status | None, Query(description="Only this status.")] = None,
    priority: Annotated[Priority | None, Query(description="Only this priority.")] = None,
    breached: Annotated[
        bool | None, Query(description="Only tickets past (true) or within (false) their SLA.")
    ] = None,
    tier: Annotated[int | None, Query(ge=1, le=3)] = None,
) -> QuerySet[Ticket]:
    return selectors.desk_tickets(status=status, priority=priority, breached=breached, tier=tier)


@platform_router.get(
    "/platform/support/metrics",
    response=MetricsOut,
    summary="Support metrics of a period: tickets per day, first-response p50/p95 per priority, "
    "breaches, satisfaction (IFM platform staff)",
)
def platform_metrics(
    request: OrgRequest,
    start: Annotated[
        date | None, Query(alias="from", description="First day (default: 29 days ago).")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: today).")] = None,
) -> Any:
    require_platform_staff(request.user)
    end = end or timezone.localdate()
    start = start or end - timedelta(days=29)
    if end < start:
        raise ApiError(
            422, "`from` is after `to`.", errors=[{"field": "from", "message": "After `to`."}]
        )
    if (end - start).days + 1 > MAX_METRIC_DAYS:
        raise ApiError(
            422,
            f"A period may be at most {MAX_METRIC_DAYS} days.",
            errors=[{"field": "from", "message": f"At most {MAX_METRIC_DAYS} days before `to`."}],
        )
    return selectors.support_metrics(start=start, end=end)
