"""/api/v1 banking: matching."""

from ninja import Router

router = Router(tags=["matching"])
