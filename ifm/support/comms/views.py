"""The communications pages for IFM platform staff (mounted at /platform/communications/):
sends and their progress, the templates with a preview, a new send, and the announcements.
Anyone else gets 404, as on the other platform pages."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ifm.accounts.http import signed_in_user
from ifm.core.errors import ServiceError
from ifm.core.exports import neutralize as safe_cell
from ifm.core.org_context import all_organizations
from ifm.core.pages import error_text
from ifm.ops.services import require_platform_staff
from ifm.support.comms import registry, rendering, selectors, services
from ifm.support.comms.forms import AnnouncementForm, PreviewForm, SendForm, TemplateForm
from ifm.support.comms.merge import MergeError
from ifm.support.comms.models import Announcement, MessageTemplate, Send
from ifm.tenancy.models import Membership

PER_PAGE = 50
POLL_SECONDS = 2


def _staff_only(request: HttpRequest) -> Any:
    try:
        require_platform_staff(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None
    return signed_in_user(request)


def _form_errors(form: Any, exc: ServiceError) -> None:
    placed = False
    for error in exc.errors:
        if error.get("field") in form.fields:
            form.add_error(error["field"], error["message"])
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- Sends -----------------------------------------------------------------------------------


@login_required
@require_GET
def send_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    page = Paginator(selectors.send_list(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "support/comms/send_list.html", {"page": page})


@login_required
@require_GET
def send_export(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"communications-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "sent_at",
            "sent_by",
            "template",
            "subject",
            "audience",
            "organizations",
            "recipients",
            "sent",
            "skipped",
            "failed",
            "status",
        ]
    )
    for s in selectors.send_list().iterator():
        writer.writerow(
            [
                s.pk,
                s.created_at.isoformat(),
                safe_cell(str(s.sent_by or "")),
                safe_cell(s.template_name),
                safe_cell(s.subject),
                safe_cell(s.audience_label),
                s.organizations,
                s.total,
                s.sent,
                s.skipped,
                s.failed,
                s.status,
            ]
        )
    return response


def _send(send_id: int) -> Send:
    send = selectors.send_get(send_id)
    if send is None:
        raise Http404("No such send.")
    return send


def _progress_context(send: Send) -> dict[str, Any]:
    return {"send": send, "polling": not send.finished, "poll_seconds": POLL_SECONDS}


@login_required
@require_GET
def send_detail(request: HttpRequest, send_id: int) -> HttpResponse:
    _staff_only(request)
    send = _send(send_id)
    context = _progress_context(send)
    if send.finished:
        context["recipients"] = selectors.send_recipients(send)
    return render(request, "support/comms/send_detail.html", context)


@login_required
@require_GET
def send_progress(request: HttpRequest, send_id: int) -> HttpResponse:
    _staff_only(request)
    return render(request, "support/comms/_progress.html", _progress_context(_send(send_id)))


def _send_form(data: Any, audience_key: str) -> SendForm:
    audience = registry.audience_get(audience_key) or registry.audiences()[0]
    with all_organizations():
        values = audience.choices()
    return SendForm(
        data,
        templates=[(str(t.pk), t.name) for t in selectors.template_list()],
        audiences=[(a.key, a.label) for a in registry.audiences()],
        values=values,
        initial={"audience": audience.key, "template": (data or {}).get("template")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_new(request: HttpRequest) -> HttpResponse:
    """Choose template and audience; "Preview" shows the count and one email, "Send" sends."""
    actor = _staff_only(request)
    data = request.POST if request.method == "POST" else None
    audience_key = (data or request.GET).get("audience", "organizations")
    form = _send_form(data, audience_key)
    if request.method == "GET" and request.GET.get("template"):
        form.initial["template"] = request.GET["template"]
    context: dict[str, Any] = {"form": form, "audiences": registry.audiences()}
    if data is not None and form.is_valid():
        template = selectors.template_get(int(form.cleaned_data["template"]))
        if template is None:
            raise Http404("No such template.")
        args = {
            "actor": actor,
            "template": template,
            "audience": form.cleaned_data["audience"],
            "values": form.cleaned_data["values"],
            "message": form.cleaned_data["message"],
        }
        try:
            if data.get("action") == "send":
                send = services.send_start(**args)
                messages.success(request, f"Sending to {send.total} users: follow it here.")
                return redirect("platform_comms:send_detail", send_id=send.pk)
            context["plan"] = services.send_preview(**args)
        except ServiceError as exc:
            _form_errors(form, exc)
    status = 422 if data is not None and form.errors else 200
    return render(request, "support/comms/send_new.html", context, status=status)


# --- Templates -------------------------------------------------------------------------------


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(
        request,
        "support/comms/template_list.html",
        {"templates": selectors.template_list(), "fields": registry.merge_fields()},
    )


def _preview(request: HttpRequest, template: MessageTemplate) -> dict[str, Any]:
    form = PreviewForm(request.GET or None)
    out: dict[str, Any] = {"preview_form": form}
    if form.is_valid() and form.cleaned_data["organization"] is not None:
        org = form.cleaned_data["organization"]
        with all_organizations():
            member = (
                Membership.all_orgs.filter(organization=org, is_active=True)
                .select_related("user")
                .order_by("created_at", "pk")
                .first()
            )
            user = member.user if member is not None else signed_in_user(request)
            try:
                out["preview"] = rendering.render_for(
                    subject=template.subject,
                    body=template.body,
                    organization=org,
                    user=user,
                    context=services.send_context(
                        actor=request.user, message="(the message written on the send form)"
                    ),
                )
                out["preview_user"] = user
            except MergeError as exc:
                out["preview_error"] = f"{org.name}: {exc.message}"
    return out


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    actor = _staff_only(request)
    template = None
    failed_status = 422
    if template_id is not None:
        template = selectors.template_get(template_id)
        if template is None:
            raise Http404("No such template.")
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {k: data[k] for k in ("name", "description", "subject", "body")}
            try:
                if template is None:
                    template = services.template_create(actor=actor, **fields)
                else:
                    services.template_update(
                        actor=actor, template=template, version=data["version"] or 0, **fields
                    )
            except ServiceError as exc:
                _form_errors(form, exc)
                failed_status = exc.status  # a stale version is a 409
            else:
                messages.success(request, f"Template {template.name} saved.")
                return redirect("platform_comms:template_edit", template_id=template.pk)
    elif template is not None:
        form = TemplateForm(
            initial={
                "name": template.name,
                "description": template.description,
                "subject": template.subject,
                "body": template.body,
                "version": template.version,
            }
        )
    else:
        form = TemplateForm()
    context: dict[str, Any] = {
        "form": form,
        "template": template,
        "fields": registry.merge_fields(),
    }
    if template is not None:
        context.update(_preview(request, template))
    status = failed_status if request.method == "POST" else 200
    return render(request, "support/comms/template_edit.html", context, status=status)


# --- Announcements ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def announcement_list(request: HttpRequest) -> HttpResponse:
    actor = _staff_only(request)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announcement_create(
                actor=actor,
                message=data["message"],
                level=data["level"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                organizations=list(data["organizations"]),
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Announcement saved.")
            return redirect("platform_comms:announcements")
    page = Paginator(selectors.announcement_list(), PER_PAGE).get_page(request.GET.get("page"))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "support/comms/announcements.html",
        {"form": form, "page": page, "now": timezone.now()},
        status=status,
    )


def _announcement(announcement_id: int) -> Announcement:
    item = selectors.announcement_get(announcement_id)
    if item is None:
        raise Http404("No such announcement.")
    return item


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, announcement_id: int) -> HttpResponse:
    actor = _staff_only(request)
    item = _announcement(announcement_id)
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.announcement_update(
                    actor=actor,
                    announcement=item,
                    message=data["message"],
                    level=data["level"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    organizations=list(data["organizations"]),
                )
            except ServiceError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Announcement saved.")
                return redirect("platform_comms:announcements")
    else:
        form = AnnouncementForm(
            initial={
                "message": item.message,
                "level": item.level,
                "starts_at": item.starts_at,
                "ends_at": item.ends_at,
                "organizations": list(item.organizations.all()),
            }
        )
    status = 422 if request.method == "POST" else 200
    return render(
        request, "support/comms/announcement_edit.html", {"form": form, "item": item}, status=status
    )


@login_required
@require_POST
def announcement_end(request: HttpRequest, announcement_id: int) -> HttpResponse:
    actor = _staff_only(request)
    item = _announcement(announcement_id)
    try:
        services.announcement_end(actor=actor, announcement=item)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "The announcement is taken down.")
    return redirect("platform_comms:announcements")
