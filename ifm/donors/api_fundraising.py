"""/api/v1 campaigns and appeals, and the receipt compliance view (Publication 1771 gaps)."""

from __future__ import annotations

from datetime import date as date_type
from decimal import Decimal
from typing import Annotated, Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.core.api import MAX_ID, InputSchema
from ifm.donors import selectors, services
from ifm.donors.models import Appeal, Campaign
from ifm.donors.receipts.selectors import compliance_gaps
from ifm.donors.schemas import money
from ifm.tenancy.permissions import require_perm

router = Router(tags=["campaigns and compliance"])

COMPLIANCE_LIMIT = 1000
ZERO = Decimal("0.00")


class CampaignOut(Schema):
    id: int
    name: str
    is_active: bool
    gifts: int = 0
    donors: int = 0
    raised: str = "0.00"


class CampaignIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)


class AppealOut(Schema):
    id: int
    name: str
    campaign_id: int | None
    is_active: bool


class AppealIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)


class GapOut(Schema):
    donation_id: int
    reference: str
    date: date_type
    donor_id: int
    donor_name: str
    amount: str
    goods_services_value: str


class ComplianceOut(Schema):
    year: int | None
    unacknowledged_count: int
    unacknowledged: list[GapOut]
    undisclosed_quid_pro_quo_count: int
    undisclosed_quid_pro_quo: list[GapOut]


def _campaign_out(campaign: Campaign, totals: dict[int, dict[str, Any]]) -> dict[str, Any]:
    row = totals.get(campaign.pk, {})
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "is_active": campaign.is_active,
        "gifts": row.get("count", 0),
        "donors": row.get("donors", 0),
        "raised": money(row.get("total") or ZERO),
    }


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns with what each raised")
def campaign_list(request: HttpRequest) -> Any:
    require_perm(request.access, "donors.view")  # type: ignore[attr-defined]
    totals = selectors.campaign_totals()
    return [_campaign_out(c, totals) for c in Campaign.objects.all()]


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    campaign = services.campaign_create(
        organization=request.org,  # type: ignore[attr-defined]
        actor=request.user,
        access=request.access,  # type: ignore[attr-defined]
        name=payload.name,
    )
    return HttpStatus(201, _campaign_out(campaign, {}))


@router.get("/appeals", response=list[AppealOut], summary="Appeals")
def appeal_list(request: HttpRequest) -> Any:
    require_perm(request.access, "donors.view")  # type: ignore[attr-defined]
    return list(Appeal.objects.all())


@router.post("/appeals", response={201: AppealOut}, summary="Create an appeal")
def appeal_create(request: HttpRequest, payload: AppealIn) -> Any:
    appeal = services.appeal_create(
        organization=request.org,  # type: ignore[attr-defined]
        actor=request.user,
        access=request.access,  # type: ignore[attr-defined]
        name=payload.name,
        campaign=cast(Any, payload.campaign_id),  # the service resolves an id in scope
    )
    return HttpStatus(201, appeal)


def _gap(donation: Any) -> dict[str, Any]:
    return {
        "donation_id": donation.pk,
        "reference": donation.reference,
        "date": donation.date,
        "donor_id": donation.donor_id,
        "donor_name": donation.donor.name,
        "amount": money(donation.amount),
        "goods_services_value": money(donation.goods_services_value),
    }


@router.get(
    "/receipts/compliance",
    response=ComplianceOut,
    summary="Gifts of $250 or more without an acknowledgment; quid-pro-quo payments without "
    "the disclosure",
)
def compliance(
    request: HttpRequest,
    year: Annotated[int | None, Query(ge=1900, le=2999, description="A tax year")] = None,
) -> Any:
    require_perm(request.access, "donors.view")  # type: ignore[attr-defined]
    gaps = compliance_gaps(organization=request.org, year=year)  # type: ignore[attr-defined]
    return {
        "year": year,
        "unacknowledged_count": gaps.unacknowledged.count(),
        "unacknowledged": [_gap(d) for d in gaps.unacknowledged[:COMPLIANCE_LIMIT]],
        "undisclosed_quid_pro_quo_count": gaps.undisclosed_quid_pro_quo.count(),
        "undisclosed_quid_pro_quo": [
            _gap(d) for d in gaps.undisclosed_quid_pro_quo[:COMPLIANCE_LIMIT]
        ],
    }
