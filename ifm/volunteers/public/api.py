"""/api/v1 of the volunteers' public area."""

from ninja import Router

router = Router(tags=["volunteers"])
