"""Writes of tenancy: organizations and memberships. One function per use case."""

from __future__ import annotations

from typing import Any

from django.db import transaction

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
    return org


@transaction.atomic
def membership_set(*, organization: Organization, user: Any, role: Role | str, actor: Any = None) -> Membership:
    """Give a user a role in an organization (creating the membership or changing its role)."""
    role = Role(role)
    with all_organizations():
        membership, created = Membership.all_orgs.get_or_create(
            organization=organization, user=user, defaults={"role": role}
        )
        if not created and (membership.role != role or not membership.is_active):
            membership.role = role
            membership.is_active = True
            membership.save(update_fields=["role", "is_active"])
    return membership
