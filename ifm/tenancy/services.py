"""Writes of tenancy: organizations and memberships. One function per use case."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.tenancy.context import all_organizations
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.roles import Role


@transaction.atomic
def organization_create(
    *,
    slug: str,
    name: str,
    actor: Any = None,
    legal_name: str = "",
    ein: str = "",
    currency: str = "USD",
    fiscal_year_start_month: int = 1,
    time_zone: str = "America/New_York",
) -> Organization:
    org = Organization(
        slug=slug,
        name=name,
        legal_name=legal_name or name,
        ein=ein,
        currency=currency,
        fiscal_year_start_month=fiscal_year_start_month,
        time_zone=time_zone,
    )
    org.full_clean()
    org.save()
    audit_record(
        action="organization.create",
        actor=actor,
        organization=org,
        obj=org,
        changes={"slug": {"before": None, "after": slug}, "name": {"before": None, "after": name}},
    )
    return org


@transaction.atomic
def membership_set(
    *, organization: Organization, user: Any, role: Role | str, actor: Any = None
) -> Membership:
    """Give a user a role in an organization (creating the membership or changing its role)."""
    role = Role(role)
    with all_organizations():
        membership, created = Membership.all_orgs.get_or_create(
            organization=organization, user=user, defaults={"role": role}
        )
        before = {
            "role": None if created else membership.role,
            "is_active": None if created else membership.is_active,
        }
        if not created and (membership.role != role or not membership.is_active):
            membership.role = role
            membership.is_active = True
            membership.version += 1
            membership.save(update_fields=["role", "is_active", "version"])
        if created or before["role"] != role or not before["is_active"]:
            audit_record(
                action="membership.create" if created else "membership.update",
                actor=actor,
                organization=organization,
                obj=membership,
                changes={
                    "role": {"before": before["role"], "after": role.value},
                    "is_active": {"before": before["is_active"], "after": True},
                },
            )
    return membership


@transaction.atomic
def membership_update(
    *,
    organization: Organization,
    membership: Membership,
    actor: Any,
    expected_version: int,
    role: Role | str | None = None,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's role or deactivate them. A stale version is a 409; the last active admin stays."""
    if membership.organization_id != organization.pk:
        raise ValueError("membership of another organization")
    new_role = Role(role) if role is not None else Role(membership.role)
    new_active = membership.is_active if is_active is None else is_active
    was_admin = membership.role == Role.ADMIN and membership.is_active
    if was_admin and (new_role != Role.ADMIN or not new_active):
        with all_organizations():
            other_admins = Membership.all_orgs.filter(
                organization=organization, role=Role.ADMIN, is_active=True
            ).exclude(pk=membership.pk)
            if not other_admins.exists():
                raise ServiceError(
                    "An organization needs at least one active admin: make someone else admin first.",
                    field="role",
                )
    before = {"role": membership.role, "is_active": membership.is_active}
    membership.role = new_role
    membership.is_active = new_active
    membership.save_versioned(
        expected_version=expected_version, user=actor, fields=["role", "is_active"]
    )
    after = {"role": membership.role, "is_active": membership.is_active}
    audit_record(
        action="membership.update",
        actor=actor,
        organization=organization,
        obj=membership,
        changes={
            k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]
        },
    )
    return membership
