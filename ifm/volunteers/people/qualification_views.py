"""Qualification pages: the organization's qualification types (list, add, edit, archive), a
volunteer's qualifications (add, edit, delete, the private document) and the coordinators'
page of qualifications expiring in the next 30 days or already expired."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.downloads import signed_redirect
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.pages import error_text, get_or_404, org_url
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import has_perm, require_perm
from ifm.volunteers.models import Qualification, QualificationType
from ifm.volunteers.people import qualifications as services
from ifm.volunteers.people import selectors
from ifm.volunteers.people.forms import QualificationForm, QualificationTypeForm
from ifm.volunteers.people.views import volunteer_or_404

PAGE_SIZE = 50


def _type_or_404(qualification_type_id: int) -> QualificationType:
    return get_or_404(QualificationType.objects.all(), qualification_type_id, "qualification")


def _qualification_or_404(qualification_id: int) -> Qualification:
    return get_or_404(
        Qualification.objects.select_related("type", "volunteer"),
        qualification_id,
        "qualification",
    )


# --- Qualification types -------------------------------------------------------------------------


@login_required
def qualification_type_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The types (archived ones below); POST adds one."""
    require_perm(request.access, "volunteers.view")
    form = QualificationTypeForm()
    status = 200
    if request.method == "POST":
        require_perm(request.access, "volunteers.manage")
        form = QualificationTypeForm(request.POST)
        if form.is_valid():
            try:
                kind = services.qualification_type_create(
                    **service_args(request), **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{kind.name} was added.")
                return redirect(org_url(request, "volunteers:qualification_type_list"))
        status = 422
    kinds = list(selectors.qualification_types(include_archived=True))
    return render(
        request,
        "volunteers/people/qualification_types.html",
        {
            "form": form,
            "active": [k for k in kinds if not k.is_archived],
            "archived": [k for k in kinds if k.is_archived],
            "can_manage": has_perm(request.access, "volunteers.manage"),
        },
        status=status,
    )


@login_required
def qualification_type_edit(
    request: OrgRequest, org_slug: str, qualification_type_id: int
) -> HttpResponse:
    """Change a type; POST action=archive or action=restore (un)archives it."""
    require_perm(request.access, "volunteers.manage")
    kind = _type_or_404(qualification_type_id)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("archive", "restore"):
            services.qualification_type_update(
                **service_args(request),
                kind=kind,
                name=kind.name,
                description=kind.description,
                valid_months=kind.valid_months,
                is_archived=action == "archive",
            )
            verb = "archived" if action == "archive" else "restored"
            messages.success(request, f"{kind.name} was {verb}.")
            return redirect(org_url(request, "volunteers:qualification_type_list"))
        form = QualificationTypeForm(request.POST)
        if form.is_valid():
            try:
                services.qualification_type_update(
                    **service_args(request), kind=kind, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['name']} was saved.")
                return redirect(org_url(request, "volunteers:qualification_type_list"))
        status = 422
    else:
        form = QualificationTypeForm(
            initial={
                "name": kind.name,
                "description": kind.description,
                "valid_months": kind.valid_months,
            }
        )
    return render(
        request,
        "volunteers/people/qualification_type_form.html",
        {"form": form, "kind": kind},
        status=status,
    )


# --- A volunteer's qualifications ----------------------------------------------------------------


@login_required
def qualification_new(request: OrgRequest, org_slug: str, volunteer_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    volunteer = volunteer_or_404(volunteer_id)
    status = 200
    if request.method == "POST":
        form = QualificationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.qualification_add(
                    **service_args(request),
                    volunteer=volunteer,
                    type=data["type"],
                    issued_on=data["issued_on"],
                    expires_on=data.get("expires_on"),
                    notes=data.get("notes") or "",
                    document=data.get("document"),
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{row.type.name} was added to {volunteer.name}.")
                return redirect(
                    org_url(request, "volunteers:volunteer_detail", volunteer_id=volunteer.pk)
                    + "#qualifications"
                )
        status = 422
    else:
        today = selectors.org_today(request.org)
        form = QualificationForm(initial={"issued_on": today})
    return render(
        request,
        "volunteers/people/qualification_form.html",
        {"form": form, "volunteer": volunteer, "qualification": None},
        status=status,
    )


@login_required
def qualification_edit(request: OrgRequest, org_slug: str, qualification_id: int) -> HttpResponse:
    require_perm(request.access, "volunteers.manage")
    row = _qualification_or_404(qualification_id)
    conflict = ""
    status = 200
    if request.method == "POST":
        form = QualificationForm(request.POST, request.FILES, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.qualification_update(
                    **service_args(request),
                    qualification=row,
                    expected_version=data.get("version") or row.version,
                    issued_on=data["issued_on"],
                    expires_on=data.get("expires_on"),
                    notes=data.get("notes") or "",
                    document=data.get("document"),
                    remove_document=bool(data.get("remove_document")),
                )
            except ConflictError as exc:
                conflict = exc.message
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{row.type.name} was saved.")
                return redirect(
                    org_url(request, "volunteers:volunteer_detail", volunteer_id=row.volunteer_id)
                    + "#qualifications"
                )
        status = 409 if conflict else 422
    else:
        form = QualificationForm(
            editing=True,
            initial={
                "issued_on": row.issued_on,
                "expires_on": row.expires_on,
                "notes": row.notes,
                "version": row.version,
            },
        )
    return render(
        request,
        "volunteers/people/qualification_form.html",
        {
            "form": form,
            "volunteer": row.volunteer,
            "qualification": row,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def qualification_delete(
    request: OrgRequest, org_slug: str, qualification_id: int
) -> HttpResponseBase:
    require_perm(request.access, "volunteers.manage")
    row = _qualification_or_404(qualification_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.qualification_delete(**service_args(request), qualification=row)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{row.type.name} was removed from {row.volunteer.name}.")
    return redirect(
        org_url(request, "volunteers:volunteer_detail", volunteer_id=row.volunteer_id)
        + "#qualifications"
    )


@login_required
def qualification_document(
    request: OrgRequest, org_slug: str, qualification_id: int
) -> HttpResponseBase:
    """The qualification's document, always as an attachment: its type judged again from its
    content, `nosniff` so the browser guesses no other."""
    require_perm(request.access, "volunteers.view")
    row = _qualification_or_404(qualification_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not row.document:
        raise Http404("This qualification has no document.")
    if signed := signed_redirect(row.document, filename=row.document_name or "document"):
        return signed
    try:
        handle = row.document.open("rb")
    except FileNotFoundError:
        raise Http404("The document's file is missing.") from None
    content_type = services.stored_type(handle)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=row.document_name or "document",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Expiring ----------------------------------------------------------------------------------


@login_required
def qualification_expiring(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Qualifications expiring in the next 30 days, and those already expired (not renewed)."""
    require_perm(request.access, "volunteers.view")
    today = selectors.org_today(request.org)
    rows = selectors.qualification_list(
        expiring_within_days=selectors.EXPIRING_DAYS, today=today, include_expired=True
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/people/expiring.html",
        {"page": page, "today": today, "days": selectors.EXPIRING_DAYS},
    )
