"""/api/v1 closing a fiscal year."""

from typing import Any

from ninja import Router

from ifm.accounts.http import OrgRequest
from ifm.core.errors import ConflictError
from ifm.ledger.api_types import IdPath, get_or_404
from ifm.ledger.closing import services
from ifm.ledger.models import FiscalYear, PeriodStatus
from ifm.ledger.periods.schemas import FiscalYearCloseOut
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])


@router.post(
    "/fiscal-years/{int:fiscal_year_id}/close",
    response=FiscalYearCloseOut,
    summary="Close a fiscal year",
    description=(
        "Moves revenue and expenses into net assets by class, and closes its periods. "
        "Refused (422) until the year has ended, and while an earlier year is still open."
    ),
)
def fiscal_year_close(request: OrgRequest, fiscal_year_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.close_periods")
    fiscal_year = get_or_404(FiscalYear, fiscal_year_id)
    if fiscal_year.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"{fiscal_year.name} is already closed.")
    entry = services.fiscal_year_close(
        organization=request.org,
        actor=request.user,
        access=request.access,
        fiscal_year=fiscal_year,
    )
    fiscal_year.refresh_from_db()
    return {"fiscal_year": fiscal_year, "closing_entry_id": entry.pk if entry else None}
