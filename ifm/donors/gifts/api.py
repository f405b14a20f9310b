"""/api/v1/donations (record, list, get, change, void), /api/v1/campaigns and /api/v1/appeals."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, cast

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import ApiDate, DateText, Version
from ifm.donors.gifts import selectors, services
from ifm.donors.gifts.schemas import SOFT_CREDIT_LIST, DonationIn, DonationOut, DonationPatchIn
from ifm.donors.models import Appeal, Campaign, Donation, SoftCredit
from ifm.donors.schemas import Amount, DonationStatusIn, MethodIn, money
from ifm.tenancy.permissions import require_perm

router = Router(tags=["donors"])

DonationId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
CampaignId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _view(request: OrgRequest) -> None:
    require_perm(request.access, "donors.view")


def _donation(donation_id: int) -> Donation:
    donation = (
        Donation.objects.select_related("donor")
        .prefetch_related("soft_credits")
        .filter(pk=donation_id)
        .first()
    )
    if donation is None:
        raise Http404
    return donation


@router.post("/donations", response={201: DonationOut}, summary="Record a donation")
@idempotent
def donation_record(request: OrgRequest, payload: DonationIn) -> Any:
    data = payload.dict()
    donation = services.donation_record(
        **service_args(request),
        donor=data["donor_id"],
        amount=data["amount"],
        date=data["date"],
        method=data["method"],
        fund=data["fund_id"],
        check_number=data["check_number"],
        description=data["description"],
        goods_services_description=data["goods_services_description"],
        goods_services_value=data["goods_services_value"],
        campaign=data["campaign_id"],
        appeal=data["appeal_id"],
        designation=data["designation"],
        anonymous=data["anonymous"],
        notes=data["notes"],
        soft_credits=[
            {"donor": s["donor_id"], "amount": s["amount"]} for s in data["soft_credits"]
        ],
        pledge=data["pledge_id"],
        pledge_overpayment=data["pledge_overpayment"],
        recurring=data["recurring_id"],
        batch=data["batch_id"],
        deposit_account=data["deposit_account_id"],
    )
    return HttpStatus(201, _donation(donation.pk))


@router.get("/donations", response=list[DonationOut], summary="List donations, newest first")
@paginated("-date")
def donation_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Search the donors")] = "",
    status: DonationStatusIn | None = None,
    method: MethodIn | None = None,
    fund_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    campaign_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    appeal_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: Annotated[date | None, DateText] = None,
    date_to: Annotated[date | None, DateText] = None,
) -> QuerySet[Donation]:
    """The same filters as the donations page and its export."""
    _view(request)
    rows = selectors.donation_list(
        q=q,
        status=status.value if status else "",
        method=method.value if method else "",
        fund_id=fund_id,
        campaign_id=campaign_id,
        appeal_id=appeal_id,
        date_from=date_from,
        date_to=date_to,
    )
    # DonationOut reads the donor's name and only the ids of the fund, campaign and appeal:
    # join the donor alone (the selector's other joins serve the page and the export). The
    # soft credits go to a list: a prefetch into the related manager builds a filtered
    # queryset per donation, which cost more than the rest of the page.
    return (
        rows.select_related(None)
        .select_related("donor")
        .prefetch_related(Prefetch("soft_credits", SoftCredit.objects.all(), SOFT_CREDIT_LIST))
    )


@router.get("/donations/{int:donation_id}", response=DonationOut, summary="Get a donation")
def donation_get(request: OrgRequest, donation_id: DonationId) -> Any:
    _view(request)
    return _donation(donation_id)


# API field -> service argument; a null on these clears the link.
_PATCH_FIELDS = {
    "fund_id": "fund",
    "campaign_id": "campaign",
    "appeal_id": "appeal",
    "deposit_account_id": "deposit_account",
    "pledge_id": "pledge",
}
_CLEARABLE = {"campaign_id", "appeal_id", "deposit_account_id", "pledge_id"}


@router.patch(
    "/donations/{int:donation_id}",
    response=DonationOut,
    summary="Change a donation",
    description=(
        "The same change as the donation's edit page: a new amount, date, method, fund or "
        "deposit account of a posted gift reverses its entry and posts a new one, and a receipt "
        "that no longer states the gift is no longer current (`is_current` false) until a "
        "corrected one is issued. `version` is the one you read: a stale one is a 409."
    ),
)
def donation_update(request: OrgRequest, donation_id: DonationId, payload: DonationPatchIn) -> Any:
    donation = _donation(donation_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    changes = {k: v for k, v in changes.items() if v is not None or k in _CLEARABLE}
    services.donation_update(
        **service_args(request),
        donation=donation,
        expected_version=version,
        **{_PATCH_FIELDS.get(k, k): v for k, v in changes.items()},
    )
    return _donation(donation_id)


campaigns_router = Router(tags=["campaigns and compliance"])
ZERO = Decimal("0.00")


class CampaignOut(Schema):
    id: int
    name: str
    is_active: bool
    gifts: int = 0
    donors: int = 0
    raised: str = "0.00"
    goal: str | None = Field(None, description="What it means to raise (null: no goal).")
    progress_percent: int | None = Field(
        None, description="Raised as a whole percentage of the goal (may pass 100)."
    )
    start_date: date | None = None
    end_date: date | None = None
    version: int = 1


class CampaignIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    goal: Amount | None = None
    start_date: ApiDate | None = None
    end_date: ApiDate | None = Field(None, description="Not before `start_date`.")


class CampaignPatchIn(InputSchema):
    """Only the fields sent change; null clears the goal or a date."""

    version: Version
    name: str | None = Field(None, min_length=1, max_length=200)
    goal: Amount | None = None
    start_date: ApiDate | None = None
    end_date: ApiDate | None = None
    is_active: bool | None = None


class AppealOut(Schema):
    id: int
    name: str
    campaign_id: int | None
    is_active: bool


class AppealIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)


def _campaign_out(campaign: Campaign, totals: dict[int, dict[str, Any]]) -> dict[str, Any]:
    row = totals.get(campaign.pk, {})
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "is_active": campaign.is_active,
        "gifts": row.get("count", 0),
        "donors": row.get("donors", 0),
        "raised": money(row.get("total") or ZERO),
        "goal": money(campaign.goal) if campaign.goal is not None else None,
        "progress_percent": selectors.campaign_progress(campaign, row.get("total"))["percent"],
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "version": campaign.version,
    }


@campaigns_router.get(
    "/campaigns", response=list[CampaignOut], summary="Campaigns with what each raised"
)
def campaign_list(request: OrgRequest) -> Any:
    require_perm(request.access, "donors.view")
    totals = selectors.campaign_totals()
    return [_campaign_out(c, totals) for c in Campaign.objects.all()]


@campaigns_router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign")
def campaign_create(request: OrgRequest, payload: CampaignIn) -> Any:
    campaign = services.campaign_create(
        organization=request.org,
        actor=request.user,
        access=request.access,
        name=payload.name,
        goal=payload.goal,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    return HttpStatus(201, _campaign_out(campaign, {}))


@campaigns_router.patch(
    "/campaigns/{int:campaign_id}", response=CampaignOut, summary="Change a campaign"
)
def campaign_update(request: OrgRequest, payload: CampaignPatchIn, campaign_id: CampaignId) -> Any:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    data = payload.dict()
    saved = services.campaign_update(
        **service_args(request),
        campaign=campaign,
        expected_version=payload.version,
        **{k: data[k] for k in payload.model_fields_set if k != "version"},
    )
    return _campaign_out(saved, selectors.campaign_totals())


@campaigns_router.get("/appeals", response=list[AppealOut], summary="Appeals")
def appeal_list(request: OrgRequest) -> Any:
    require_perm(request.access, "donors.view")
    return list(Appeal.objects.all())


@campaigns_router.post("/appeals", response={201: AppealOut}, summary="Create an appeal")
def appeal_create(request: OrgRequest, payload: AppealIn) -> Any:
    appeal = services.appeal_create(
        organization=request.org,
        actor=request.user,
        access=request.access,
        name=payload.name,
        campaign=cast(Any, payload.campaign_id),  # the service resolves an id in scope
    )
    return HttpStatus(201, appeal)
