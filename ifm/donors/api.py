"""/api/v1/donors and /api/v1/donations: donors, their search and giving; recording, reading
and voiding donations (each posted to the ledger in the same transaction)."""

from datetime import date
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.core.api import MAX_ID, idempotent, paginated
from ifm.core.api_types import DateText
from ifm.core.pages import service_args
from ifm.donors import selectors, services
from ifm.donors.imports.api import DonationStatusIn, MethodIn
from ifm.donors.models import Donation, Donor
from ifm.donors.schemas import (
    DonationIn,
    DonationOut,
    DonorIn,
    DonorListOut,
    DonorOut,
    DonorPatchIn,
    VoidIn,
)
from ifm.tenancy.permissions import require_perm

router = Router(tags=["donors"])

DonorId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
DonationId = Annotated[int, Path(..., ge=1, le=MAX_ID)]

_DONOR_FKS = {"household_id": "household"}


def _view(request: HttpRequest) -> None:
    require_perm(request.access, "donors.view")  # type: ignore[attr-defined]


def _donor(donor_id: int) -> Donor:
    donor = (
        Donor.objects.prefetch_related("tags", "emails", "phones", "addresses")
        .filter(pk=donor_id)
        .first()
    )
    if donor is None:
        raise Http404
    return donor


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


@router.get("/donors", response=list[DonorListOut], summary="List or search donors")
@paginated("name_norm")
def donor_list(
    request: HttpRequest,
    q: Annotated[
        str, Query(max_length=200, description="Words matched in name, email, phone, postal code.")
    ] = "",
    include_inactive: Annotated[bool, Query(description="Also inactive donors.")] = False,
) -> QuerySet[Donor]:
    _view(request)
    return selectors.donor_search(q, include_inactive=include_inactive)


@router.get("/donors/{int:donor_id}", response=DonorOut, summary="Get a donor and their giving")
def donor_get(request: HttpRequest, donor_id: DonorId) -> Any:
    _view(request)
    return _donor(donor_id)


@router.post("/donors", response={201: DonorOut}, summary="Create a donor")
@idempotent
def donor_create(request: HttpRequest, payload: DonorIn) -> Any:
    data = payload.dict(exclude_none=True)
    tags = data.pop("tags", ())
    confirm = data.pop("confirm_duplicate", False)
    donor = services.donor_create(
        **service_args(request),
        confirm_duplicate=confirm,
        tags=tags,
        **{_DONOR_FKS.get(k, k): v for k, v in data.items()},
    )
    return HttpStatus(201, _donor(donor.pk))


@router.patch("/donors/{int:donor_id}", response=DonorOut, summary="Change a donor")
def donor_update(request: HttpRequest, donor_id: DonorId, payload: DonorPatchIn) -> Any:
    donor = _donor(donor_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    tags = changes.pop("tags", None)
    contacts = {k: changes.pop(k) for k in ("emails", "phones", "addresses") if k in changes}
    contacts = {k: v for k, v in contacts.items() if v is not None}
    # null clears the household; on other fields it means "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "household_id"}
    services.donor_update(
        **service_args(request),
        donor=donor,
        expected_version=version,
        tags=tags,
        **contacts,
        **{_DONOR_FKS.get(k, k): v for k, v in changes.items()},
    )
    return _donor(donor_id)


@router.post("/donations", response={201: DonationOut}, summary="Record a donation")
@idempotent
def donation_record(request: HttpRequest, payload: DonationIn) -> Any:
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
    request: HttpRequest,
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
    return selectors.donation_list(
        q=q,
        status=status.value if status else "",
        method=method.value if method else "",
        fund_id=fund_id,
        campaign_id=campaign_id,
        appeal_id=appeal_id,
        date_from=date_from,
        date_to=date_to,
    ).prefetch_related("soft_credits")


@router.get("/donations/{int:donation_id}", response=DonationOut, summary="Get a donation")
def donation_get(request: HttpRequest, donation_id: DonationId) -> Any:
    _view(request)
    return _donation(donation_id)


@router.post(
    "/donations/{int:donation_id}/void",
    response=DonationOut,
    summary="Void a donation (its ledger entry is reversed)",
)
def donation_void(request: HttpRequest, donation_id: DonationId, payload: VoidIn) -> Any:
    donation = services.donation_void(
        **service_args(request), donation=_donation(donation_id), reason=payload.reason
    )
    return _donation(donation.pk)
