"""/api/v1 receipt endpoints: issue, download, correct, void, email, year-end statement runs;
and a donation's void, which voids the donation's receipts with it.

Thin: each operation checks the permission, fetches the organization's rows (another
organization's id is a 404, like a missing one) and calls the receipt services.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import Http404, HttpResponse
from ninja import Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import Version
from ifm.donors.gifts.schemas import DonationOut
from ifm.donors.models import Donation, ReceiptRun, TaxReceipt
from ifm.donors.receipts import delivery, follow, issue, services
from ifm.donors.receipts.selectors import receipt_is_current
from ifm.tenancy.permissions import require_perm

router = Router(tags=["receipts"])

Id = Annotated[int, Path(..., ge=1, le=MAX_ID)]

_PDF_CONTENT = {
    "200": {
        "description": "The receipt letter as PDF.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class TaxReceiptOut(Schema):
    id: int
    number: int
    kind: str
    donor_id: int
    household_id: int | None = Field(
        ..., description="Set on a joint receipt, issued to the donor's household."
    )
    donation_ids: list[int]
    tax_year: int | None
    total_amount: str = Field(..., description='Cash gifts acknowledged, e.g. "1250.00".')
    deductible_amount: str = Field(..., description="Total less goods or services provided.")
    issued_at: datetime
    replaces_id: int | None
    replaces_number: int | None
    voided_at: datetime | None
    void_reason: str
    is_current: bool = Field(
        ...,
        description="Stands (not voided, not replaced) and still states its gifts as they are; "
        "false once a gift's amount, date, goods or services, description or donor was changed "
        "(issue a correction).",
    )
    delivery: str
    delivery_status: str
    delivery_error: str
    attempts: int

    @staticmethod
    def resolve_donation_ids(obj: TaxReceipt) -> list[int]:
        return list(obj.content_data.get("donation_ids", []))

    @staticmethod
    def resolve_is_current(obj: TaxReceipt) -> bool:
        return receipt_is_current(obj)

    @staticmethod
    def resolve_replaces_number(obj: TaxReceipt) -> int | None:
        return obj.replaces.number if obj.replaces_id and obj.replaces else None

    @staticmethod
    def resolve_total_amount(obj: TaxReceipt) -> str:
        return f"{obj.total_amount:.2f}"

    @staticmethod
    def resolve_deductible_amount(obj: TaxReceipt) -> str:
        return f"{obj.deductible_amount:.2f}"


class RunOut(Schema):
    id: int
    tax_year: int
    joint: bool
    status: str
    total: int
    done: int
    percent: int
    created: int
    error: str
    created_at: datetime
    finished_at: datetime | None


class VoidIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class SendIn(InputSchema):
    to: str = Field("", max_length=254, description="Defaults to the donor's email.")


def _receipt(request: OrgRequest, receipt_id: int) -> TaxReceipt:
    receipt = TaxReceipt.objects.select_related("replaces").filter(pk=receipt_id).first()
    if receipt is None:
        raise Http404
    return receipt


@router.post(
    "/donations/{int:donation_id}/receipt",
    response={201: TaxReceiptOut},
    summary="Issue the tax receipt of a donation",
)
@idempotent
def receipt_issue(
    request: OrgRequest,
    donation_id: Id,
    joint: Annotated[
        bool,
        Query(description="Issue it to the donor's household (a 422 if the donor has none)."),
    ] = False,
) -> Any:
    require_perm(request.access, "receipts.issue")
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        raise Http404
    receipt = issue.receipt_issue(**service_args(request), donation=donation, joint=joint)
    return Status(201, _receipt(request, receipt.pk))


@router.post(
    "/donations/{int:donation_id}/void",
    response=DonationOut,
    tags=["donors"],
    summary="Void a donation (its ledger entry is reversed, its standing receipts voided)",
)
def donation_void(request: OrgRequest, donation_id: Id, payload: VoidIn) -> Any:
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        raise Http404
    done = follow.donation_void(**service_args(request), donation=donation, reason=payload.reason)
    return (
        Donation.objects.select_related("donor")
        .prefetch_related("soft_credits")
        .get(pk=done.donation.pk)
    )


@router.get("/receipts", response=list[TaxReceiptOut], summary="List tax receipts")
@paginated("-number")
def receipt_list(
    request: OrgRequest,
    donor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    tax_year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> Any:
    require_perm(request.access, "donors.view")
    qs = TaxReceipt.objects.select_related("replaces", "replaced_by").prefetch_related("donations")
    if donor_id is not None:
        qs = qs.filter(donor_id=donor_id)
    if tax_year is not None:
        qs = qs.filter(tax_year=tax_year)
    return qs


@router.get("/receipts/{int:tax_receipt_id}", response=TaxReceiptOut, summary="Get a tax receipt")
def receipt_get(request: OrgRequest, tax_receipt_id: Id) -> Any:
    require_perm(request.access, "donors.view")
    return _receipt(request, tax_receipt_id)


@router.get(
    "/receipts/{int:tax_receipt_id}/pdf",
    response={200: None},
    summary="Download a tax receipt as PDF",
    openapi_extra={"responses": _PDF_CONTENT},
)
def receipt_pdf(request: OrgRequest, tax_receipt_id: Id) -> Any:
    require_perm(request.access, "donors.view")
    receipt = _receipt(request, tax_receipt_id)
    response = HttpResponse(
        delivery.receipt_pdf_bytes(receipt=receipt), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{receipt.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/receipts/{int:tax_receipt_id}/correct",
    response={201: TaxReceiptOut},
    summary="Issue a corrected receipt that replaces this one",
)
@idempotent
def receipt_correct(request: OrgRequest, tax_receipt_id: Id) -> Any:
    require_perm(request.access, "receipts.issue")
    old = _receipt(request, tax_receipt_id)
    new = issue.receipt_correct(**service_args(request), receipt=old)
    return Status(201, _receipt(request, new.pk))


@router.post(
    "/receipts/{int:tax_receipt_id}/void", response=TaxReceiptOut, summary="Void a tax receipt"
)
def receipt_void(request: OrgRequest, payload: VoidIn, tax_receipt_id: Id) -> Any:
    require_perm(request.access, "receipts.issue")
    receipt = _receipt(request, tax_receipt_id)
    issue.receipt_void(**service_args(request), receipt=receipt, reason=payload.reason)
    return _receipt(request, tax_receipt_id)


@router.post(
    "/receipts/{int:tax_receipt_id}/send",
    response={202: TaxReceiptOut},
    summary="Email a tax receipt with its PDF (a background job; see delivery_status)",
)
def receipt_send(request: OrgRequest, payload: SendIn, tax_receipt_id: Id) -> Any:
    require_perm(request.access, "receipts.issue")
    receipt = _receipt(request, tax_receipt_id)
    services.receipt_send(**service_args(request), receipt=receipt, to=payload.to)
    return Status(202, _receipt(request, tax_receipt_id))


@router.post(
    "/receipts/year-end",
    response={202: RunOut},
    summary="Start issuing year-end statements for a tax year (a background job)",
)
def year_end_start(
    request: OrgRequest,
    year: Annotated[int, Query(ge=1900, le=2200, description="The tax (calendar) year.")],
    joint: Annotated[
        bool,
        Query(
            description="One statement per household (its members' gifts together); donors "
            "of no household get their own."
        ),
    ] = False,
) -> Any:
    require_perm(request.access, "receipts.issue")
    run = services.year_end_statements_start(**service_args(request), year=year, joint=joint)
    return Status(202, run)


@router.get(
    "/receipts/runs/{int:receipt_run_id}",
    response=RunOut,
    summary="Progress of a year-end statement run",
)
def run_get(request: OrgRequest, receipt_run_id: Id) -> Any:
    require_perm(request.access, "donors.view")
    run = ReceiptRun.objects.filter(pk=receipt_run_id).first()
    if run is None:
        raise Http404
    return run


# --- Settings ----------------------------------------------------------------------------------


class ReceiptSettingsOut(Schema):
    letter_template: str
    thank_you_text: str
    signature_name: str = Field(..., description="Who signs the letters.")
    signature_title: str = Field(..., description="The signer's title.")
    intangible_religious_benefits_only: bool
    email_subject: str
    email_body: str
    has_logo: bool = Field(
        ..., description="The letters have their own logo (else the organization's is used)."
    )
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_has_logo(obj: Any) -> bool:
        return bool(obj.logo)


class ReceiptSettingsPatchIn(InputSchema):
    letter_template: str | None = Field(None, min_length=1, max_length=50_000)
    thank_you_text: str | None = Field(None, min_length=1, max_length=2000)
    signature_name: str | None = Field(None, max_length=200)
    signature_title: str | None = Field(None, max_length=200)
    intangible_religious_benefits_only: bool | None = None
    email_subject: str | None = Field(None, min_length=1, max_length=200)
    email_body: str | None = Field(None, min_length=1, max_length=5000)
    version: Version


@router.get(
    "/receipt-settings", response=ReceiptSettingsOut, summary="The receipt letter and email"
)
def receipt_settings_get(request: OrgRequest) -> Any:
    require_perm(request.access, "donors.configure")
    return issue.receipt_settings_get(organization=request.org)


@router.patch(
    "/receipt-settings",
    response=ReceiptSettingsOut,
    summary="Change the receipt letter, signer and email (with the version read)",
    description="A letter template is checked in the letter sandbox before it is saved: one "
    "it refuses (a tag or filter letters may not use, too much work) is a 422 naming "
    "`letter_template`. Fields left out are unchanged.",
)
def receipt_settings_update(request: OrgRequest, payload: ReceiptSettingsPatchIn) -> Any:
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = changes.pop("version")
    issue.receipt_settings_update(**service_args(request), expected_version=version, **changes)
    return issue.receipt_settings_get(organization=request.org)
