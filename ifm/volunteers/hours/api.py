"""/api/v1 of the volunteers' hours area."""

from ninja import Router

router = Router(tags=["volunteers"])
