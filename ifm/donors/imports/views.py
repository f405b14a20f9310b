"""Import pages, under /o/<org_slug>/donors/imports/: upload a file, map its columns, see the
dry run, commit, follow the background job; and the list of past imports.

Thin doors to the import services (reading, mapping, check, services) through
ifm.donors.imports.uploads, which keeps the uploaded file between the steps.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.errors import ServiceError
from ifm.core.pages import is_htmx_partial, org_url
from ifm.core.sorting import SortOptions
from ifm.donors.forms import add_service_errors
from ifm.donors.imports.check import CheckResult
from ifm.donors.imports.forms import MappingForm, UploadForm
from ifm.donors.imports.mapping import FIELD_LABELS, KINDS, REQUIRED, mapping_for
from ifm.donors.imports.reading import MAX_FILE_BYTES, Table, checked_in_request
from ifm.donors.imports.rejected import rejected_response
from ifm.donors.imports.tasks import can_run_again, import_run_again, import_run_rejected
from ifm.donors.imports.uploads import (
    import_upload_check,
    import_upload_commit,
    import_upload_create,
    import_upload_map,
    import_upload_rejected,
    import_upload_table,
)
from ifm.donors.models import ImportKind, ImportRun, ImportStatus, ImportUpload
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25
PROBLEMS_PAGE_SIZE = 50
SAMPLE_ROWS = 50
PERM = "donors.import"


def _upload_or_404(upload_id: int) -> ImportUpload:
    upload = ImportUpload.objects.filter(pk=upload_id).first()
    if upload is None:
        raise Http404("No such upload.")
    return upload


def _run_or_404(run_id: int) -> ImportRun:
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such import.")
    return run


def _kind_label(kind: str) -> str:
    return str(dict(ImportKind.choices).get(kind, kind))


# --- Past imports --------------------------------------------------------------------------------


IMPORT_SORTS = SortOptions(
    {
        "kind": ("kind",),
        "file": ("file_name",),
        "status": ("status",),
        "rows": ("total",),
        "created": ("created_count",),
        "skipped": ("skipped_count",),
        "by": ("created_by__full_name",),
        "when": ("created_at",),
    },
    descending_first={"rows", "created", "skipped", "when"},
    default="when",
    default_descending=True,
)


@login_required
def import_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, PERM)
    sorting = IMPORT_SORTS.read(request.GET)
    runs = (
        ImportRun.objects.select_related("created_by")
        .filter(dry_run=False)
        .order_by("-created_at", "-id")
    )
    page = Paginator(sorting.apply(runs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "donors/imports/list.html", {"page": page, "sorting": sorting})


# --- Step 1: the file ----------------------------------------------------------------------------


@login_required
def import_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, PERM)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            # One byte past the limit is enough for read_table to refuse a file too large.
            data = upload_file.read(MAX_FILE_BYTES + 1)
            try:
                upload = import_upload_create(
                    **service_args(request),
                    kind=form.cleaned_data["kind"],
                    data=data,
                    filename=upload_file.name or "",
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(
                    org_url(request, "donors:donor_import_mapping", importupload_id=upload.pk)
                )
        status = 422
    else:
        kind = request.GET.get("kind")
        form = UploadForm(initial={"kind": kind} if kind in KINDS else None)
    return render(request, "donors/imports/upload.html", {"form": form}, status=status)


# --- Step 2: the column mapping ------------------------------------------------------------------


def _samples(table: Table) -> list[str]:
    """A value of each column: the first one not empty among the first rows."""
    samples = [""] * len(table.headers)
    for row in table.sample(SAMPLE_ROWS):
        for i, value in enumerate(row[: len(samples)]):
            if value and not samples[i]:
                samples[i] = value
    return samples


@login_required
def import_mapping(request: OrgRequest, org_slug: str, importupload_id: int) -> HttpResponseBase:
    require_perm(request.access, PERM)
    upload = _upload_or_404(importupload_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if upload.run_id is not None:
        return redirect(org_url(request, "donors:donor_import_run", importrun_id=upload.run_id))
    try:
        table = import_upload_table(upload)
        samples = _samples(table)
        # A large file is counted by its dry-run job, not read through here.
        row_count = table.count() if checked_in_request(len(upload.data)) else None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(org_url(request, "donors:donor_import_new"))
    proposed = upload.mapping or mapping_for(
        organization=request.org, kind=upload.kind, headers=table.headers
    )
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        kind=upload.kind,
        headers=table.headers,
        mapping=proposed,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                import_upload_map(**service_args(request), upload=upload, mapping=form.mapping())
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(
                    org_url(request, "donors:donor_import_check", importupload_id=upload.pk)
                )
        status = 422
    columns = [
        {"field": form[form.field_name(i)], "header": header, "sample": samples[i]}
        for i, header in enumerate(table.headers)
    ]
    context = {
        "upload": upload,
        "kind_label": _kind_label(upload.kind),
        "form": form,
        "columns": columns,
        "table": table,
        "row_count": row_count,
        "required": [FIELD_LABELS[f] for f in REQUIRED[upload.kind]],
    }
    return render(request, "donors/imports/mapping.html", context, status=status)


# --- Step 3: the dry run, and the commit ---------------------------------------------------------


def _check_response(
    request: OrgRequest, upload: ImportUpload, result: CheckResult, status: int = 200
) -> HttpResponse:
    problems = Paginator(result.problems, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    may_import = has_perm(request.access, PERM)
    valid_rows = result.new + result.matched
    context = {
        "upload": upload,
        "kind_label": _kind_label(upload.kind),
        "result": result,
        "problems": problems,
        "problem_rows": len({p.row for p in result.problems}),
        "valid_rows": valid_rows,
        "can_commit": not result.problems and may_import,
        "can_commit_valid": bool(result.problems) and valid_rows > 0 and may_import,
    }
    return render(request, "donors/imports/check.html", context, status=status)


def _htmx_aware_redirect(request: OrgRequest) -> Callable[[str], HttpResponseBase]:
    """A polled progress panel goes elsewhere with the whole page, not inside the panel."""
    if is_htmx_partial(request):
        return HttpResponseClientRedirect
    return redirect


@login_required
def import_dry_run(request: OrgRequest, org_slug: str, importupload_id: int) -> HttpResponseBase:
    require_perm(request.access, PERM)
    upload = _upload_or_404(importupload_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    go = _htmx_aware_redirect(request)
    if upload.run_id is not None:
        return go(org_url(request, "donors:donor_import_run", importrun_id=upload.run_id))
    if not upload.mapping:
        return go(org_url(request, "donors:donor_import_mapping", importupload_id=upload.pk))
    try:
        # The dry run kept with the upload when its mapping was saved: paging through the
        # problems does not read the file again. A large file's is a job's: its progress.
        result, run = import_upload_check(**service_args(request), upload=upload)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return go(org_url(request, "donors:donor_import_mapping", importupload_id=upload.pk))
    pending = run is not None and run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    if is_htmx_partial(request) and not pending:
        # The polled progress panel: the check is over, the page shows its result (or why
        # it stopped) in full.
        response: HttpResponseBase = HttpResponseClientRedirect(request.get_full_path())
    elif run is not None:
        errors = Paginator(run.errors or [], PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "upload": upload,
            "kind_label": _kind_label(upload.kind),
            "run": run,
            "polling": pending,
            "errors": errors,
        }
        template = "_checking.html" if is_htmx_partial(request) else "checking.html"
        response = render(request, f"donors/imports/{template}", context)
    else:
        assert result is not None
        response = _check_response(request, upload, result)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def import_commit(request: OrgRequest, org_slug: str, importupload_id: int) -> HttpResponseBase:
    require_perm(request.access, PERM)
    upload = _upload_or_404(importupload_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if upload.run_id is None and not upload.mapping:
        return redirect(org_url(request, "donors:donor_import_mapping", importupload_id=upload.pk))
    # All or nothing unless the person chose, after a dry run with problems, to import the
    # valid rows.
    valid_only = request.POST.get("mode") == "valid_only"
    try:
        result, run, earlier = import_upload_commit(
            **service_args(request), upload=upload, valid_only=valid_only
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(org_url(request, "donors:donor_import_mapping", importupload_id=upload.pk))
    if run is None:
        assert result is not None
        messages.error(
            request,
            f"The file has {len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}"
            ": nothing was imported. Correct the file and upload it again.",
        )
        return _check_response(request, upload, result, status=422)
    if earlier and run.status == ImportStatus.DONE:
        messages.info(
            request,
            f"This file was imported before (import {run.pk}, {run.file_name}): "
            "nothing new is created.",
        )
    elif earlier:
        messages.info(
            request,
            f"This file is being imported already (import {run.pk}, {run.file_name}): "
            "this page follows it.",
        )
    elif valid_only and result is not None and result.problems:
        left_out = len({p.row for p in result.problems})
        messages.success(
            request,
            f"Import {run.pk} is queued with the valid rows; {left_out} row"
            f"{'s' if left_out != 1 else ''} with problems will be left out (download them "
            "from this page to correct them).",
        )
    else:
        messages.success(request, f"Import {run.pk} is queued: this page follows its progress.")
    return redirect(org_url(request, "donors:donor_import_run", importrun_id=run.pk))


# --- The rejected rows, to correct and import again ----------------------------------------------


@login_required
def import_upload_rejected_file(
    request: OrgRequest, org_slug: str, importupload_id: int, fmt: str
) -> HttpResponseBase:
    """The dry run's rows with problems, with an error column, as CSV or XLSX."""
    require_perm(request.access, PERM)
    upload = _upload_or_404(importupload_id)
    try:
        rejected = import_upload_rejected(**service_args(request), upload=upload)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(org_url(request, "donors:donor_import_check", importupload_id=upload.pk))
    return rejected_response(rejected, filename=upload.file_name, fmt=fmt)


@login_required
def import_run_rejected_file(
    request: OrgRequest, org_slug: str, importrun_id: int, fmt: str
) -> HttpResponseBase:
    """The rows a valid-only import left out, with an error column, as CSV or XLSX."""
    require_perm(request.access, PERM)
    run = _run_or_404(importrun_id)
    try:
        rejected = import_run_rejected(access=request.access, run=run)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(org_url(request, "donors:donor_import_run", importrun_id=run.pk))
    return rejected_response(rejected, filename=run.file_name, fmt=fmt)


# --- Step 4: the progress and result -------------------------------------------------------------


@login_required
def import_run(request: OrgRequest, org_slug: str, importrun_id: int) -> HttpResponseBase:
    """The run's progress; with htmx, only the progress panel (polled until done or failed)."""
    require_perm(request.access, PERM)
    run = _run_or_404(importrun_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    errors = Paginator(run.errors or [], PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "kind_label": _kind_label(run.kind),
        "polling": run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "errors": errors,
        "can_run_again": can_run_again(run) and has_perm(request.access, PERM),
    }
    partial = is_htmx_partial(request)
    template = "donors/imports/_progress.html" if partial else "donors/imports/run.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def import_again(request: OrgRequest, org_slug: str, importrun_id: int) -> HttpResponseBase:
    """Queue a failed import again (POST), then follow it on its page."""
    require_perm(request.access, PERM)
    run = _run_or_404(importrun_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        import_run_again(**service_args(request), run=run)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Import {run.pk} is queued again: this page follows it.")
    return redirect(org_url(request, "donors:donor_import_run", importrun_id=run.pk))
