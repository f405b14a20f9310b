"""/api/v1/reports: every report as JSON with `columns`, `rows` and `totals`."""

from ninja import Router

from ifm.reports.budgets.api import router as budgets_router
from ifm.reports.financial.api import router as financial_router
from ifm.reports.fundraising.api import router as fundraising_router
from ifm.reports.tieout.api import router as tieout_router

router = Router(tags=["reports"])
router.add_router("", financial_router)
router.add_router("", budgets_router)
router.add_router("", fundraising_router)
router.add_router("", tieout_router)
