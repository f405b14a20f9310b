"""/api/v1 banking: statements."""

from ninja import Router

router = Router(tags=["statements"])
