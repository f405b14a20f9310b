"""/api/v1 banking: one router that includes the router of each area."""

from ninja import Router

from ifm.banking.accounts.api import router as accounts_router
from ifm.banking.imports.api import router as imports_router
from ifm.banking.matching.api import router as matching_router
from ifm.banking.reconciliation.api import router as reconciliation_router

router = Router()
router.add_router("", accounts_router)
router.add_router("", imports_router)
router.add_router("", matching_router)
router.add_router("", reconciliation_router)
