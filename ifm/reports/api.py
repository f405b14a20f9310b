"""/api/v1/reports: every report as JSON with `columns`, `rows` and `totals`."""

from ninja import Router

from ifm.reports.financial.api import router as financial_router

router = Router(tags=["reports"])
router.add_router("", financial_router)
