"""/api/v1/reports: every report as JSON with `columns`, `rows` and `totals`."""

from ninja import Router

router = Router(tags=["reports"])
