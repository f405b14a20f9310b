"""The Help pages of an organization's members: open a ticket, follow it (replies appear
without reloading: the conversation is a fragment htmx fetches every few seconds), answer,
rate. Thin: the services decide."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ifm.accounts.http import OrgRequest, UserRequest, service_args
from ifm.core.downloads import signed_redirect
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text
from ifm.support import selectors, services
from ifm.support.attachments import IMAGE_TYPES, image_type
from ifm.support.forms import RatingForm, ReplyForm, TicketForm, add_service_errors
from ifm.support.models import Source, Status, Ticket, TicketAttachment, TicketRating
from ifm.tenancy.permissions import has_perm

# The 500 page sets this cookie (ifm.core.dbfaults) to the failed request's id, so the Help
# form can name the error without the person copying it.
LAST_ERROR_COOKIE = "ifm_last_error"
POLL_SECONDS = 5


def _ticket_or_404(request: OrgRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(user=request.user, access=request.access, ticket_id=ticket_id)
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def detail_url(request: OrgRequest, ticket: Ticket) -> str:
    return reverse(
        "support:ticket_detail", kwargs={"org_slug": request.org.slug, "ticket_id": ticket.pk}
    )


def _clean_id(value: str) -> str:
    value = (value or "").strip()
    return value if value.isalnum() and len(value) <= 64 else ""


def _same_site_path(value: str) -> str:
    """Only a path of this site is kept as the page the person was on."""
    value = (value or "").strip()
    return value[:500] if value.startswith("/") and not value.startswith("//") else ""


@login_required
@require_GET
def ticket_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    tickets = list(selectors.ticket_list(user=request.user, access=request.access)[:200])
    return render(
        request,
        "support/ticket_list.html",
        {
            "rows": [(t, selectors.ticket_clocks(t)) for t in tickets],
            "sees_all": has_perm(request.access, "support.view_all"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_open(
                    **service_args(request),
                    subject=data["subject"],
                    description=data["description"],
                    priority=data["priority"],
                    category=data["category"],
                    page_url=_same_site_path(data["page_url"]),
                    browser=data["browser"] or request.headers.get("User-Agent", ""),
                    request_id=_clean_id(data["request_id"]),
                    screenshots=[data["screenshot"]] if data["screenshot"] else [],
                    source=Source.WEB,
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(
                    request, f"Ticket {ticket.reference} sent: IFM support will answer here."
                )
                response = redirect(detail_url(request, ticket))
                response.delete_cookie(LAST_ERROR_COOKIE)
                return response
    else:
        form = TicketForm(
            initial={
                "page_url": _same_site_path(request.GET.get("page", "")),
                "request_id": _clean_id(
                    request.GET.get("request_id") or request.COOKIES.get(LAST_ERROR_COOKIE, "")
                ),
                "browser": request.headers.get("User-Agent", "")[:300],
            }
        )
    return render(request, "support/ticket_new.html", {"form": form})


def _detail_context(request: OrgRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    rated = TicketRating.objects.filter(ticket=ticket).exists()
    can_rate = (
        ticket.requester_id == request.user.pk
        and ticket.status in (Status.RESOLVED, Status.CLOSED)
        and not rated
    )
    return {
        "ticket": ticket,
        "clocks": selectors.ticket_clocks(ticket),
        "conversation": selectors.conversation(ticket),
        "opening_attachments": list(
            TicketAttachment.objects.filter(ticket=ticket, message__isnull=True)
        ),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "rating_form": forms.get("rating_form") or RatingForm(),
        "can_rate": can_rate,
        "rated": rated,
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@require_GET
def ticket_detail(request: OrgRequest, org_slug: str, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    return render(request, "support/ticket_detail.html", _detail_context(request, ticket))


@login_required
@require_GET
def ticket_conversation(request: OrgRequest, org_slug: str, ticket_id: int) -> HttpResponse:
    """The replies alone, for the page's polling (htmx swaps it in place)."""
    ticket = _ticket_or_404(request, ticket_id)
    response = render(
        request,
        "support/_conversation.html",
        {"ticket": ticket, "conversation": selectors.conversation(ticket)},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def ticket_reply(request: OrgRequest, org_slug: str, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        shot = form.cleaned_data["screenshot"]
        try:
            services.ticket_reply(
                **service_args(request),
                ticket=ticket,
                body=form.cleaned_data["body"],
                screenshots=[shot] if shot else [],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Reply sent.")
            return redirect(detail_url(request, ticket))
    context = _detail_context(request, ticket, reply_form=form)
    return render(request, "support/ticket_detail.html", context, status=422)


@login_required
@require_POST
def ticket_rate(request: OrgRequest, org_slug: str, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(
                **service_args(request),
                ticket=ticket,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, "Thank you for rating our help.")
            return redirect(detail_url(request, ticket))
    context = _detail_context(request, ticket, rating_form=form)
    return render(request, "support/ticket_detail.html", context, status=422)


def serve_attachment(request: HttpRequest, attachment: TicketAttachment) -> HttpResponseBase:
    """The screenshot, its type judged again from its content; anything else downloads."""
    if signed := signed_redirect(attachment.file, filename=attachment.original_name):
        return signed
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The screenshot's file is missing.") from None
    content_type = image_type(handle)
    response = FileResponse(
        handle,
        as_attachment=content_type not in IMAGE_TYPES.values(),
        filename=attachment.original_name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attachment_download(request: OrgRequest, org_slug: str, attachment_id: int) -> HttpResponseBase:
    attachment = selectors.attachment_get(
        user=request.user, access=request.access, attachment_id=attachment_id
    )
    if attachment is None:
        raise Http404("No such screenshot.")
    return serve_attachment(request, attachment)


@login_required
@require_GET
def start(request: UserRequest) -> HttpResponse:
    """The Help link outside an organization's pages (the error page, the platform pages): on
    to the ticket form of the person's organization, or a choice when they have several."""
    orgs = list(request.user_orgs)
    query = urlencode(
        {
            k: v
            for k, v in {
                "page": _same_site_path(request.GET.get("page", "")),
                "request_id": _clean_id(request.GET.get("request_id", "")),
            }.items()
            if v
        }
    )
    links = [
        (
            o,
            reverse("support:ticket_new", kwargs={"org_slug": o.slug})
            + (f"?{query}" if query else ""),
        )
        for o in orgs
    ]
    if len(links) == 1:
        return redirect(links[0][1])
    return render(
        request, "support/start.html", {"links": links, "support_email": settings.SUPPORT_EMAIL}
    )
