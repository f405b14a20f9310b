"""/api/v1 of the volunteers' shifts area."""

from ninja import Router

router = Router(tags=["volunteers"])
