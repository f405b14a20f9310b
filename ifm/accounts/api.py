"""/api/v1/me: who is calling, in which organization, and what they may do."""

from typing import Any

from ninja import Router, Schema

from ifm.accounts.http import OrgRequest
from ifm.accounts.schemas import UserOut
from ifm.tenancy.permissions import perms_for_role, require_perm
from ifm.tenancy.roles import Role

router = Router(tags=["me"])


class OrganizationOut(Schema):
    id: int
    slug: str
    name: str


class MeOut(Schema):
    user: UserOut
    organization: OrganizationOut
    role: Role
    permissions: list[str]


@router.get("", response=MeOut, summary="The caller, their organization and permissions")
def me(request: OrgRequest) -> Any:
    access = request.access
    require_perm(access, "org.view")
    return {
        "user": request.user,
        "organization": request.org,
        "role": access.role,
        "permissions": sorted(perms_for_role(access.role)),
    }
