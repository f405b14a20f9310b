"""The reports app's tables: budgets (the rest of the app only reads other apps' data)."""

from ifm.reports.budgets.models import Budget, BudgetLine

__all__ = ["Budget", "BudgetLine"]
