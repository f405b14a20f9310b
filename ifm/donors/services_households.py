"""Writes of households beyond creating one (ifm.donors.services.household_create): changing
the name and shared address with a version, and adding or removing one member at a time.

Members are changed through services.household_set_members, so the audit trail is the same
whichever door was used.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ifm.audit.services import audit_record
from ifm.core.lookups import resolve
from ifm.core.org_context import org_context
from ifm.donors import services
from ifm.donors.models import Donor, Household
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm


@transaction.atomic
def household_update(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    household: Household | int,
    expected_version: int,
    **fields: Any,
) -> Household:
    """Change the name or shared address; a stale `expected_version` is a ConflictError and
    nothing is written."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        row = resolve(Household.objects.all(), household, "household_id", "No such household.")
        services._unknown(fields, services.HOUSEHOLD_FIELDS)
        cleaned = services._clean_household(fields)
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


@transaction.atomic
def household_member_add(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    household: Household | int,
    donor: Donor | int,
) -> Household:
    """The donor joins the household (leaving any other). A merged donor cannot join."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        row = resolve(Household.objects.all(), household, "household_id", "No such household.")
        return services.household_set_members(
            organization=organization,
            actor=actor,
            access=access,
            household=row,
            add=[_member(donor)],
        )


@transaction.atomic
def household_member_remove(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    household: Household | int,
    donor: Donor | int,
) -> Household:
    """The donor leaves the household; a donor who is not a member is left as they are."""
    require_perm(access, "donors.edit")
    with org_context(organization):
        row = resolve(Household.objects.all(), household, "household_id", "No such household.")
        member = resolve(Donor.objects.all(), donor, "donor_id", "No such donor.")
        return services.household_set_members(
            organization=organization, actor=actor, access=access, household=row, remove=[member]
        )
