"""/api/v1 periods and fiscal years: list them, close and reopen periods."""

from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api import paginated
from ifm.core.errors import ConflictError
from ifm.ledger.api_types import IdPath, QueryId, get_or_404
from ifm.ledger.models import FiscalYear, PeriodStatus
from ifm.ledger.models import Period as PeriodModel
from ifm.ledger.periods import selectors, services
from ifm.ledger.periods.schemas import (
    ClosePlanOut,
    CloseThroughIn,
    CloseThroughOut,
    FiscalYearOut,
    PeriodOut,
    ReopenIn,
)
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])


@router.get("/periods", response=list[PeriodOut], summary="List periods")
@paginated("start_date")
def period_list(
    request: OrgRequest,
    fiscal_year: QueryId = None,
    status: Annotated[PeriodStatus | None, Query()] = None,
) -> QuerySet[PeriodModel]:
    require_perm(request.access, "ledger.view")
    qs = PeriodModel.objects.all()
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year_id=fiscal_year)
    if status is not None:
        qs = qs.filter(status=status.value)
    return qs


@router.post(
    "/periods/{int:period_id}/close",
    response=PeriodOut,
    summary="Close a period (every earlier period must be closed: 422 otherwise)",
)
def period_close(request: OrgRequest, period_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.close_periods")
    period = get_or_404(PeriodModel, period_id)
    if period.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"The period {period.name} is already closed.")
    return services.period_close(
        organization=request.org, actor=request.user, access=request.access, period=period
    )


@router.get(
    "/periods/{int:period_id}/close-plan",
    response=ClosePlanOut,
    summary="What closing the books through a period would lock",
)
def period_close_plan(request: OrgRequest, period_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.view")
    plan = selectors.period_close_plan(period=get_or_404(PeriodModel, period_id))
    return {
        "through_id": plan.through.pk,
        "through": plan.through.name,
        "periods": [
            {
                "id": p.pk,
                "name": p.name,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "entry_count": count,
            }
            for p, count in plan.periods
        ],
        "entry_count": plan.entry_count,
    }


@router.post(
    "/periods/{int:period_id}/close-through",
    response=CloseThroughOut,
    summary="Close the books through a period (every open period up to it, at once)",
)
def books_close_through(
    request: OrgRequest, payload: CloseThroughIn, period_id: int = IdPath
) -> Any:
    require_perm(request.access, "ledger.close_periods")
    closed = services.books_close_through(
        organization=request.org,
        actor=request.user,
        access=request.access,
        period=get_or_404(PeriodModel, period_id),
        expected=payload.expected_period_ids,
    )
    return {"closed": closed}


@router.post("/periods/{int:period_id}/reopen", response=PeriodOut, summary="Reopen a period")
def period_reopen(request: OrgRequest, payload: ReopenIn, period_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.close_periods")
    period = get_or_404(PeriodModel, period_id)
    if period.status == PeriodStatus.OPEN:
        raise ConflictError(message=f"The period {period.name} is already open.")
    if period.fiscal_year.status == PeriodStatus.CLOSED:
        raise ConflictError(
            message=f"The fiscal year {period.fiscal_year.name} is closed: reopen the year first."
        )
    return services.period_reopen(
        organization=request.org,
        actor=request.user,
        access=request.access,
        period=period,
        reason=payload.reason,
    )


@router.get("/fiscal-years", response=list[FiscalYearOut], summary="List fiscal years")
@paginated("start_date")
def fiscal_year_list(request: OrgRequest) -> QuerySet[FiscalYear]:
    require_perm(request.access, "ledger.view")
    return FiscalYear.objects.all()
