"""/api/v1 banking: reconciliations."""

from ninja import Router

router = Router(tags=["reconciliations"])
