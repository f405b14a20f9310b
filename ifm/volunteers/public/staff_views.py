"""Coordinators' messages to volunteers, under /o/<org_slug>/volunteers/messages/: the list,
writing one to the volunteers of a shift or an opportunity, and one message's page."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import get_or_404, org_url
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.volunteers.models import Opportunity, Shift, VolunteerMessage
from ifm.volunteers.public import services
from ifm.volunteers.public.forms import MessageForm

PAGE_SIZE = 50
# Shifts offered in the form: those of the coming weeks (a shift's own page can link here
# with ?shift=<id> for any other).
SHIFT_CHOICES_DAYS = 60
SHIFT_CHOICES_MAX = 500


@login_required
@require_GET
def message_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    rows = VolunteerMessage.objects.select_related("shift", "opportunity", "created_by")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        rows = rows.filter(subject__icontains=q)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "volunteers/public/staff/message_list.html",
        {
            "page": page,
            "q": q,
            "can_write": has_perm(request.access, "volunteers.manage"),
        },
    )


def _form(request: OrgRequest) -> MessageForm:
    now = timezone.now()
    shifts = Shift.objects.filter(
        is_cancelled=False, ends_at__gt=now, starts_at__lt=now + timedelta(days=SHIFT_CHOICES_DAYS)
    ).select_related("opportunity")
    chosen = request.GET.get("shift", "")
    if chosen.isdigit():
        shifts = shifts | Shift.objects.filter(pk=int(chosen)).select_related("opportunity")
    shift_ids = list(
        shifts.order_by("starts_at", "id").values_list("pk", flat=True)[:SHIFT_CHOICES_MAX]
    )
    initial = {}
    if chosen.isdigit():
        initial["shift"] = int(chosen)
    if request.GET.get("opportunity", "").isdigit():
        initial["opportunity"] = int(request.GET["opportunity"])
    return MessageForm(
        request.POST or None,
        initial=initial,
        shifts=Shift.objects.filter(pk__in=shift_ids)
        .select_related("opportunity")
        .order_by("starts_at", "id"),
        opportunities=Opportunity.objects.filter(is_archived=False).order_by("title", "id"),
        zone=ZoneInfo(request.org.time_zone),
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.volunteer_message_send(
                **service_args(request),
                subject=data["subject"],
                body=data["body"],
                shift=data.get("shift"),
                opportunity=data.get("opportunity"),
                include_waitlisted=bool(data.get("include_waitlisted")),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, "Message queued: it is being sent.")
            return redirect(
                org_url(request, "volunteers:message_detail", volunteer_message_id=message.pk)
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "volunteers/public/staff/message_new.html", {"form": form}, status=status
    )


@login_required
@require_GET
def message_detail(request: OrgRequest, org_slug: str, volunteer_message_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.view")
    message = get_or_404(
        VolunteerMessage.objects.select_related("shift", "opportunity", "created_by"),
        volunteer_message_id,
        "message",
    )
    return render(request, "volunteers/public/staff/message_detail.html", {"message": message})
