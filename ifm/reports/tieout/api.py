"""The reports' tieout area in the API: /api/v1/reports/donations-vs-ledger."""

from __future__ import annotations

from typing import Any

from ninja import Router

from ifm.accounts.http import OrgRequest
from ifm.reports.params import FROM, TO, OptionalDate, period
from ifm.reports.schemas import ReportOut, report_json
from ifm.reports.tieout.selectors import donations_vs_ledger as tie_report
from ifm.tenancy.permissions import require_perm

router = Router(tags=["reports"])


@router.get("/donations-vs-ledger", response=ReportOut, summary="Donations vs. ledger")
def donations_vs_ledger(
    request: OrgRequest, date_from: OptionalDate = FROM, date_to: OptionalDate = TO
) -> Any:
    """Per fund, gifts recorded by the donor module against contribution revenue in the ledger
    from `from` (the start of the fiscal year by default) to `to` (today by default), their
    difference (0.00 when they agree) and the items behind any difference."""
    require_perm(request.access, "reports.financial")
    start, end = period(request, date_from, date_to)
    return report_json(tie_report(date_from=start, date_to=end, org_slug=request.org.slug))
