"""The organization's own gift ranges: where each range of the gift range report starts when a
request names none (the built-in ranges otherwise)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from ifm.core.models import TenantModel, VersionedModel


class GiftRangeSettings(TenantModel, VersionedModel):
    # The range starts as decimal strings, highest first; the last is always 0.01, so every
    # donor is in a range ("10000.00", "1000.00", "100.00", "0.01").
    starts = models.JSONField(default=list)

    class Meta:
        base_manager_name = "all_orgs"
        verbose_name_plural = "gift range settings"
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], name="reports_giftrangesettings_org_unique"
            ),
        ]

    def __str__(self) -> str:
        return "Gift ranges from " + ", ".join(self.starts)

    @property
    def lows(self) -> tuple[Decimal, ...]:
        return tuple(Decimal(start) for start in self.starts)
