"""/api/v1/pledges and /api/v1/recurring-gifts: pledges with their installments, what was paid
and what is due; recurring gifts with their next date, paused, resumed or ended.

Gifts are applied to a pledge or a recurring gift by POST /api/v1/donations with `pledge_id` or
`recurring_id` (a gift larger than what the pledge still owes needs `pledge_overpayment`).
Amounts are decimal strings.
"""

from datetime import date as date_type
from datetime import datetime
from typing import Annotated, Any

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, InputSchema, idempotent, paginated
from ifm.core.api_types import ApiDate, Id
from ifm.donors.models import (
    DonationStatus,
    Frequency,
    Method,
    Pledge,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
)
from ifm.donors.pledges import selectors, services
from ifm.donors.schemas import Amount, money
from ifm.tenancy.permissions import require_perm

router = Router(tags=["pledges"])

PledgeId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
RecurringId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _view(request: OrgRequest) -> None:
    require_perm(request.access, "donors.view")


def _record(request: OrgRequest) -> None:
    require_perm(request.access, "donations.record")


def _pledge(pledge_id: int) -> Pledge:
    pledge = selectors.pledge_get(pledge_id)
    if pledge is None:
        raise Http404
    return pledge


def _recurring(recurring_id: int) -> RecurringGift:
    gift = selectors.recurring_get(recurring_id)
    if gift is None:
        raise Http404
    return gift


# --- Schemas -----------------------------------------------------------------------------------


class InstallmentIn(InputSchema):
    due_date: ApiDate
    amount: Amount


class PledgeIn(InputSchema):
    donor_id: Id
    total: Amount
    date: ApiDate = Field(..., description="The pledge date; one installment falls due on it.")
    fund_id: Id
    campaign_id: Id | None = None
    notes: str = Field("", max_length=2000)
    installments: list[InstallmentIn] = Field(
        [],
        max_length=120,
        description="The schedule, adding up to the total. Empty: one payment on `date`.",
    )
    installment_count: int | None = Field(
        None,
        ge=1,
        le=120,
        description="Instead of `installments`: this many equal installments from `date`.",
    )
    frequency: Frequency = Field(
        Frequency.MONTHLY, description="How often the `installment_count` installments fall due."
    )


class PledgeCancelIn(InputSchema):
    reason: str = Field(
        ..., min_length=1, max_length=500, description="Why: kept on the pledge and audited."
    )


class InstallmentOut(Schema):
    id: int
    due_date: date_type
    amount: str
    paid: str = Field(..., description="The part of the payments covering it (earliest first).")
    status: str = Field(..., description="paid, partly_paid, due, overdue or cancelled.")


class PaymentOut(Schema):
    donation_id: int
    date: date_type
    amount: str
    status: DonationStatus


class PledgeListOut(Schema):
    id: int
    donor_id: int
    donor_name: str
    date: date_type
    total: str
    paid: str = Field(..., description="Posted (active) gifts applied to the pledge.")
    balance_due: str = Field(..., description="What is still due; 0.00 once cancelled.")
    fund_id: int
    campaign_id: int | None
    status: PledgeStatus
    notes: str
    cancel_reason: str = Field(..., description="Why it was cancelled; empty unless cancelled.")
    cancelled_at: datetime | None
    version: int
    created_at: datetime

    @staticmethod
    def resolve_donor_name(obj: Any) -> str:
        return str(obj.donor.name)

    @staticmethod
    def resolve_total(obj: Any) -> str | None:
        return money(obj.total)

    @staticmethod
    def resolve_paid(obj: Any) -> str | None:
        return money(obj.paid_amount)

    @staticmethod
    def resolve_balance_due(obj: Any) -> str | None:
        return money(obj.balance_amount)


class PledgeOut(PledgeListOut):
    installments: list[InstallmentOut]
    payments: list[PaymentOut]

    @staticmethod
    def resolve_installments(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": row.id,
                "due_date": row.due_date,
                "amount": money(row.amount),
                "paid": money(row.paid),
                "status": row.status,
            }
            for row in selectors.pledge_schedule(obj)
        ]

    @staticmethod
    def resolve_payments(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "donation_id": d.pk,
                "date": d.date,
                "amount": money(d.amount),
                "status": d.status,
            }
            for d in selectors.pledge_payments(obj)
        ]


class RecurringIn(InputSchema):
    donor_id: Id
    amount: Amount
    frequency: Frequency
    fund_id: Id
    method: Method = Field(Method.CARD, description="Not in-kind or stock.")
    start_date: ApiDate = Field(..., description="The first gift: the next date to start with.")
    end_date: ApiDate | None = Field(None, description="No gift is expected after it.")


class RecurringOut(Schema):
    id: int
    donor_id: int
    donor_name: str
    amount: str
    frequency: Frequency
    method: Method
    fund_id: int
    start_date: date_type
    next_date: date_type | None
    end_date: date_type | None
    status: RecurringStatus
    overdue: bool = Field(
        ...,
        description=(
            f"Active, and the next gift more than {selectors.OVERDUE_AFTER.days} days late."
        ),
    )
    version: int
    created_at: datetime

    @staticmethod
    def resolve_donor_name(obj: Any) -> str:
        return str(obj.donor.name)

    @staticmethod
    def resolve_amount(obj: Any) -> str | None:
        return money(obj.amount)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return selectors.is_overdue(obj)


# --- Pledges -----------------------------------------------------------------------------------


@router.get("/pledges", response=list[PledgeListOut], summary="List pledges, newest first")
@paginated("-date")
def pledge_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Words matched in the donor.")] = "",
    status: Annotated[PledgeStatus | None, Query()] = None,
    campaign_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    donor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Any:
    _view(request)
    return selectors.pledge_list(
        q=q, status=status or "", campaign_id=campaign_id, donor_id=donor_id
    )


@router.post("/pledges", response={201: PledgeOut}, summary="Create a pledge")
@idempotent
def pledge_create(request: OrgRequest, payload: PledgeIn) -> Any:
    data = payload.dict()
    pledge = services.pledge_create(
        **service_args(request),
        donor=data["donor_id"],
        total=data["total"],
        date=data["date"],
        fund=data["fund_id"],
        campaign=data["campaign_id"],
        notes=data["notes"],
        installments=[(i["due_date"], i["amount"]) for i in data["installments"]],
        installment_count=data["installment_count"],
        frequency=data["frequency"],
    )
    return HttpStatus(201, _pledge(pledge.pk))


@router.get("/pledges/{int:pledge_id}", response=PledgeOut, summary="Get a pledge")
def pledge_get(request: OrgRequest, pledge_id: PledgeId) -> Any:
    _view(request)
    return _pledge(pledge_id)


@router.post(
    "/pledges/{int:pledge_id}/cancel",
    response=PledgeOut,
    summary="Cancel a pledge, saying why (gifts applied stay; nothing more is due)",
)
def pledge_cancel(request: OrgRequest, pledge_id: PledgeId, payload: PledgeCancelIn) -> Any:
    _record(request)
    services.pledge_cancel(
        **service_args(request), pledge=_pledge(pledge_id), reason=payload.reason
    )
    return _pledge(pledge_id)


# --- Recurring gifts ---------------------------------------------------------------------------


@router.get(
    "/recurring-gifts", response=list[RecurringOut], summary="List recurring gifts, newest first"
)
@paginated("-start_date")
def recurring_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Words matched in the donor.")] = "",
    status: Annotated[RecurringStatus | None, Query()] = None,
    overdue: Annotated[bool, Query(description="Only the overdue ones.")] = False,
    donor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Any:
    _view(request)
    return selectors.recurring_list(q=q, status=status or "", overdue=overdue, donor_id=donor_id)


@router.post("/recurring-gifts", response={201: RecurringOut}, summary="Set up a recurring gift")
@idempotent
def recurring_create(request: OrgRequest, payload: RecurringIn) -> Any:
    data = payload.dict()
    gift = services.recurring_gift_create(
        **service_args(request),
        donor=data["donor_id"],
        amount=data["amount"],
        frequency=data["frequency"],
        fund=data["fund_id"],
        method=data["method"],
        start_date=data["start_date"],
        end_date=data["end_date"],
    )
    return HttpStatus(201, _recurring(gift.pk))


@router.get(
    "/recurring-gifts/{int:recurring_id}", response=RecurringOut, summary="Get a recurring gift"
)
def recurring_get(request: OrgRequest, recurring_id: RecurringId) -> Any:
    _view(request)
    return _recurring(recurring_id)


def _set_status(request: OrgRequest, recurring_id: int, status: str) -> Any:
    _record(request)
    gift = _recurring(recurring_id)
    services.recurring_gift_set_status(
        **service_args(request), gift=gift, status=status, expected_version=gift.version
    )
    return _recurring(recurring_id)


@router.post(
    "/recurring-gifts/{int:recurring_id}/pause",
    response=RecurringOut,
    summary="Pause a recurring gift",
)
def recurring_pause(request: OrgRequest, recurring_id: RecurringId) -> Any:
    return _set_status(request, recurring_id, RecurringStatus.PAUSED)


@router.post(
    "/recurring-gifts/{int:recurring_id}/resume",
    response=RecurringOut,
    summary="Resume a paused or lapsed recurring gift",
)
def recurring_resume(request: OrgRequest, recurring_id: RecurringId) -> Any:
    return _set_status(request, recurring_id, RecurringStatus.ACTIVE)


@router.post(
    "/recurring-gifts/{int:recurring_id}/end",
    response=RecurringOut,
    summary="End a recurring gift (it cannot restart)",
)
def recurring_end(request: OrgRequest, recurring_id: RecurringId) -> Any:
    return _set_status(request, recurring_id, RecurringStatus.ENDED)
