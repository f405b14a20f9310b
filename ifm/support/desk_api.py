"""/api/v1/platform/support/...: the desk's tools for IFM platform staff (anyone else: 403),
the twins of the desk's pages through the same services: canned replies, merging a duplicate,
the bug lists and access asked from a ticket.

Ids are global on the desk (it works across organizations), but a bug named from a ticket
must be of the ticket's organization and a grant must have been asked from that ticket:
anything else is a 404, like a missing one.
"""

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.core.api import MAX_ID, paginated
from ifm.core.errors import ServiceError
from ifm.ops.services import require_platform_staff
from ifm.support import access, bugs, canned, merge, selectors
from ifm.support.api import across_organizations
from ifm.support.models import Bug, BugStatus, CannedReply, Severity, Ticket, TicketAccessGrant
from ifm.support.schemas import (
    AccessGrantIn,
    AccessGrantOut,
    BugCountsOut,
    BugIn,
    BugOut,
    BugPatchIn,
    CannedReplyIn,
    CannedReplyOut,
    FilledReplyOut,
    PlatformTicketOut,
    TicketMergeIn,
)
from ifm.tenancy.models import Organization

router = Router(tags=["platform"])

Id = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _staff(request: HttpRequest) -> Any:
    require_platform_staff(request.user)
    return request.user


def _ticket(ticket_id: int) -> Ticket:
    ticket = selectors.desk_ticket_get(ticket_id)
    if ticket is None:
        raise Http404
    return ticket


def _canned(canned_id: int) -> CannedReply:
    reply = canned.canned_reply_get(canned_id)
    if reply is None:
        raise Http404
    return reply


def _bug_of(ticket: Ticket, bug_id: int) -> Bug:
    bug = bugs.bug_for_ticket(ticket, bug_id)
    if bug is None:
        raise Http404
    return bug


def _organization(slug: str | None) -> Organization | None:
    if not slug:
        return None
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise Http404
    return org


# --- Canned replies ------------------------------------------------------------------------------


@router.get(
    "/platform/support/canned-replies",
    response=list[CannedReplyOut],
    summary="Canned replies (IFM platform staff)",
)
@paginated("title")
def canned_list(request: HttpRequest) -> QuerySet[CannedReply]:
    _staff(request)
    return canned.canned_reply_list()


@router.post(
    "/platform/support/canned-replies",
    response={201: CannedReplyOut},
    summary="Save a canned reply (IFM platform staff)",
)
def canned_create(request: HttpRequest, payload: CannedReplyIn) -> Any:
    reply = canned.canned_reply_create(actor=_staff(request), **payload.dict())
    return HttpStatus(201, reply)


@router.put(
    "/platform/support/canned-replies/{int:canned_id}",
    response=CannedReplyOut,
    summary="Change a canned reply (IFM platform staff)",
)
def canned_update(request: HttpRequest, canned_id: Id, payload: CannedReplyIn) -> Any:
    actor = _staff(request)
    return canned.canned_reply_update(actor=actor, reply=_canned(canned_id), **payload.dict())


@router.delete(
    "/platform/support/canned-replies/{int:canned_id}",
    response={204: None},
    summary="Delete a canned reply (IFM platform staff)",
)
def canned_delete(request: HttpRequest, canned_id: Id) -> Any:
    actor = _staff(request)
    canned.canned_reply_delete(actor=actor, reply=_canned(canned_id))
    return HttpStatus(204, None)


@router.get(
    "/platform/support/tickets/{int:ticket_id}/canned-replies/{int:canned_id}",
    response=FilledReplyOut,
    summary="A canned reply filled in for a ticket, to send as a reply (IFM platform staff)",
)
def canned_fill(request: HttpRequest, ticket_id: Id, canned_id: Id) -> Any:
    actor = _staff(request)
    ticket, reply = _ticket(ticket_id), _canned(canned_id)
    return {"title": reply.title, "body": canned.render(reply.body, ticket=ticket, actor=actor)}


# --- Merge ---------------------------------------------------------------------------------------


@router.post(
    "/platform/support/tickets/{int:ticket_id}/merge",
    response=PlatformTicketOut,
    summary="Merge a duplicate ticket of the same organization into this one (IFM platform "
    "staff); again is a no-op",
)
def ticket_merge(request: HttpRequest, ticket_id: Id, payload: TicketMergeIn) -> Any:
    actor = _staff(request)
    ticket = _ticket(ticket_id)
    duplicate = selectors.desk_ticket_get(payload.duplicate_id)
    if duplicate is None:
        raise ServiceError("There is no such ticket.", field="duplicate_id")
    merge.ticket_merge(actor=actor, ticket=ticket, duplicate=duplicate)
    return _ticket(ticket_id)


# --- Bugs ----------------------------------------------------------------------------------------


@router.get(
    "/platform/support/bugs",
    response=list[BugOut],
    summary="Every organization's bugs, newest first (IFM platform staff)",
)
@across_organizations
@paginated("-created_at")
def bug_list(
    request: HttpRequest,
    organization: Annotated[str | None, Query(max_length=100)] = None,
    severity: Annotated[Severity | None, Query()] = None,
    status: Annotated[BugStatus | None, Query()] = None,
) -> QuerySet[Bug]:
    _staff(request)
    return bugs.bug_list(organization=_organization(organization), severity=severity, status=status)


@router.get(
    "/platform/support/bug-counts",
    response=BugCountsOut,
    summary="Open bugs by severity, of one organization or all (IFM platform staff)",
)
def bug_counts(
    request: HttpRequest, organization: Annotated[str | None, Query(max_length=100)] = None
) -> Any:
    _staff(request)
    return bugs.bug_counts(organization=_organization(organization))


def _bug(bug_id: int) -> Bug:
    bug = bugs.bug_get(bug_id)
    if bug is None:
        raise Http404
    return bug


@router.get(
    "/platform/support/bugs/{int:bug_id}",
    response=BugOut,
    summary="A bug with its tickets (IFM platform staff)",
)
def bug_get(request: HttpRequest, bug_id: Id) -> Any:
    _staff(request)
    return _bug(bug_id)


@router.patch(
    "/platform/support/bugs/{int:bug_id}",
    response=BugOut,
    summary="Change a bug's status (open, fixed, wontfix) or severity (IFM platform staff)",
)
def bug_update(request: HttpRequest, bug_id: Id, payload: BugPatchIn) -> Any:
    actor = _staff(request)
    bugs.bug_update(actor=actor, bug=_bug(bug_id), **payload.dict(exclude_none=True))
    return _bug(bug_id)


@router.post(
    "/platform/support/tickets/{int:ticket_id}/bugs",
    response={201: BugOut},
    summary="Add a bug to the ticket's organization's list, linked to the ticket (IFM "
    "platform staff)",
)
def bug_create(request: HttpRequest, ticket_id: Id, payload: BugIn) -> Any:
    actor = _staff(request)
    bug = bugs.bug_create(actor=actor, ticket=_ticket(ticket_id), **payload.dict())
    return HttpStatus(201, _bug(bug.pk))


@router.put(
    "/platform/support/tickets/{int:ticket_id}/bugs/{int:bug_id}",
    response=BugOut,
    summary="Link the ticket to a bug of its organization (IFM platform staff)",
)
def bug_link(request: HttpRequest, ticket_id: Id, bug_id: Id) -> Any:
    actor = _staff(request)
    ticket = _ticket(ticket_id)
    bugs.bug_link(actor=actor, ticket=ticket, bug=_bug_of(ticket, bug_id))
    return _bug(bug_id)


@router.delete(
    "/platform/support/tickets/{int:ticket_id}/bugs/{int:bug_id}",
    response={204: None},
    summary="Unlink the ticket from a bug (IFM platform staff)",
)
def bug_unlink(request: HttpRequest, ticket_id: Id, bug_id: Id) -> Any:
    actor = _staff(request)
    ticket = _ticket(ticket_id)
    bugs.bug_unlink(actor=actor, ticket=ticket, bug=_bug_of(ticket, bug_id))
    return HttpStatus(204, None)


# --- Access from a ticket ------------------------------------------------------------------------


@router.get(
    "/platform/support/tickets/{int:ticket_id}/access-grants",
    response=list[AccessGrantOut],
    summary="The access grants asked from a ticket (IFM platform staff)",
)
def access_list(request: HttpRequest, ticket_id: Id) -> Any:
    _staff(request)
    return access.ticket_access_list(_ticket(ticket_id))


@router.post(
    "/platform/support/tickets/{int:ticket_id}/access-grants",
    response={201: AccessGrantOut},
    summary="Ask for time-limited access to the ticket's organization (IFM platform staff; "
    "audited in the organization's log)",
)
def access_request(request: HttpRequest, ticket_id: Id, payload: AccessGrantIn) -> Any:
    actor = _staff(request)
    ticket = _ticket(ticket_id)
    data = payload.dict()
    if not data.get("reason"):
        data["reason"] = access.default_reason(ticket)
    link = access.ticket_access_request(actor=actor, ticket=ticket, **data)
    return HttpStatus(201, link)


def _link(ticket: Ticket, grant_id: int) -> TicketAccessGrant:
    link = access.ticket_access_get(ticket, grant_id)
    if link is None:
        raise Http404
    return link


@router.post(
    "/platform/support/tickets/{int:ticket_id}/access-grants/{int:grant_id}/revoke",
    response=AccessGrantOut,
    summary="End an access grant asked from the ticket now (IFM platform staff)",
)
def access_revoke(request: HttpRequest, ticket_id: Id, grant_id: Id) -> Any:
    actor = _staff(request)
    ticket = _ticket(ticket_id)
    access.ticket_access_revoke(actor=actor, link=_link(ticket, grant_id))
    return _link(ticket, grant_id)
