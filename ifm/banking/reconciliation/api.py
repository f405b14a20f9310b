"""/api/v1 banking: reconciliations. Thin: services write, selectors read."""

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.banking.models import BankAccount, Reconciliation
from ifm.banking.reconciliation import report, selectors, services
from ifm.banking.reconciliation.schemas import (
    ReconciliationIn,
    ReconciliationOut,
    ReconciliationPatchIn,
    ReconciliationReopenIn,
    ReconciliationStatus,
    ReconciliationSummaryOut,
    money,
)
from ifm.core.api import MAX_ID, idempotent, paginated
from ifm.core.exports import XLSX_TYPE
from ifm.tenancy.permissions import require_perm

router = Router(tags=["reconciliations"])

ReconciliationId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _get(request: OrgRequest, reconciliation_id: int) -> Reconciliation:
    require_perm(request.access, "banking.view")
    rec = selectors.reconciliation_get(reconciliation_id)
    if rec is None:
        raise Http404
    return rec


def _out(rec: Reconciliation) -> dict[str, Any]:
    rec = selectors.reconciliation_get(rec.pk) or rec
    f = selectors.reconciliation_figures(rec)
    return {
        "id": rec.pk,
        "bank_account_id": rec.bank_account_id,
        "status": rec.status,
        "statement_date": rec.statement_date,
        "statement_balance": money(f.statement_balance),
        "book_balance": money(f.book_balance),
        "cleared_balance": money(f.cleared_balance),
        "adjusted_bank_balance": money(f.adjusted_bank_balance),
        "deposits_in_transit": money(f.deposits_in_transit),
        "deposits_in_transit_count": f.deposits_in_transit_count,
        "outstanding_payments": money(f.outstanding_payments),
        "outstanding_payments_count": f.outstanding_payments_count,
        "difference": money(f.difference),
        "cleared_count": f.cleared_count,
        "unmatched_bank_count": f.unmatched_bank_count,
        "unmatched_bank_total": money(f.unmatched_bank_total),
        "books_from": f.books_from,
        "finished_at": rec.finished_at,
        "finished_by": rec.finished_by.email if rec.finished_by else None,
        "reopened_at": rec.reopened_at,
        "reopen_reason": rec.reopen_reason,
        "created_at": rec.created_at,
        "version": rec.version,
    }


@router.get(
    "/reconciliations", response=list[ReconciliationSummaryOut], summary="List reconciliations"
)
@paginated("-statement_date")
def reconciliation_list(
    request: OrgRequest,
    bank_account_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this bank account's.")
    ] = None,
    status: Annotated[
        ReconciliationStatus | None, Query(description="Only in progress or only finished.")
    ] = None,
) -> QuerySet[Reconciliation]:
    require_perm(request.access, "banking.view")
    account = None
    if bank_account_id is not None:
        account = BankAccount.objects.filter(pk=bank_account_id).first()
        if account is None:
            return Reconciliation.objects.none()
    return selectors.reconciliation_list(bank_account=account, status=status or "")


@router.post(
    "/reconciliations",
    response={201: ReconciliationOut},
    summary="Start reconciling a bank account to a statement balance",
)
@idempotent
def reconciliation_create(request: OrgRequest, payload: ReconciliationIn) -> Any:
    rec = services.reconciliation_start(
        **service_args(request),
        bank_account=payload.bank_account_id,
        statement_date=payload.statement_date,
        statement_balance=payload.statement_balance,
        books_from=payload.books_from,
    )
    return HttpStatus(201, _out(rec))


@router.get(
    "/reconciliations/{int:reconciliation_id}",
    response=ReconciliationOut,
    summary="Get a reconciliation and its figures",
)
def reconciliation_get(request: OrgRequest, reconciliation_id: ReconciliationId) -> Any:
    return _out(_get(request, reconciliation_id))


@router.patch(
    "/reconciliations/{int:reconciliation_id}",
    response=ReconciliationOut,
    summary="Correct the statement balance of a reconciliation in progress",
)
def reconciliation_update(
    request: OrgRequest, reconciliation_id: ReconciliationId, payload: ReconciliationPatchIn
) -> Any:
    rec = services.reconciliation_update_balance(
        **service_args(request),
        reconciliation=_get(request, reconciliation_id),
        statement_balance=payload.statement_balance,
        expected_version=payload.version,
    )
    return _out(rec)


@router.delete(
    "/reconciliations/{int:reconciliation_id}",
    response={204: None},
    summary="Discard a reconciliation in progress",
)
def reconciliation_delete(request: OrgRequest, reconciliation_id: ReconciliationId) -> Any:
    services.reconciliation_discard(
        **service_args(request), reconciliation=_get(request, reconciliation_id)
    )
    return HttpStatus(204, None)


@router.post(
    "/reconciliations/{int:reconciliation_id}/finish",
    response=ReconciliationOut,
    summary="Finish (only at a difference of 0.00; 409 names the difference)",
)
def reconciliation_finish(request: OrgRequest, reconciliation_id: ReconciliationId) -> Any:
    rec = services.reconciliation_finish(
        **service_args(request), reconciliation=_get(request, reconciliation_id)
    )
    return _out(rec)


@router.post(
    "/reconciliations/{int:reconciliation_id}/reopen",
    response=ReconciliationOut,
    summary="Reopen the latest finished reconciliation of its account, with a reason",
)
def reconciliation_reopen(
    request: OrgRequest, reconciliation_id: ReconciliationId, payload: ReconciliationReopenIn
) -> Any:
    rec = services.reconciliation_reopen(
        **service_args(request),
        reconciliation=_get(request, reconciliation_id),
        reason=payload.reason,
    )
    return _out(rec)


OCTET_STREAM = "application/octet-stream"


def _file_response(content_type: str) -> dict[str, Any]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "200": {
            "description": "The reconciliation report, as an attachment (labelled "
            f"{OCTET_STREAM} when the request accepts only that).",
            "content": {content_type: binary, OCTET_STREAM: binary},
        }
    }


def _content_type(request: OrgRequest, native: str) -> str:
    """The report's own type, or application/octet-stream for a client that asks only for
    that (generated clients treat files as bytes)."""
    accept = request.headers.get("Accept", "")
    wanted = {part.split(";")[0].strip() for part in accept.split(",") if part.strip()}
    return OCTET_STREAM if wanted == {OCTET_STREAM} else native


def _report(request: OrgRequest, reconciliation_id: int, fmt: str) -> HttpResponse:
    rec = _get(request, reconciliation_id)
    org = request.org
    if fmt == "pdf":
        body = report.report_pdf(rec, organization_name=org.name, currency=org.currency)
        response = HttpResponse(body, content_type=_content_type(request, "application/pdf"))
    else:
        body = report.report_xlsx(rec, organization_name=org.name, currency=org.currency)
        response = HttpResponse(body, content_type=_content_type(request, XLSX_TYPE))
    response["Content-Disposition"] = f'attachment; filename="{report.filename(rec, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/reconciliations/{int:reconciliation_id}/report.pdf",
    response={200: None},
    summary="The reconciliation report as PDF",
    openapi_extra={"responses": _file_response("application/pdf")},
)
def reconciliation_report_pdf(request: OrgRequest, reconciliation_id: ReconciliationId) -> Any:
    return _report(request, reconciliation_id, "pdf")


@router.get(
    "/reconciliations/{int:reconciliation_id}/report.xlsx",
    response={200: None},
    summary="The reconciliation report as XLSX",
    openapi_extra={"responses": _file_response(XLSX_TYPE)},
)
def reconciliation_report_xlsx(request: OrgRequest, reconciliation_id: ReconciliationId) -> Any:
    return _report(request, reconciliation_id, "xlsx")
