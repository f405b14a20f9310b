"""/api/v1 volunteers: one router that includes the router of each area."""

from ninja import Router

from ifm.volunteers.hours.api import router as hours_router
from ifm.volunteers.imports.api import router as imports_router
from ifm.volunteers.kiosk.api import router as kiosk_router
from ifm.volunteers.people.api import router as people_router
from ifm.volunteers.public.api import router as public_router
from ifm.volunteers.shifts.api import router as shifts_router

router = Router()
router.add_router("", people_router)
router.add_router("", shifts_router)
router.add_router("", hours_router)
router.add_router("", kiosk_router)
router.add_router("", public_router)
router.add_router("", imports_router)
