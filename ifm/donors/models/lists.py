"""Saved donor lists: a named set of donors kept as they were when saved (from a report such
as LYBUNT), so fundraisers can work through it while the report itself moves on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ifm.core.models import TenantModel

from .donors import Donor

__all__ = ["DonorList", "DonorListMember"]


class DonorList(TenantModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    # What made the list: {"report": "lybunt", "year": 2026, "basis": "calendar", ...}.
    criteria = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="donors_list_org_created"),
        ]

    def __str__(self) -> str:
        return self.name


class DonorListMember(TenantModel):
    donor_list = models.ForeignKey(DonorList, on_delete=models.CASCADE, related_name="members")
    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="+")

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["donor_list", "donor"], name="donors_listmember_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor_id} in list {self.donor_list_id}"
