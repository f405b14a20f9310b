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
from ifm.support import access, bugs, canned, merge, selectors, services
from ifm.support.forms import (
    AccessRequestForm,
    BugCreateForm,
    BugLinkForm,
    CannedPickForm,
    DeskAssignForm,
    DeskEscalateForm,
    DeskFilterForm,
    DeskMessageForm,
    DeskPriorityForm,
    DeskStatusForm,
    MergeForm,
)
from ifm.support.models import Severity, Ticket, TicketAttachment, TicketMessage, TicketRating, Tier
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


_SEVERITY_OF_PRIORITY = {p: p for p in Severity.values}


def _desk_context(ticket: Any, **forms: Any) -> dict[str, Any]:
    with org_context(ticket.organization_id):
        merged_ids = merge.merged_ids(ticket)
        conversation = list(
            TicketMessage.all_orgs.filter(ticket_id__in=[ticket.pk, *merged_ids])
            .select_related("author", "ticket")
            .prefetch_related("attachments")
        )
        opening = list(TicketAttachment.all_orgs.filter(ticket=ticket, message__isnull=True))
        merged = [
            (t, list(TicketAttachment.all_orgs.filter(ticket=t, message__isnull=True)))
            for t in Ticket.all_orgs.filter(pk__in=merged_ids).order_by("number")
        ]
        rating = TicketRating.all_orgs.filter(ticket=ticket).first()
    replies = list(canned.canned_reply_list(ticket=ticket))
    return {
        "ticket": ticket,
        "merged": merged,
        "canned_form": CannedPickForm(replies=replies),
        "has_canned": bool(replies),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "bugs": bugs.ticket_bugs(ticket),
        "bug_form": forms.get("bug_form")
        or BugCreateForm(
            initial={"title": ticket.subject, "severity": _SEVERITY_OF_PRIORITY[ticket.priority]}
        ),
        "bug_link_form": BugLinkForm(bugs=bugs.open_bugs_of(ticket)),
        "grants": access.ticket_access_list(ticket),
        "access_form": forms.get("access_form")
        or AccessRequestForm(initial={"reason": access.default_reason(ticket)}),
        "now": timezone.now(),
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
    """The ticket; `?canned=<id>` fills the reply box with that canned reply (the picker asks
    for the page again, by htmx or by its button)."""
    _staff_only(request)
    ticket = _ticket(ticket_id)
    forms: dict[str, Any] = {}
    pick = CannedPickForm(request.GET, replies=canned.canned_reply_list(ticket=ticket))
    if request.GET.get("canned") and pick.is_valid() and pick.cleaned_data["canned"]:
        reply = canned.canned_reply_get(pick.cleaned_data["canned"])
        if reply is not None:
            text = canned.render(reply.body, ticket=ticket, actor=request.user)
            forms["message_form"] = DeskMessageForm(initial={"kind": "reply", "body": text})
    context = _desk_context(ticket, **forms)
    if forms:
        context["canned_form"] = pick
    return render(request, "support/desk_ticket.html", context)


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


# --- Merge, bugs and access from the ticket ------------------------------------------------


@login_required
@require_POST
def desk_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Merge a duplicate (named by its number in the same organization) into this ticket."""
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        context = _desk_context(ticket, merge_form=form)
        return render(request, "support/desk_ticket.html", context, status=422)
    number = form.cleaned_data["duplicate"]
    with org_context(ticket.organization_id):
        duplicate = Ticket.objects.select_related("organization").filter(number=number).first()
    if duplicate is None:
        messages.error(request, f"{ticket.organization.name} has no ticket #{number}.")
        return _back(ticket)
    return _act(
        request,
        ticket,
        lambda: merge.ticket_merge(
            actor=signed_in_user(request), ticket=ticket, duplicate=duplicate
        ),
        f"#{number} merged into {ticket.reference} and closed.",
    )


@login_required
@require_POST
def desk_bug_create(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = BugCreateForm(request.POST)
    if not form.is_valid():
        context = _desk_context(ticket, bug_form=form)
        return render(request, "support/desk_ticket.html", context, status=422)
    data = form.cleaned_data
    return _act(
        request,
        ticket,
        lambda: bugs.bug_create(actor=signed_in_user(request), ticket=ticket, **data),
        f"Bug added to {ticket.organization.name}'s list and linked.",
    )


@login_required
@require_POST
def desk_bug_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    raw = request.POST.get("bug", "")
    bug = bugs.bug_for_ticket(ticket, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if bug is None:
        raise Http404("No such bug in this organization.")
    return _act(
        request,
        ticket,
        lambda: bugs.bug_link(actor=signed_in_user(request), ticket=ticket, bug=bug),
        f"Linked to bug {bug.reference}.",
    )


@login_required
@require_POST
def desk_bug_unlink(request: HttpRequest, ticket_id: int, bug_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    bug = bugs.bug_for_ticket(ticket, bug_id)
    if bug is None:
        raise Http404("No such bug in this organization.")
    return _act(
        request,
        ticket,
        lambda: bugs.bug_unlink(actor=signed_in_user(request), ticket=ticket, bug=bug),
        f"Unlinked from bug {bug.reference}.",
    )


@login_required
@require_POST
def desk_access_request(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        context = _desk_context(ticket, access_form=form)
        return render(request, "support/desk_ticket.html", context, status=422)
    data = form.cleaned_data
    return _act(
        request,
        ticket,
        lambda: access.ticket_access_request(actor=signed_in_user(request), ticket=ticket, **data),
        f"You have access to {ticket.organization.name} for {data['hours']} hour(s).",
    )


@login_required
@require_POST
def desk_access_revoke(request: HttpRequest, ticket_id: int, grant_id: int) -> HttpResponse:
    _staff_only(request)
    ticket = _ticket(ticket_id)
    link = access.ticket_access_get(ticket, grant_id)
    if link is None:
        raise Http404("No such access grant on this ticket.")
    return _act(
        request,
        ticket,
        lambda: access.ticket_access_revoke(actor=signed_in_user(request), link=link),
        "Access revoked.",
    )
