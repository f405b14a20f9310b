from __future__ import annotations

from typing import Any

from django.utils import timezone

from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Membership, Organization, PlatformAccessGrant
from ifm.tenancy.permissions import Access


def organizations_for_user(user: Any) -> list[Organization]:
    """The organizations a user may switch to (active memberships and active platform grants)."""
    with all_organizations():
        org_ids = set(
            Membership.all_orgs.filter(
                user=user, is_active=True, organization__is_active=True
            ).values_list("organization_id", flat=True)
        )
        if getattr(user, "is_platform_staff", False):
            org_ids |= set(
                PlatformAccessGrant.all_orgs.filter(
                    user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
                ).values_list("organization_id", flat=True)
            )
        return list(Organization.objects.filter(pk__in=org_ids).order_by("name"))


def access_for(user: Any, slug: str) -> tuple[Organization | None, Access | None]:
    """The organization with this slug and what gives the user access to it, or (None, None)."""
    org = Organization.objects.filter(slug=slug, is_active=True).first()
    if org is None:
        return None, None
    with all_organizations():
        membership = (
            Membership.all_orgs.filter(organization=org, user=user, is_active=True)
            .select_related("user")
            .first()
        )
        if membership is not None:
            return org, membership
        if getattr(user, "is_platform_staff", False):
            grant = (
                PlatformAccessGrant.all_orgs.filter(
                    organization=org,
                    user=user,
                    revoked_at__isnull=True,
                    expires_at__gt=timezone.now(),
                )
                .order_by("-created_at")
                .first()
            )
            if grant is not None:
                return org, grant
    return None, None
