"""/api/v1 of the volunteers' imports area."""

from ninja import Router

router = Router(tags=["volunteers"])
