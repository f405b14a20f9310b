"""The support desk for IFM platform staff (mounted at /platform/support/): queues by tier,
filters, and one ticket with its replies and internal notes, assignment, escalation, status
and priority. Across organizations by design; anyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ifm.accounts.http import signed_in_user
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.core.pages import error_text
from ifm.ops.services import require_platform_staff
from ifm.support import selectors, services
from ifm.support.forms import (
    DeskAssignForm,
    DeskEscalateForm,
    DeskFilterForm,
    DeskMessageForm,
    DeskPriorityForm,
    DeskStatusForm,
)
from ifm.support.models import TicketAttachment, TicketRating, Tier
from ifm.support.views import serve_attachment

PER_PAGE = 50


def _staff_only(request: HttpRequest) -> None:
    try:
        require_platform_staff(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = DeskFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        breached = {"yes": True, "no": False}.get(data["breached"])
        filters = {
            "tier": data["tier"],
            "status": data["status"] or None,
            "priority": data["priority"] or None,
            "breached": breached,
        }
    now = timezone.now()
    with all_organizations():
        page = Paginator(selectors.desk_tickets(now=now, **filters), PER_PAGE).get_page(
            request.GET.get("page")
        )
        rows = [(t, selectors.ticket_clocks(t, now=now)) for t in page.object_list]
    counts = selectors.desk_tier_counts()
    tiers = [(t.value, t.label, counts.get(t.value, 0)) for t in Tier]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "support/desk.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "tiers": tiers,
            "tier": filters.get("tier"),
            "query": query.urlencode(),
        },
    )


def _ticket(ticket_id: int) -> Any:
    ticket = selectors.desk_ticket_get(ticket_id)
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def _desk_context(ticket: Any, **forms: Any) -> dict[str, Any]:
    with org_context(ticket.organization_id):
        conversation = selectors.conversation(ticket, with_notes=True)
        opening = list(TicketAttachment.all_orgs.filter(ticket=ticket, message__isnull=True))
        rating = TicketRating.all_orgs.filter(ticket=ticket).first()
    return {
        "ticket": ticket,
        "clocks": selectors.ticket_clocks(ticket),
        "conversation": conversation,
        "opening_attachments": opening,
        "rating": rating,
        "message_form": forms.get("message_form") or DeskMessageForm(),
        "assign_form": DeskAssignForm(initial={"assignee": ticket.assignee_id}),
        "escalate_form": forms.get("escalate_form")
        or DeskEscalateForm(initial={"tier": min(ticket.tier + 1, 3)}),
        "status_form": DeskStatusForm(initial={"status": ticket.status}),
        "priority_form": DeskPriorityForm(initial={"priority": ticket.priority}),
    }


@login_required
@require_GET
def desk_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    return render(request, "support/desk_ticket.html", _desk_context(ticket))


def _back(ticket: Any) -> HttpResponse:
    return redirect(reverse("platform_support:desk_ticket", kwargs={"ticket_id": ticket.pk}))


def _act(request: HttpRequest, ticket: Any, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done)
    return _back(ticket)


@login_required
@require_POST
def desk_message(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    actor = signed_in_user(request)
    form = DeskMessageForm(request.POST)
    if not form.is_valid():
        context = _desk_context(ticket, message_form=form)
        return render(request, "support/desk_ticket.html", context, status=422)
    data = form.cleaned_data
    if data["kind"] == "note":
        return _act(
            request,
            ticket,
            lambda: services.ticket_note(actor=actor, ticket=ticket, body=data["body"]),
            "Note added (not shown to the customer).",
        )
    return _act(
        request,
        ticket,
        lambda: services.ticket_staff_reply(
            actor=actor, ticket=ticket, body=data["body"], status=data["status"] or None
        ),
        "Reply sent to the customer.",
    )


@login_required
@require_POST
def desk_assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = DeskAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a member of the platform staff.")
        return _back(ticket)
    assignee = form.cleaned_data["assignee"]
    return _act(
        request,
        ticket,
        lambda: services.ticket_assign(
            actor=signed_in_user(request), ticket=ticket, assignee=assignee
        ),
        f"Assigned to {assignee}." if assignee else "Unassigned.",
    )


@login_required
@require_POST
def desk_escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = DeskEscalateForm(request.POST)
    if not form.is_valid():
        context = _desk_context(ticket, escalate_form=form)
        return render(request, "support/desk_ticket.html", context, status=422)
    data = form.cleaned_data
    return _act(
        request,
        ticket,
        lambda: services.ticket_escalate(
            actor=signed_in_user(request), ticket=ticket, tier=data["tier"], reason=data["reason"]
        ),
        f"Moved to tier {data['tier']}.",
    )


@login_required
@require_POST
def desk_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = DeskStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return _back(ticket)
    status = form.cleaned_data["status"]
    return _act(
        request,
        ticket,
        lambda: services.ticket_set_status(
            actor=signed_in_user(request), ticket=ticket, status=status
        ),
        "Status changed.",
    )


@login_required
@require_POST
def desk_priority(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = DeskPriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a priority.")
        return _back(ticket)
    priority = form.cleaned_data["priority"]
    return _act(
        request,
        ticket,
        lambda: services.ticket_set_priority(
            actor=signed_in_user(request), ticket=ticket, priority=priority
        ),
        "Priority changed; the SLA clocks start again from now.",
    )


@login_required
@require_GET
def desk_attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    _staff_only(request)
    with all_organizations():
        attachment = TicketAttachment.all_orgs.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such screenshot.")
    return serve_attachment(request, attachment)
