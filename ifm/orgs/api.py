"""/api/v1/members (the organization's members, their roles, invitations and sign-in lockouts)
and /api/v1/organization/settings."""

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Path, Query, Router
from ninja.responses import Status

from ifm.accounts import selectors as account_selectors
from ifm.accounts import services as account_services
from ifm.accounts.http import OrgRequest
from ifm.accounts.lockout import is_locked_out, lockout_clear
from ifm.core.api import MAX_ID, idempotent, paginated
from ifm.orgs.schemas import (
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberPatchIn,
    OrganizationSettingsIn,
    OrganizationSettingsOut,
    UnlockOut,
)
from ifm.orgs.services import membership_update, organization_update
from ifm.tenancy.models import Membership
from ifm.tenancy.permissions import require_perm
from ifm.tenancy.roles import Role

router = Router(tags=["members"])


def _membership(request: OrgRequest, membership_id: int) -> Membership:
    membership = account_selectors.member_get(
        organization=request.org,
        membership_id=membership_id,
    )
    if membership is None:
        raise Http404
    return membership


@router.get("", response=list[MemberOut], summary="List members")
@paginated("user__full_name", "user__email")
def member_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Search in email and name.")] = "",
    role: Annotated[Role | None, Query(description="Only members with this role.")] = None,
) -> QuerySet[Membership]:
    require_perm(request.access, "members.view")
    return account_selectors.member_list(
        organization=request.org,
        q=q,
        role=role.value if role else "",
    )


@router.get("/{int:membership_id}", response=MemberOut, summary="Get a member")
def member_get(request: OrgRequest, membership_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    require_perm(request.access, "members.view")
    return _membership(request, membership_id)


@router.patch(
    "/{int:membership_id}", response=MemberOut, summary="Change a member's role or status"
)
def member_update(
    request: OrgRequest,
    payload: MemberPatchIn,
    membership_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    require_perm(request.access, "members.manage")
    membership = _membership(request, membership_id)
    membership_update(
        organization=request.org,
        membership=membership,
        actor=request.user,
        expected_version=payload.version,
        role=payload.role,
        is_active=payload.is_active,
    )
    return _membership(request, membership_id)


@router.post(
    "/invitations",
    response={201: InvitationOut},
    summary="Invite someone by email",
)
@idempotent
def invitation_create(request: OrgRequest, payload: InvitationIn) -> Any:
    require_perm(request.access, "members.manage")
    invitation, _token = account_services.invitation_create(
        organization=request.org,
        email=payload.email,
        role=payload.role,
        actor=request.user,
        actor_access=request.access,
    )
    return Status(201, invitation)


@router.post(
    "/invitations/{int:invitation_id}/revoke",
    response=InvitationOut,
    summary="Withdraw a pending invitation",
)
def invitation_revoke(request: OrgRequest, invitation_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    require_perm(request.access, "members.manage")
    invitation = account_selectors.invitation_get(
        organization=request.org, invitation_id=invitation_id
    )
    if invitation is None:
        raise Http404
    return account_services.invitation_revoke(
        organization=request.org,
        invitation=invitation,
        actor=request.user,
        actor_access=request.access,
    )


@router.post(
    "/{int:membership_id}/unlock",
    response=UnlockOut,
    summary="Lift a member's sign-in lockout",
)
def member_unlock(request: OrgRequest, membership_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    require_perm(request.access, "members.manage")
    membership = _membership(request, membership_id)
    was_locked = is_locked_out(membership.user.email)
    cleared = lockout_clear(
        organization=request.org,
        membership=membership,
        actor=request.user,
        actor_access=request.access,
    )
    return {
        "member_id": membership.pk,
        "was_locked_out": was_locked,
        "locked_out": is_locked_out(membership.user.email),
        "attempt_records_cleared": cleared,
    }


settings_router = Router(tags=["organization"])


@settings_router.get(
    "/settings", response=OrganizationSettingsOut, summary="The organization's settings"
)
def organization_settings(request: OrgRequest) -> Any:
    require_perm(request.access, "org.edit")
    return request.org


@settings_router.patch(
    "/settings",
    response=OrganizationSettingsOut,
    summary="Change the organization's settings (send the `version` you read)",
)
def organization_settings_update(request: OrgRequest, payload: OrganizationSettingsIn) -> Any:
    require_perm(request.access, "org.edit")
    fields = payload.model_dump(exclude_unset=True, exclude_none=True, exclude={"version"})
    return organization_update(
        organization=request.org,
        actor=request.user,
        access=request.access,
        expected_version=payload.version,
        **fields,
    )
