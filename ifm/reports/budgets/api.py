"""The budgets in the API: `router` holds budget vs. actual under /api/v1/reports, and
`budgets_router` the budgets themselves under /api/v1/budgets."""

from ninja import Router

router = Router(tags=["reports"])
budgets_router = Router(tags=["budgets"])
