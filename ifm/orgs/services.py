"""Writes of the organization pages and commands: organizations, members, platform access.

One function per use case. Giving a user a role (`membership_set`) is in accounts.services,
where accepting an invitation needs it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record, diff
from ifm.core.errors import ServiceError
from ifm.core.files import save_in_transaction
from ifm.core.org_context import all_organizations, org_context
from ifm.orgs.currencies import CURRENCIES
from ifm.tenancy.models import Membership, Organization, PlatformAccessGrant
from ifm.tenancy.permissions import Access, require_perm
from ifm.tenancy.roles import Role
from ifm.tenancy.signals import organization_created

ORGANIZATION_EDITABLE_FIELDS = (
    "name",
    "legal_name",
    "ein",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "website",
    "currency",
    "fiscal_year_start_month",
    "time_zone",
    "require_2fa_for_admin_finance",
)
LOGO_MAX_BYTES = 2 * 1024 * 1024
PLATFORM_GRANT_MAX_HOURS = 24 * 14


@transaction.atomic
def organization_create(
    *,
    slug: str,
    name: str,
    actor: User | None = None,
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
    # Whatever the caller's context, what is written next belongs to the new organization.
    with org_context(org):
        audit_record(
            action="organization.create",
            actor=actor,
            organization=org,
            obj=org,
            changes={
                "slug": {"before": None, "after": slug},
                "name": {"before": None, "after": name},
            },
        )
        organization_created.send(sender=Organization, organization=org, actor=actor)
    return org


@transaction.atomic
def membership_update(
    *,
    organization: Organization,
    membership: Membership,
    actor: User,
    expected_version: int,
    role: Role | str | None = None,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's role or deactivate them.

    A stale version is a 409; the last active admin stays.
    """
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
                    "An organization needs at least one active admin: "
                    "make someone else admin first.",
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


def _currency(value: str, organization: Organization) -> str:
    """An ISO 4217 code from the list (the organization's current one is kept even if ISO has
    withdrawn it since)."""
    code = value.strip().upper()
    if code not in CURRENCIES and code != organization.currency:
        raise ServiceError(
            f"{code!r} is not an ISO 4217 currency code (for example USD, CAD, EUR).",
            field="currency",
        )
    return code


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expected_version: int,
    **fields: Any,
) -> Organization:
    """Change the organization's settings. `logo` takes an uploaded image, or None to remove it.

    A stale `expected_version` is a 409 and changes nothing.
    """
    require_perm(access, "org.edit")
    logo_given = "logo" in fields
    logo = fields.pop("logo", None)
    unknown = set(fields) - set(ORGANIZATION_EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    if logo is not None:
        if not isinstance(logo, UploadedFile):
            raise ServiceError("Upload the logo as an image file.", field="logo")
        if logo.size is not None and logo.size > LOGO_MAX_BYTES:
            raise ServiceError("The logo may be at most 2 MB.", field="logo")
    if isinstance(fields.get("currency"), str):
        fields["currency"] = _currency(fields["currency"], organization)
    before = {f: getattr(organization, f) for f in fields}
    if logo_given:
        before["logo"] = organization.logo.name or None
    for name, value in fields.items():
        setattr(organization, name, value)
    try:
        organization.full_clean(exclude=["logo"])
    except ValidationError as exc:
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        organization.refresh_from_db()
        raise ServiceError(
            "; ".join(e["message"] for e in errors) or "Check the settings.", errors=errors
        ) from None
    changed = [f for f in fields if before[f] != getattr(organization, f)]
    if not changed and not logo_given:
        return organization
    organization.save_versioned(
        expected_version=expected_version, user=actor, fields=changed or ["name"]
    )
    after: dict[str, Any] = {f: getattr(organization, f) for f in fields}
    if logo_given:
        if logo is not None:
            save_in_transaction(organization.logo, logo.name or "logo", logo)
        else:
            organization.logo.name = ""
        Organization.objects.filter(pk=organization.pk).update(logo=organization.logo.name or "")
        after["logo"] = organization.logo.name or None
    audit_record(
        action="organization.update",
        actor=actor,
        organization=organization,
        obj=organization,
        changes=diff(before, after),
    )
    return organization


@transaction.atomic
def platform_access_grant(
    *,
    organization: Organization,
    user: Any,
    role: Role | str,
    reason: str,
    hours: int,
    actor: User | None = None,
) -> PlatformAccessGrant:
    """Let an IFM platform-staff user into one organization for a while.

    Recorded in the organization's own audit log, so its admins see it.
    """
    if not getattr(user, "is_platform_staff", False):
        raise ServiceError(f"{user} is not IFM platform staff.", field="user")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "Say why access is needed (for example the support ticket).", field="reason"
        )
    if len(reason) > 500:
        raise ServiceError("Use at most 500 characters.", field="reason")
    try:
        role = Role(role)
    except ValueError:
        raise ServiceError(f"{role!r} is not a role.", field="role") from None
    if not 1 <= int(hours) <= PLATFORM_GRANT_MAX_HOURS:
        raise ServiceError(
            f"Access lasts between 1 and {PLATFORM_GRANT_MAX_HOURS} hours.", field="hours"
        )
    now = timezone.now()
    with org_context(organization):
        grant = PlatformAccessGrant.objects.create(
            organization=organization,
            user=user,
            role=role,
            reason=reason,
            granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
            expires_at=now + timedelta(hours=int(hours)),
        )
    audit_record(
        action="platform_access.grant",
        actor=actor,
        actor_label="" if actor is not None else "ifm command line",
        organization=organization,
        obj=grant,
        changes={
            "user": user.email,
            "role": role.value,
            "reason": reason,
            "expires_at": grant.expires_at,
        },
    )
    return grant


@transaction.atomic
def platform_access_revoke(
    *, grant: PlatformAccessGrant, actor: User | None = None
) -> PlatformAccessGrant:
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at = timezone.now()
    with org_context(grant.organization_id):
        grant.save(update_fields=["revoked_at"])
    audit_record(
        action="platform_access.revoke",
        actor=actor,
        actor_label="" if actor is not None else "ifm command line",
        organization=grant.organization,
        obj=grant,
        changes={"revoked_at": {"before": None, "after": grant.revoked_at}},
    )
    return grant
