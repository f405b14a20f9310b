"""Reads of saved donor lists: the lists, newest first, with their size; a list's members."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ifm.donors.models import Donor, DonorList


def donor_list_list() -> QuerySet[DonorList]:
    return (
        DonorList.objects.annotate(size=Count("members"))
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def donor_list_get(list_id: int) -> DonorList | None:
    return donor_list_list().filter(pk=list_id).first()


def donor_list_members(donor_list: DonorList) -> QuerySet[Donor]:
    """The list's donors, by name."""
    return Donor.objects.filter(pk__in=donor_list.members.values("donor_id")).order_by(
        "last_name", "first_name", "organization_name", "id"
    )
