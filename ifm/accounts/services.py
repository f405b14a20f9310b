"""Writes of accounts: invitations, API tokens and memberships. One function per use case."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import ApiToken, Invitation, User
from ifm.accounts.twofactor import enrolment_required_message, must_enrol_2fa
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.core.tasks import send_email_after_commit
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import Access, has_perm, require_perm
from ifm.tenancy.roles import Role

API_TOKEN_PREFIX = "ifm_"  # noqa: S105  (a marker, not a secret)


def hash_token(token: str) -> str:
    """The stored form of a secret token (invitations and API tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _role(value: Role | str, *, field: str = "role") -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ServiceError(f"{value!r} is not a role.", field=field) from None


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}/accounts/invitation/{token}/"


# --- Invitations -------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: Role | str,
    actor: User | None,
    actor_access: Access | None,
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and the token (only ever in the link)."""
    require_perm(actor_access, "members.manage")
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError("Enter a valid email address.", field="email") from None
    role = _role(role)
    now = timezone.now()
    with all_organizations():
        if Membership.all_orgs.filter(
            organization=organization, user__email__iexact=email, is_active=True
        ).exists():
            raise ServiceError(
                f"{email} is already a member of {organization.name}.", field="email"
            )
        replaced = list(
            Invitation.all_orgs.select_for_update().filter(
                organization=organization,
                email=email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            )
        )
    token = secrets.token_urlsafe(32)
    with org_context(organization):
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=settings.INVITATION_TTL_HOURS),
        )
    audit_record(
        action="invitation.create",
        actor=actor,
        organization=organization,
        obj=invitation,
        changes={
            "email": {"before": None, "after": email},
            "role": {"before": None, "after": role.value},
            "replaced_invitations": [old.pk for old in replaced],
        },
    )
    inviter = getattr(actor, "full_name", "") or getattr(actor, "email", "") or "An administrator"
    send_email_after_commit(
        to=[email],
        subject=f"You are invited to join {organization.name} on IFM",
        body=(
            f"{inviter} invited you to join {organization.name} on IFM "
            f"with the role {role.label}.\n\n"
            f"Accept the invitation here:\n{invitation_url(token)}\n\n"
            f"The link works once and expires in {settings.INVITATION_TTL_HOURS} hours. "
            "If you did not expect this email, you can ignore it.\n"
        ),
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(
    *, organization: Organization, invitation: Invitation, actor: User, actor_access: Access | None
) -> Invitation:
    require_perm(actor_access, "members.manage")
    if invitation.organization_id != organization.pk:
        raise ValueError("invitation of another organization")
    if not invitation.is_pending:
        raise ServiceError(f"This invitation is already {invitation.status}.")
    invitation.revoked_at = timezone.now()
    with org_context(organization):
        invitation.save(update_fields=["revoked_at"])
    audit_record(
        action="invitation.revoke",
        actor=actor,
        organization=organization,
        obj=invitation,
        changes={"revoked_at": {"before": None, "after": invitation.revoked_at}},
    )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state (the link carries no organization)."""
    if not token:
        return None
    with all_organizations():
        return (
            Invitation.all_orgs.select_related("organization", "invited_by")
            .filter(token_hash=hash_token(token))
            .first()
        )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the invitee, or None when it can."""
    ask = "Ask an administrator of the organization to send you a new invitation."
    if invitation is None:
        return f"This invitation link is not valid. {ask}"
    if invitation.accepted_at is not None:
        return f"This invitation has already been used. {ask}"
    if invitation.revoked_at is not None:
        return f"This invitation was withdrawn. {ask}"
    if invitation.expires_at <= timezone.now():
        return f"This invitation has expired. {ask}"
    if not invitation.organization.is_active:
        return "This organization is no longer active on IFM."
    return None


@transaction.atomic
def invitation_accept(
    *, token: str, password: str | None = None, full_name: str = "", user: Any = None
) -> Membership:
    """Join the organization.

    As a new user (with a password), or as the signed-in user the invitation was sent to.
    """
    with all_organizations():
        invitation = (
            Invitation.all_orgs.select_for_update()
            .select_related("organization")
            .filter(token_hash=hash_token(token or ""))
            .first()
        )
    problem = invitation_problem(invitation)
    if problem or invitation is None:
        raise ServiceError(problem or "This invitation link is not valid.")
    organization = invitation.organization
    if user is not None and getattr(user, "is_authenticated", False):
        if normalize_email(user.email) != invitation.email:
            raise ServiceError(
                f"This invitation was sent to {invitation.email}, but you are signed in as "
                f"{user.email}. Sign out and open the link again."
            )
        created_user = False
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ServiceError(
                f"An account for {invitation.email} already exists: sign in first, "
                "then open the invitation link again to accept it."
            )
        full_name = (full_name or "").strip()
        if len(full_name) > 200:
            raise ServiceError("Use at most 200 characters.", field="full_name")
        candidate = User(email=invitation.email, full_name=full_name)
        try:
            password_validation.validate_password(password or "", user=candidate)
        except ValidationError as exc:
            raise ServiceError(
                " ".join(exc.messages),
                errors=[{"field": "password", "message": m} for m in exc.messages],
            ) from None
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name
        )
        created_user = True
    membership = membership_set(
        organization=organization, user=user, role=invitation.role, actor=user
    )
    invitation.accepted_at = timezone.now()
    with org_context(organization):
        invitation.save(update_fields=["accepted_at"])
    audit_record(
        action="invitation.accept",
        actor=user,
        organization=organization,
        obj=invitation,
        changes={
            "accepted_at": {"before": None, "after": invitation.accepted_at},
            "new_account": created_user,
        },
    )
    return membership


# --- API tokens --------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, organization: Organization, user: Any, access: Access | None, name: str
) -> tuple[ApiToken, str]:
    """A new bearer token for this user in this organization. The token is returned only here."""
    require_perm(access, "tokens.manage")
    if must_enrol_2fa(organization, access, user):
        raise PermissionDenied(enrolment_required_message(organization))
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            "Give the token a name, such as the script that will use it.", field="name"
        )
    if len(name) > 100:
        raise ServiceError("Use at most 100 characters.", field="name")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with org_context(organization):
        api_token = ApiToken.objects.create(
            organization=organization,
            user=user,
            name=name,
            prefix=token[:12],
            token_hash=hash_token(token),
        )
    audit_record(
        action="api_token.create",
        actor=user,
        organization=organization,
        obj=api_token,
        changes={"name": {"before": None, "after": name}, "prefix": api_token.prefix},
    )
    return api_token, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, access: Access | None = None) -> ApiToken:
    """Revoke a token: one's own, or (admins) any token of their organization.

    Revoking twice is a no-op.
    """
    if access is None:
        with all_organizations():
            access = Membership.all_orgs.filter(
                organization_id=token.organization_id, user=actor, is_active=True
            ).first()
    own = token.user_id == getattr(actor, "pk", None)
    if own:
        require_perm(access, "tokens.manage")
    else:
        require_perm(access, "members.manage")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    with org_context(token.organization_id):
        token.save(update_fields=["revoked_at"])
    audit_record(
        action="api_token.revoke",
        actor=actor,
        organization=token.organization,
        obj=token,
        changes={"revoked_at": {"before": None, "after": token.revoked_at}},
    )
    return token


def may_revoke_token(*, token: ApiToken, actor: User, access: Access | None) -> bool:
    if token.user_id == getattr(actor, "pk", None):
        return has_perm(access, "tokens.manage")
    return has_perm(access, "members.manage")


@transaction.atomic
def user_profile_update(*, user: User, full_name: str) -> User:
    """A person changes their own display name (the email is their sign-in and stays)."""
    full_name = " ".join(full_name.split())
    if len(full_name) > 200:
        raise ServiceError("Use at most 200 characters.", field="full_name")
    before = user.full_name
    if full_name != before:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
        audit_record(
            action="user.update",
            actor=user,
            obj=user,
            changes={"full_name": {"before": before, "after": full_name}},
        )
    return user


@transaction.atomic
def membership_set(
    *, organization: Organization, user: Any, role: Role | str, actor: User | None = None
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
