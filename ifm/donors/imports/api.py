"""/api/v1 imports of donors and donations, and the donor and donation exports."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from django.http import Http404
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, ApiError
from ifm.core.api_types import DateText
from ifm.donors import exports
from ifm.donors.gifts import selectors as gift_selectors
from ifm.donors.imports.mapping import clean_mapping, mapping_for
from ifm.donors.imports.reading import MAX_FILE_BYTES, read_table
from ifm.donors.imports.rejected import rejected_response
from ifm.donors.imports.services import import_rejected, import_start
from ifm.donors.imports.tasks import can_run_again, import_run_again, import_run_rejected
from ifm.donors.models import ImportRun, ImportStatus
from ifm.donors.people import selectors as people_selectors
from ifm.donors.schemas import DonationStatusIn, MethodIn
from ifm.tenancy.permissions import require_perm

router = Router(tags=["donor imports and exports"])

ImportRunId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


class ImportKindIn(StrEnum):
    DONORS = "donors"
    DONATIONS = "donations"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ProblemRowOut(Schema):
    row: int
    column: str
    field: str
    message: str
    name: str = Field("", description="Who the row is about, as the file names them.")


class ImportCheckOut(Schema):
    kind: str
    headers: list[str]
    header_row: int
    mapping: dict[str, str]
    total: int
    new: int
    already_imported: int
    matched_existing_donors: int
    problems: list[ProblemRowOut]
    run_id: int | None = None
    file_already_imported: bool = Field(
        False,
        description="True when run_id is an earlier import of this same file whose rows were "
        "committed: nothing new was queued (already_imported counts the rows imported before).",
    )
    file_import_in_progress: bool = Field(
        False,
        description="True when run_id is an earlier import of this same file that is queued or "
        "running: nothing new was queued; follow that run.",
    )


class ImportRunOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    phase: str
    total: int
    done: int
    percent: int
    created_count: int
    skipped_count: int
    errors: list[ProblemRowOut]
    created_at: Any
    started_at: Any = None
    finished_at: Any = None
    dry_run: bool = Field(False, description="A dry run: checks the file and writes nothing.")
    result: ImportCheckOut | None = Field(
        None, description="A finished dry run's counts and problems (as POST /imports answers)."
    )
    can_run_again: bool = Field(
        False, description="A failed run with its file kept: POST .../again queues it again."
    )
    valid_only: bool = Field(
        False, description="Only the valid rows are imported; the others are left out."
    )
    rejected_rows: int = Field(
        0,
        description="Rows a valid-only import left out (listed in `errors`); GET "
        ".../rejected downloads them with an error column.",
    )


_EXPORT_CONTENT = {
    "200": {
        "description": "The file, as an attachment.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


def _mapping(text: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in value.items()
    ):
        raise ApiError(
            422,
            'The mapping must be a JSON object of field names to column names, e.g. {"amount": '
            '"Gift Amount"}.',
            errors=[{"field": "mapping", "message": "Not a JSON object of strings."}],
        )
    return {k: v for k, v in value.items() if v}


@router.post(
    "/imports",
    response={200: ImportCheckOut, 202: ImportRunOut},
    summary="Check a CSV/XLSX file of donors or donations; unless dry_run, queue its import",
    description="A file up to IMPORT_INLINE_CHECK_KB (256 KB) is checked in the request (200). "
    "A larger one is checked by a background job: 202 with the run to follow at "
    "GET /imports/{id} (a dry run's counts and problems arrive there as `result`).",
)
def import_create(
    request: OrgRequest,
    kind: Form[ImportKindIn],
    file: UploadedFile | None = File(None),  # noqa: B008
    mapping: Annotated[
        str, Form(max_length=20000, description="JSON {field: column}; empty: suggested")
    ] = "",
    dry_run: Annotated[bool, Form(description="Only check: write nothing")] = True,
    valid_only: Annotated[
        bool,
        Form(
            description="Import the rows without problems and leave the others out (default: "
            "all or nothing, a file with problems imports nothing)"
        ),
    ] = False,
) -> Any:
    data = _file_data(file)
    assert file is not None
    organization = request.org
    result, run, earlier = import_start(
        organization=organization,
        actor=request.user,
        access=request.access,
        kind=kind.value,
        data=data,
        filename=file.name or "",
        mapping=_mapping(mapping),
        dry_run=dry_run,
        valid_only=valid_only,
    )
    if result is None:
        assert run is not None
        return Status(202, _run_out(run))
    table = read_table(data, file.name or "")
    used = (
        clean_mapping(kind.value, _mapping(mapping) or {}, table.headers)
        if _mapping(mapping)
        else mapping_for(organization=organization, kind=kind.value, headers=table.headers)
    )
    return {
        **result.summary(),
        "headers": table.headers,
        "header_row": table.header_row,
        "mapping": used,
        "run_id": run.pk if run is not None else None,
        "file_already_imported": earlier and run is not None and run.status == ImportStatus.DONE,
        "file_import_in_progress": earlier and run is not None and run.status != ImportStatus.DONE,
    }


def _file_data(file: UploadedFile | None) -> bytes:
    if file is None:
        raise ApiError(
            422,
            "Send the file as the multipart field `file`.",
            errors=[{"field": "file", "message": "This field is required."}],
        )
    if file.size and file.size > MAX_FILE_BYTES:
        raise ApiError(
            422,
            "The file is larger than 50 MB: split it.",
            errors=[{"field": "file", "message": "Too large."}],
        )
    return bytes(file.read())


@router.post(
    "/imports/rejected",
    response={200: None},
    summary="The rows of a file that have problems, with an error column (CSV or XLSX)",
    description="Checks the file as a dry run (writes nothing) and answers its rows with "
    "problems, in the file's own columns plus `Import errors`. Corrected, the file can be "
    "sent again as it is: the `Import errors` column is never imported.",
    openapi_extra={"responses": _EXPORT_CONTENT},
)
def import_rejected_check(
    request: OrgRequest,
    kind: Form[ImportKindIn],
    file: UploadedFile | None = File(None),  # noqa: B008
    mapping: Annotated[
        str, Form(max_length=20000, description="JSON {field: column}; empty: suggested")
    ] = "",
    format: Annotated[ExportFormat, Form(description="csv or xlsx")] = ExportFormat.CSV,
) -> Any:
    data = _file_data(file)
    assert file is not None
    rejected = import_rejected(
        **service_args(request),
        kind=kind.value,
        data=data,
        filename=file.name or "",
        mapping=_mapping(mapping),
    )
    return rejected_response(rejected, filename=file.name or "import", fmt=format.value)


@router.get(
    "/imports/{int:importrun_id}/rejected",
    response={200: None},
    summary="The rows a valid-only import left out, with an error column (CSV or XLSX)",
    openapi_extra={"responses": _EXPORT_CONTENT},
)
def import_run_rejected_get(
    request: OrgRequest,
    importrun_id: ImportRunId,
    format: Annotated[ExportFormat, Query(description="csv or xlsx")] = ExportFormat.CSV,
) -> Any:
    require_perm(request.access, "donors.import")
    run = ImportRun.objects.filter(pk=importrun_id).first()
    if run is None:
        raise Http404
    rejected = import_run_rejected(access=request.access, run=run)
    return rejected_response(rejected, filename=run.file_name, fmt=format.value)


@router.get("/imports/{int:importrun_id}", response=ImportRunOut, summary="An import's progress")
def import_get(request: OrgRequest, importrun_id: ImportRunId) -> Any:
    require_perm(request.access, "donors.import")
    run = ImportRun.objects.filter(pk=importrun_id).first()
    if run is None:
        raise Http404
    return _run_out(run)


@router.post(
    "/imports/{int:importrun_id}/again",
    response={202: ImportRunOut},
    summary="Queue a failed import again with its file and mapping",
)
def import_again(request: OrgRequest, importrun_id: ImportRunId) -> Any:
    require_perm(request.access, "donors.import")
    run = ImportRun.objects.filter(pk=importrun_id).first()
    if run is None:
        raise Http404
    run = import_run_again(
        organization=request.org,
        actor=request.user,
        access=request.access,
        run=run,
    )
    return Status(202, _run_out(run))


def _run_out(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "kind": run.kind,
        "file_name": run.file_name,
        "status": run.status,
        "phase": run.phase,
        "total": run.total,
        "done": run.done,
        "percent": run.percent,
        "created_count": run.created_count,
        "skipped_count": run.skipped_count,
        "errors": run.errors or [],
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "dry_run": run.dry_run,
        "result": _dry_run_result(run),
        "can_run_again": can_run_again(run),
        "valid_only": run.valid_only,
        "rejected_rows": run.rejected_rows if run.valid_only else 0,
    }


def _dry_run_result(run: ImportRun) -> dict[str, Any] | None:
    if not (run.dry_run and run.result):
        return None
    return {
        "headers": [],
        "header_row": 0,
        **run.result,
        "run_id": None,
        "file_already_imported": False,
    }


@router.get(
    "/donors/export",
    response={200: None},
    summary="Donors as CSV or XLSX, with the list's filters",
    openapi_extra={"responses": _EXPORT_CONTENT},
)
def donors_export(
    request: OrgRequest,
    format: Annotated[ExportFormat, Query(description="csv or xlsx")] = ExportFormat.CSV,
    q: Annotated[str, Query(max_length=200, description="Search name, email, phone, ZIP")] = "",
    include_inactive: bool = False,
) -> Any:
    require_perm(request.access, "donors.view")
    donors = people_selectors.donor_search(q, include_inactive=include_inactive)
    return exports.donors_response(
        donors.order_by("last_name", "first_name", "organization_name", "id"),
        fmt=format.value,
        organization=request.org,
    )


@router.get(
    "/donations/export",
    response={200: None},
    summary="Donations as CSV or XLSX, with the list's filters",
    openapi_extra={"responses": _EXPORT_CONTENT},
)
def donations_export(
    request: OrgRequest,
    format: Annotated[ExportFormat, Query(description="csv or xlsx")] = ExportFormat.CSV,
    q: Annotated[str, Query(max_length=200, description="Search the donors")] = "",
    status: DonationStatusIn | None = None,
    method: MethodIn | None = None,
    fund_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: Annotated[date | None, DateText] = None,
    date_to: Annotated[date | None, DateText] = None,
) -> Any:
    require_perm(request.access, "donors.view")
    donations = gift_selectors.donation_list(
        q=q,
        status=status.value if status else "",
        method=method.value if method else "",
        fund_id=fund_id,
        date_from=date_from,
        date_to=date_to,
    )
    return exports.donations_response(
        donations,
        fmt=format.value,
        organization=request.org,
    )
