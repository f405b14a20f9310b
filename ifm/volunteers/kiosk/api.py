"""/api/v1 of the volunteers' kiosk area."""

from ninja import Router

router = Router(tags=["volunteers"])
