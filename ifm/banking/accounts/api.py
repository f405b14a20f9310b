"""/api/v1 banking: bank accounts."""

from ninja import Router

router = Router(tags=["bank accounts"])
