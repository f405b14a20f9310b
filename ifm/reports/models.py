"""The reports app's tables: budgets and the organization's gift ranges (the rest of the app
only reads other apps' data)."""

from ifm.reports.budgets.models import Budget, BudgetLine
from ifm.reports.fundraising.models import GiftRangeSettings

__all__ = ["Budget", "BudgetLine", "GiftRangeSettings"]
