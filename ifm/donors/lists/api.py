"""/api/v1/donor-lists: saved donor lists, listed, read with their donors' ids, and deleted,
through the same selectors and services as the pages. Lists are made by the reports
(`POST /api/v1/reports/lybunt/save-list`, `.../sybunt/save-list`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.core.api import MAX_ID, paginated
from ifm.donors.lists import selectors, services
from ifm.donors.models import DonorList
from ifm.tenancy.permissions import require_perm

router = Router(tags=["donor lists"])

ListId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


class SavedDonorListOut(Schema):
    id: int
    name: str
    description: str
    criteria: dict[str, Any] = Field(..., description="What the list was made from.")
    created_at: datetime
    created_by_id: int | None
    size: int = Field(..., description="How many donors it holds.")


class SavedDonorListDetailOut(SavedDonorListOut):
    donor_ids: list[int]

    @staticmethod
    def resolve_donor_ids(obj: DonorList) -> list[int]:
        return list(selectors.donor_list_members(obj).values_list("pk", flat=True))


def donor_list_or_404(donorlist_id: int) -> DonorList:
    found = selectors.donor_list_get(donorlist_id)
    if found is None:
        raise Http404
    return found


@router.get("/donor-lists", response=list[SavedDonorListOut], summary="List the saved donor lists")
@paginated("-created_at")
def donor_list_list(request: OrgRequest) -> QuerySet[DonorList]:
    require_perm(request.access, "donors.view")
    return selectors.donor_list_list()


@router.get(
    "/donor-lists/{int:donorlist_id}",
    response=SavedDonorListDetailOut,
    summary="A saved donor list with its donors' ids",
)
def donor_list_get(request: OrgRequest, donorlist_id: ListId) -> Any:
    require_perm(request.access, "donors.view")
    return donor_list_or_404(donorlist_id)


@router.delete(
    "/donor-lists/{int:donorlist_id}",
    response={204: None},
    summary="Delete a saved donor list (its donors stay)",
)
def donor_list_delete(request: OrgRequest, donorlist_id: ListId) -> Any:
    require_perm(request.access, "donors.view")
    donor_list = donor_list_or_404(donorlist_id)
    services.donor_list_delete(**service_args(request), donor_list=donor_list)
    return Status(204, None)
