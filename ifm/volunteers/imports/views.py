"""Import pages, under /o/<org_slug>/volunteers/imports/: upload a file, map its columns, see
the dry run, commit. Thin doors to imports/services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text, get_or_404, org_url
from ifm.tenancy.forms import BootstrapMixin, add_service_errors
from ifm.tenancy.permissions import require_perm
from ifm.volunteers.imports import services
from ifm.volunteers.models import VolunteerImport

PERM = "volunteers.manage"


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        help_text="A CSV or XLSX file, its first row the column titles, at most 10 MB "
        f"and {services.MAX_ROWS} rows."
    )


def _import_or_404(volunteerimport_id: int) -> VolunteerImport:
    return get_or_404(VolunteerImport.objects.all(), volunteerimport_id, "import")


@login_required
def import_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Past imports, and the upload form (POST)."""
    require_perm(request.access, PERM)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if (upload.size or 0) > services.MAX_FILE:
                form.add_error("file", "The file is larger than 10 MB: split it.")
            else:
                try:
                    row = services.volunteer_import_upload(
                        **service_args(request), file_name=upload.name or "", data=upload.read()
                    )
                except ServiceError as exc:
                    add_service_errors(form, exc)
                else:
                    return redirect(
                        org_url(request, "volunteers:volunteer_import", volunteerimport_id=row.pk)
                    )
        status = 422
    else:
        form = UploadForm()
    imports = VolunteerImport.objects.select_related("created_by").defer("data")[:50]
    return render(
        request,
        "volunteers/imports/list.html",
        {"form": form, "imports": imports},
        status=status,
    )


def _mapping_rows(row: VolunteerImport, chosen: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "field": field,
            "label": label,
            "required": field in services.REQUIRED,
            "chosen": chosen.get(field, ""),
        }
        for field, (label, _) in services.FIELDS.items()
    ]


@login_required
def import_detail(request: OrgRequest, org_slug: str, volunteerimport_id: int) -> HttpResponseBase:
    """GET: the mapping and the last dry run. POST action=check (the mapping: one `map_<field>`
    per field, and `allow_duplicates`) or action=commit."""
    require_perm(request.access, PERM)
    row = _import_or_404(volunteerimport_id)
    here = org_url(request, "volunteers:volunteer_import", volunteerimport_id=row.pk)
    errors: list[dict[str, str]] = []
    chosen = dict(row.mapping.get("columns", {}))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "commit":
                done = services.volunteer_import_commit(**service_args(request), row=row)
                messages.success(request, f"{done.created_count} volunteers were imported.")
                return redirect(org_url(request, "volunteers:volunteer_list"))
            if action != "check":
                return HttpResponseNotAllowed(["GET", "POST"])
            chosen = {
                f: request.POST.get(f"map_{f}", "")[:255]
                for f in services.FIELDS
                if request.POST.get(f"map_{f}")
            }
            services.volunteer_import_check(
                **service_args(request),
                row=row,
                columns=chosen,
                allow_duplicates=request.POST.get("allow_duplicates") == "on",
            )
            return redirect(here + "#dry-run")
        except ServiceError as exc:
            errors = exc.errors or [{"field": "", "message": exc.message}]
            messages.error(request, error_text(exc))
            status = 422
        row = _import_or_404(volunteerimport_id)
    return render(
        request,
        "volunteers/imports/detail.html",
        {
            "row": row,
            "headers": row.mapping.get("headers", []),
            "fields": _mapping_rows(row, chosen),
            "errors": errors,
            "dry_run": row.dry_run if row.status in ("checked", "done") else None,
            "allow_duplicates": bool(row.mapping.get("allow_duplicates")),
        },
        status=status,
    )
