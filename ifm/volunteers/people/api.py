"""/api/v1 of the volunteers' people area."""

from ninja import Router

router = Router(tags=["volunteers"])
