"""The desk's own lists (platform staff; anyone else gets 404): canned replies and the bug
lists of every organization, with a CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ifm.accounts.http import signed_in_user
from ifm.core.errors import ServiceError
from ifm.core.exports import csv_response
from ifm.core.org_context import all_organizations
from ifm.core.pages import error_text
from ifm.support import bugs, canned
from ifm.support.desk_views import PER_PAGE, _staff_only
from ifm.support.forms import BugFilterForm, BugStatusForm, CannedReplyForm, add_service_errors
from ifm.support.models import CannedReply

# --- Canned replies ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def canned_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reply = canned.canned_reply_create(actor=signed_in_user(request), **form.cleaned_data)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Canned reply “{reply.title}” saved.")
            return redirect(reverse("platform_support:canned_list"))
    return render(
        request,
        "support/desk_canned.html",
        {
            "replies": canned.canned_reply_list(),
            "form": form,
            "fields_help": canned.fields_help(),
        },
        status=422 if form.errors else 200,
    )


def _reply(canned_id: int) -> CannedReply:
    reply = canned.canned_reply_get(canned_id)
    if reply is None:
        raise Http404("No such canned reply.")
    return reply


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, canned_id: int) -> HttpResponse:
    _staff_only(request)
    reply = _reply(canned_id)
    initial = {
        "title": reply.title,
        "body": reply.body,
        "category": reply.category,
        "tier": reply.tier or "",
    }
    form = CannedReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            canned.canned_reply_update(
                actor=signed_in_user(request), reply=reply, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Canned reply saved.")
            return redirect(reverse("platform_support:canned_list"))
    return render(
        request,
        "support/desk_canned_edit.html",
        {"reply": reply, "form": form, "fields_help": canned.fields_help()},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def canned_delete(request: HttpRequest, canned_id: int) -> HttpResponse:
    _staff_only(request)
    reply = _reply(canned_id)
    canned.canned_reply_delete(actor=signed_in_user(request), reply=reply)
    messages.success(request, f"Canned reply “{reply.title}” deleted.")
    return redirect(reverse("platform_support:canned_list"))


# --- Bug lists ---------------------------------------------------------------------------------


CSV_HEADER = [
    "organization",
    "bug",
    "title",
    "severity",
    "status",
    "created",
    "fixed",
    "tickets",
]


@login_required
@require_GET
def bug_list(request: HttpRequest) -> HttpResponseBase:
    """Every organization's bugs, filtered; `?format=csv` downloads the filtered list."""
    _staff_only(request)
    form = BugFilterForm(request.GET if request.GET else None, initial={"status": "open"})
    filters: dict[str, Any] = {"status": "open"}
    if form.is_bound:
        filters = (
            {k: v or None for k, v in form.cleaned_data.items()} if form.is_valid() else filters
        )
    if request.GET.get("format") == "csv":

        def rows() -> Any:
            for bug in bugs.bug_list(**filters):
                yield [
                    bug.organization.slug,
                    bug.reference,
                    bug.title,
                    bug.severity,
                    bug.status,
                    bug.created_at,
                    bug.fixed_at,
                    bug.ticket_count,  # type: ignore[attr-defined]  # annotated by bug_list
                ]

        return csv_response(CSV_HEADER, rows, filename="bugs", scope=all_organizations)
    with all_organizations():
        page = Paginator(bugs.bug_list(**filters), PER_PAGE).get_page(request.GET.get("page"))
        list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    return render(
        request,
        "support/desk_bugs.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "csv_query": csv_query.urlencode(),
            "counts": bugs.bug_counts(organization=filters.get("organization")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bug_detail(request: HttpRequest, bug_id: int) -> HttpResponse:
    _staff_only(request)
    bug = bugs.bug_get(bug_id)
    if bug is None:
        raise Http404("No such bug.")
    form = BugStatusForm(
        request.POST or None, initial={"status": bug.status, "severity": bug.severity}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                bugs.bug_update(actor=signed_in_user(request), bug=bug, **form.cleaned_data)
            except (ServiceError, PermissionDenied) as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, "Bug saved.")
            return redirect(reverse("platform_support:bug_detail", kwargs={"bug_id": bug.pk}))
        messages.error(request, "Choose a status and a severity.")
    return render(
        request,
        "support/desk_bug.html",
        {"bug": bug, "tickets": bugs.bug_tickets(bug), "form": form},
    )
