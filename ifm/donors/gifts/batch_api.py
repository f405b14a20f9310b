"""/api/v1/gift-batches: open a batch with its defaults, list and read batches, add a gift (the
batch's defaults fill what is left out), change or remove a gift while the batch is open, and
post it as one deposit entry. The same services as the batch pages (gifts/batches.py)."""

from datetime import date as date_type
from datetime import datetime
from typing import Annotated, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from ninja import Field, Path, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import ApiDate, Id, Version
from ifm.donors.gifts import batches, selectors
from ifm.donors.gifts.schemas import DonationOut
from ifm.donors.models import BatchStatus, Donation, DonationStatus, GiftBatch, Method
from ifm.donors.schemas import Amount, money
from ifm.donors.validation import ZERO
from ifm.tenancy.permissions import require_perm

router = Router(tags=["gift batches"])

BatchId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
DonationId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


class GiftBatchIn(InputSchema):
    name: str = Field("", max_length=200, description='Blank: "Deposit <date>".')
    date: ApiDate = Field(..., description="The deposit date: the default date of its gifts.")
    expected_count: int = Field(..., ge=1, le=100_000, description="Gifts on the deposit slip.")
    expected_total: Amount = Field(..., description="The deposit slip's total.")
    deposit_account_id: Id | None = Field(
        None, description="A cash or bank account (null: undeposited funds)."
    )
    fund_id: Id | None = Field(None, description="The gifts' default fund (null: general fund).")
    method: Method = Field(Method.CHECK, description="The gifts' default method (money only).")
    campaign_id: Id | None = None
    appeal_id: Id | None = None


class GiftBatchOut(Schema):
    id: int
    name: str
    date: date_type
    expected_count: int
    expected_total: str
    gift_count: int = Field(..., description="Live gifts entered so far.")
    gift_total: str = Field(..., description="Their total.")
    status: BatchStatus
    deposit_account_id: int | None
    fund_id: int | None
    method: Method
    campaign_id: int | None
    appeal_id: int | None
    journal_entry_id: int | None = Field(..., description="The deposit entry, once posted.")
    posted_at: datetime | None
    version: int
    created_at: datetime

    @staticmethod
    def resolve_expected_total(obj: Any) -> str | None:
        return money(obj.expected_total)

    @staticmethod
    def resolve_gift_total(obj: Any) -> str | None:
        return money(obj.gift_total or ZERO)


class GiftBatchDetailOut(GiftBatchOut):
    gifts: list[DonationOut] = Field(..., description="Its live gifts, last entered first.")

    @staticmethod
    def resolve_gifts(obj: Any) -> list[Any]:
        return list(selectors.batch_gifts(obj).prefetch_related("soft_credits"))


class BatchGiftIn(InputSchema):
    """A gift for the batch: each field left out takes the batch's default."""

    donor_id: Id
    amount: Amount
    check_number: str = Field("", max_length=30)
    date: ApiDate | None = Field(None, description="Left out: the batch's date.")
    method: Method | None = Field(None, description="Left out: the batch's method.")
    fund_id: Id | None = Field(None, description="Left out: the batch's fund.")
    campaign_id: Id | None = Field(None, description="Left out: the batch's; null: none.")
    appeal_id: Id | None = Field(None, description="Left out: the batch's; null: none.")
    designation: str = Field("", max_length=500)
    anonymous: bool = False
    notes: str = Field("", max_length=5000)


class BatchGiftPatchIn(InputSchema):
    """The fields to change of a gift waiting in an open batch."""

    version: Version
    amount: Amount | None = None
    date: ApiDate | None = None
    method: Method | None = None
    check_number: str | None = Field(None, max_length=30)
    fund_id: Id | None = None
    campaign_id: Id | None = Field(None, description="null: no campaign.")
    appeal_id: Id | None = Field(None, description="null: no appeal.")
    designation: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=5000)


def _batches() -> QuerySet[GiftBatch]:
    live = ~Q(donations__status=DonationStatus.VOIDED)
    return GiftBatch.objects.annotate(
        gift_count=Count("donations", filter=live),
        gift_total=Sum("donations__amount", filter=live),
    )


def _batch(batch_id: int) -> GiftBatch:
    batch = _batches().filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


def _gift(batch: GiftBatch, donation_id: int) -> Donation:
    gift = Donation.objects.filter(batch=batch, pk=donation_id).first()
    if gift is None:
        raise Http404
    return gift


def _record(request: OrgRequest) -> None:
    require_perm(request.access, "donations.record")


# Request fields named by id -> the service's argument.
_LINKS = {"fund_id": "fund", "campaign_id": "campaign", "appeal_id": "appeal"}


def _given(payload: InputSchema, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client sent (null included), as the service's arguments."""
    data = payload.dict()
    return {
        _LINKS.get(name, name): data[name] for name in payload.model_fields_set if name not in skip
    }


@router.get("/gift-batches", response=list[GiftBatchOut], summary="List gift batches, newest first")
@paginated("-date")
def gift_batch_list(request: OrgRequest) -> QuerySet[GiftBatch]:
    _record(request)
    return _batches()


@router.post("/gift-batches", response={201: GiftBatchDetailOut}, summary="Open a gift batch")
@idempotent
def gift_batch_create(request: OrgRequest, payload: GiftBatchIn) -> Any:
    data = payload.dict()
    batch = batches.gift_batch_create(
        **service_args(request),
        name=data["name"],
        date=data["date"],
        expected_count=data["expected_count"],
        expected_total=data["expected_total"],
        deposit_account=data["deposit_account_id"],
        fund=data["fund_id"],
        method=data["method"],
        campaign=data["campaign_id"],
        appeal=data["appeal_id"],
    )
    return HttpStatus(201, _batch(batch.pk))


@router.get("/gift-batches/{int:batch_id}", response=GiftBatchDetailOut, summary="Get a gift batch")
def gift_batch_get(request: OrgRequest, batch_id: BatchId) -> Any:
    _record(request)
    return _batch(batch_id)


@router.post(
    "/gift-batches/{int:batch_id}/gifts",
    response={201: DonationOut},
    summary="Add a gift to an open batch",
    description=(
        "Each field left out takes the batch's default (date, method, fund, campaign, appeal); "
        "the deposit account is always the batch's. The gift is pending until the batch posts."
    ),
)
@idempotent
def gift_batch_add(request: OrgRequest, payload: BatchGiftIn, batch_id: BatchId) -> Any:
    batch = _batch(batch_id)
    data = payload.dict()
    gift = batches.gift_batch_add(
        **service_args(request),
        batch=batch,
        donor=data["donor_id"],
        amount=data["amount"],
        **_given(payload, skip=("donor_id", "amount")),
    )
    return HttpStatus(201, Donation.objects.select_related("donor").get(pk=gift.pk))


@router.patch(
    "/gift-batches/{int:batch_id}/gifts/{int:donation_id}",
    response=DonationOut,
    summary="Change a gift of an open batch",
    description="Only the fields sent change; `version` is the gift's (a stale one is a 409).",
)
def gift_batch_gift_update(
    request: OrgRequest, payload: BatchGiftPatchIn, batch_id: BatchId, donation_id: DonationId
) -> Any:
    batch = _batch(batch_id)
    gift = _gift(batch, donation_id)
    saved = batches.gift_batch_gift_update(
        **service_args(request),
        batch=batch,
        donation=gift,
        expected_version=payload.version,
        **_given(payload, skip=("version",)),
    )
    return Donation.objects.select_related("donor").get(pk=saved.pk)


@router.delete(
    "/gift-batches/{int:batch_id}/gifts/{int:donation_id}",
    response=GiftBatchDetailOut,
    summary="Remove a gift from an open batch",
    description="The gift never reached the ledger, so it is deleted; the batch is returned.",
)
def gift_batch_gift_remove(request: OrgRequest, batch_id: BatchId, donation_id: DonationId) -> Any:
    batch = _batch(batch_id)
    gift = _gift(batch, donation_id)
    batches.gift_batch_gift_remove(**service_args(request), batch=batch, donation=gift)
    return _batch(batch_id)


@router.post(
    "/gift-batches/{int:batch_id}/post",
    response=GiftBatchDetailOut,
    summary="Post a gift batch",
    description=(
        "When its gifts' count and total equal what was expected (else 422 naming "
        "`expected_count` or `expected_total`), the batch posts as one deposit entry: one "
        "debit of the total to the deposit account, one credit per fund and revenue account. "
        "Every gift then points at that entry (`journal_entry_id`)."
    ),
)
def gift_batch_post(request: OrgRequest, batch_id: BatchId) -> Any:
    batch = _batch(batch_id)
    batches.gift_batch_post(**service_args(request), batch=batch)
    return _batch(batch_id)
