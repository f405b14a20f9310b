"""The ledger's API: one router made of its areas' routers (accounts, funds and programs;
journal entries; balances and reports; imports; periods and fiscal years; closing a year)."""

from ninja import Router

from ifm.ledger.balances.api import router as balances_router
from ifm.ledger.chart.api import router as chart_router
from ifm.ledger.closing.api import router as closing_router
from ifm.ledger.imports.api import router as imports_router
from ifm.ledger.journal.api import router as journal_router
from ifm.ledger.periods.api import router as periods_router

router = Router()
for area in (
    chart_router,
    imports_router,
    balances_router,
    journal_router,
    periods_router,
    closing_router,
):
    router.add_router("", area)
