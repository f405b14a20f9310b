"""The reports' fundraising area in the API."""

from ninja import Router

router = Router(tags=["reports"])
