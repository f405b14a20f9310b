"""Budgets: one per organization and fiscal year, with twelve monthly amounts per account
(and optionally per fund and program).

A fiscal year is named by the calendar year it ends in (FY2026 is `fiscal_year=2026`), as
the ledger names its fiscal years; month 1 is the first month of that fiscal year as the
organization sets it (`Organization.fiscal_year_start_month`).

Amounts are never negative: each is what the account is expected to earn (revenue) or to
spend (expenses) that month, on its normal side, so a budget never needs a sign convention.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel

MONTHS = tuple(range(1, 13))
MONTH_FIELDS = tuple(f"month_{m}" for m in MONTHS)


class Budget(TenantModel, VersionedModel):
    fiscal_year = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="reports_budget_org_year_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Budget FY{self.fiscal_year}"


def _amount() -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))


class BudgetLine(TenantModel):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        "ledger.Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        "ledger.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month_1 = _amount()
    month_2 = _amount()
    month_3 = _amount()
    month_4 = _amount()
    month_5 = _amount()
    month_6 = _amount()
    month_7 = _amount()
    month_8 = _amount()
    month_9 = _amount()
    month_10 = _amount()
    month_11 = _amount()
    month_12 = _amount()

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["id"]
        constraints = [
            # One line per account, fund and program (a missing fund or program counts as one).
            models.UniqueConstraint(
                "budget",
                "account",
                Coalesce("fund", 0),
                Coalesce("program", 0),
                name="reports_budgetline_unique_key",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0}),
                    name=f"reports_budgetline_{name}_not_negative",
                )
                for name in MONTH_FIELDS
            ),
        ]
        indexes = [models.Index(fields=["organization", "budget"])]

    @property
    def amounts(self) -> list[Decimal]:
        return [getattr(self, name) for name in MONTH_FIELDS]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal("0.00"))

    def __str__(self) -> str:
        return f"{self.budget}: account {self.account_id}"
