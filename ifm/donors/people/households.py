"""Writes of households: creating one, changing its name and address, and adding or removing
members (a donor is in at most one household)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import resolve
from ifm.donors import validation
from ifm.donors.models import (
    Donor,
    Household,
)
from ifm.donors.validation import Checker, clean_text, reject_unknown
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

HOUSEHOLD_FIELDS = ("name", "address_line1", "address_line2", "city", "state", "postal_code")


# --- Households --------------------------------------------------------------------------------


def clean_household(values: dict[str, Any]) -> dict[str, Any]:
    c = Checker(values)
    limits = {
        "name": 200,
        "address_line1": 200,
        "address_line2": 200,
        "city": 100,
        "state": 50,
        "postal_code": 20,
    }
    for field, limit in limits.items():
        c.check(field, lambda v, f=field, n=limit: clean_text(v, f, n))
    c.raise_if_errors()
    if "name" in c.cleaned and not c.cleaned["name"]:
        raise ServiceError("Name the household, such as The Smith Family.", field="name")
    return c.cleaned


@org_service("donors.edit")
def household_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    name: str,
    members: Iterable[Donor] = (),
    **fields: Any,
) -> Household:
    """A household with a shared address; the members join it (leaving any other)."""
    reject_unknown(fields, HOUSEHOLD_FIELDS)
    cleaned = clean_household({"name": name, **fields})
    household = Household.objects.create(organization=organization, updated_by=actor, **cleaned)
    for member in members:
        household_join(organization, actor, household, member)
    audit_record(action="household.create", actor=actor, organization=organization, obj=household)
    return household


def household_join(
    organization: Organization, actor: User, household: Household | None, donor: Any
) -> Donor:
    donor = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
    donor.household = household
    donor.save_versioned(expected_version=donor.version, user=actor, fields=["household"])
    return donor


@org_service("donors.edit")
def household_set_members(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    household: Household,
    add: Iterable[Donor] = (),
    remove: Iterable[Donor] = (),
) -> Household:
    household = resolve(Household.objects.all(), household, "household_id", "No such household.")
    for donor in add:
        household_join(organization, actor, household, donor)
    for donor in remove:
        row = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
        if row.household_id == household.pk:
            household_join(organization, actor, None, row)
    audit_record(
        action="household.members",
        actor=actor,
        organization=organization,
        obj=household,
        changes={"members": list(household.members.values_list("pk", flat=True))},
    )
    return household


@org_service("donors.edit")
def household_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    household: Household | int,
    expected_version: int,
    **fields: Any,
) -> Household:
    """Change the name or shared address; a stale `expected_version` is a ConflictError and
    nothing is written."""
    row = resolve(Household.objects.all(), household, "household_id", "No such household.")
    validation.reject_unknown(fields, HOUSEHOLD_FIELDS)
    cleaned = clean_household(fields)
    changes = {
        name: {"before": getattr(row, name), "after": value}
        for name, value in cleaned.items()
        if getattr(row, name) != value
    }
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.save_versioned(expected_version=expected_version, user=actor, fields=list(cleaned))
    audit_record(
        action="household.update",
        actor=actor,
        organization=organization,
        obj=row,
        changes=changes,
    )
    return row


def _member(value: Any) -> Donor:
    return resolve(
        Donor.objects.filter(merged_into__isnull=True), value, "donor_id", "No such donor."
    )


@org_service("donors.edit")
def household_member_add(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    household: Household | int,
    donor: Donor | int,
) -> Household:
    """The donor joins the household (leaving any other). A merged donor cannot join."""
    row = resolve(Household.objects.all(), household, "household_id", "No such household.")
    return household_set_members(
        organization=organization,
        actor=actor,
        access=access,
        household=row,
        add=[_member(donor)],
    )


@org_service("donors.edit")
def household_member_remove(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    household: Household | int,
    donor: Donor | int,
) -> Household:
    """The donor leaves the household; a donor who is not a member is left as they are."""
    row = resolve(Household.objects.all(), household, "household_id", "No such household.")
    member = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
    return household_set_members(
        organization=organization, actor=actor, access=access, household=row, remove=[member]
    )
