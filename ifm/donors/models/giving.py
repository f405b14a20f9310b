"""The donor-year roll-up of giving, kept by the donation services in the same transaction as
every gift write (record, edit, void, batch post, import, merge of donors), so the fundraising
reports read a row per donor and year instead of every gift.

`DonorGivingYear`: per donor and year the donor gave in, the total (`amount`) and number
(`gift_count`) of active hard-credit gifts, the last gift's date, the donor's cumulative total
to the end of that year (`lifetime`), and the donor's previous and next year of giving (None:
none). Years are calendar years (`start_month` 1) and, when the organization's fiscal year
starts in another month, also its fiscal years (`start_month` that month), named by the year
they end in.

`GivingRollupState`: per organization, the fiscal start month the fiscal rows are kept for. The
reports read the fiscal rows only when it is the organization's fiscal start month (after a
change of the fiscal year they read the gifts until `ifm giving_verify --repair` rebuilds them).
"""

from __future__ import annotations

from django.db import models

from ifm.core.models import TenantModel

from .donors import MONEY, ZERO, Donor

__all__ = ["DonorGivingYear", "GivingRollupState"]


class DonorGivingYear(TenantModel):
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="giving_years")
    start_month = models.PositiveSmallIntegerField(default=1)
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, default=ZERO)
    gift_count = models.PositiveIntegerField(default=0)
    last_date = models.DateField()
    lifetime = models.DecimalField(**MONEY, default=ZERO)
    previous_year = models.PositiveSmallIntegerField(null=True, blank=True)
    next_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "start_month", "donor", "year"],
                name="donors_givingyear_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "start_month", "year"],
                include=[
                    "donor",
                    "amount",
                    "gift_count",
                    "last_date",
                    "lifetime",
                    "previous_year",
                    "next_year",
                ],
                name="donors_givingyear_year",
            ),
        ]

    def __str__(self) -> str:
        return f"Giving of {self.donor_id} in {self.year}"


class GivingRollupState(TenantModel):
    fiscal_start_month = models.PositiveSmallIntegerField(default=1)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="donors_rollupstate_unique"),
        ]

    def __str__(self) -> str:
        return f"Giving roll-up kept for fiscal years from month {self.fiscal_start_month}"
