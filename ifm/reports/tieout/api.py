"""The reports' tieout area in the API."""

from ninja import Router

router = Router(tags=["reports"])
