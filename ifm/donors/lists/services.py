"""Writes of saved donor lists: save a set of donors under a name (from a report, such as
LYBUNT), and delete a list (its donors stay)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.donors.models import Donor, DonorList, DonorListMember
from ifm.donors.validation import clean_long_text, clean_text
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

MAX_MEMBERS = 100_000


@org_service("donors.edit")
def donor_list_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    name: str,
    donor_ids: Iterable[int],
    description: str = "",
    criteria: dict[str, Any] | None = None,
) -> DonorList:
    """A list named `name` holding exactly the given donors of this organization (ids of
    another organization's donors, or of none, are refused); `criteria` records what made it."""
    title = clean_text(name, "name", 200)
    if not title:
        raise ServiceError("Name the list.", field="name")
    text = clean_long_text(description, "description", 2000)
    ids = sorted(set(donor_ids))
    if len(ids) > MAX_MEMBERS:
        raise ServiceError(f"A list holds at most {MAX_MEMBERS:,} donors.", field="donor_ids")
    known = 0
    for at in range(0, len(ids), 1000):
        known += Donor.objects.filter(pk__in=ids[at : at + 1000]).count()
    if known != len(ids):
        raise ServiceError(
            "Some of the donors are not donors of this organization.", field="donor_ids"
        )
    donor_list = DonorList.objects.create(
        organization=organization,
        name=title,
        description=text,
        criteria=criteria or {},
        created_by=actor,
    )
    DonorListMember.objects.bulk_create(
        [
            DonorListMember(organization=organization, donor_list=donor_list, donor_id=i)
            for i in ids
        ],
        batch_size=2000,
    )
    audit_record(
        action="donor_list.create",
        actor=actor,
        organization=organization,
        obj=donor_list,
        changes={"members": len(ids), "criteria": criteria or {}},
    )
    return donor_list


@org_service("donors.edit")
def donor_list_delete(
    *, organization: Organization, actor: User, access: Access | None, donor_list: DonorList
) -> None:
    """Delete the list and its memberships; the donors stay."""
    audit_record(
        action="donor_list.delete",
        actor=actor,
        organization=organization,
        obj=donor_list,
        changes={"name": donor_list.name},
    )
    DonorList.objects.filter(pk=donor_list.pk).delete()
