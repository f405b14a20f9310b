"""The permission matrix: code, docs/permissions.md and the pages agree, role by role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.org_context import all_organizations
from ifm.tenancy.management.commands.render_permissions import permissions_doc_path
from ifm.tenancy.models import Membership, PlatformAccessGrant
from ifm.tenancy.permissions import (
    PERMISSIONS,
    has_perm,
    perms_for_role,
    render_markdown,
    require_perm,
)
from ifm.tenancy.roles import Role


def documented_matrix() -> dict[str, set[Role]]:
    """Permission code -> roles marked "yes" in docs/permissions.md (the published contract)."""
    lines = permissions_doc_path().read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    labels = [c.strip() for c in header.strip("|").split("|")][2:]
    by_label = {role.label: role for role in Role}
    roles = [by_label[label] for label in labels]
    matrix: dict[str, set[Role]] = {}
    for line in lines:
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        code = cells[0].strip("`")
        matrix[code] = {role for role, cell in zip(roles, cells[2:], strict=True) if cell == "yes"}
    return matrix


# --- The matrix in code ------------------------------------------------------------------------


def test_docs_file_equals_the_rendered_matrix() -> None:
    assert permissions_doc_path().read_text(encoding="utf-8") == render_markdown()


def test_docs_cover_every_permission_and_every_role() -> None:
    documented = documented_matrix()
    assert set(documented) == set(PERMISSIONS)
    for code, perm in PERMISSIONS.items():
        assert documented[code] == set(perm.roles), code


def test_render_permissions_check(tmp_path: Any) -> None:
    target = tmp_path / "permissions.md"
    with pytest.raises(CommandError, match="out of date"):
        call_command("render_permissions", "--check", output=target)
    call_command("render_permissions", output=target)
    assert target.read_text(encoding="utf-8") == render_markdown()
    call_command("render_permissions", "--check", output=target)
    target.write_text("stale\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("render_permissions", "--check", output=target)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("code", list(PERMISSIONS))
def test_has_perm_follows_the_matrix_for_every_role_and_code(role: Role, code: str) -> None:
    membership = Membership(role=role, is_active=True)
    allowed = role in PERMISSIONS[code].roles
    assert has_perm(membership, code) is allowed
    assert (code in perms_for_role(role)) is allowed
    if allowed:
        require_perm(membership, code)
    else:
        with pytest.raises(PermissionDenied, match="Your role may not"):
            require_perm(membership, code)


@pytest.mark.parametrize("role", list(Role))
def test_inactive_membership_has_no_permission(role: Role) -> None:
    membership = Membership(role=role, is_active=False)
    assert not any(has_perm(membership, code) for code in PERMISSIONS)
    assert not any(has_perm(None, code) for code in PERMISSIONS)


@pytest.mark.parametrize("role", list(Role))
def test_platform_grant_has_its_role_while_active(role: Role) -> None:
    now = timezone.now()
    live = PlatformAccessGrant(role=role, expires_at=now + dt.timedelta(hours=1))
    expired = PlatformAccessGrant(role=role, expires_at=now - dt.timedelta(seconds=1))
    revoked = PlatformAccessGrant(role=role, expires_at=now + dt.timedelta(hours=1), revoked_at=now)
    for code, perm in PERMISSIONS.items():
        assert has_perm(live, code) is (role in perm.roles)
        assert not has_perm(expired, code)
        assert not has_perm(revoked, code)


def test_unknown_permission_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        has_perm(Membership(role=Role.ADMIN, is_active=True), "no.such.permission")


# --- The pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page of an organization and the permission that opens it (GET)."""

    url_name: str
    perm: str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {"org_slug": "alpha"}


# One row per page; add yours here. `kwargs` gets {"cast": ..., "org_a": ...}.
PAGES = [
    Page("orgs:dashboard", "org.view"),
    Page("audit:audit_log", "audit.view"),
    Page("audit:audit_export_csv", "audit.view"),
    Page("audit:audit_export_xlsx", "audit.view"),
    Page("orgs:members", "members.view"),
    Page("orgs:org_settings", "org.edit"),
    Page("orgs:api_tokens", "tokens.manage"),
    Page("ops:org_jobs", "jobs.view"),
    Page("donors:household_list", "donors.view"),
    Page("donors:household_new", "donors.edit"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_name)
def test_each_role_sees_exactly_what_the_docs_allow(
    page: Page, cast: dict[str, Any], org_a: Any
) -> None:
    allowed_roles = documented_matrix()[page.perm]
    url = reverse(page.url_name, kwargs=page.kwargs({"cast": cast, "org_a": org_a}))
    for role in Role:
        status = client_for(cast[role.value]).get(url).status_code
        expected = 200 if role in allowed_roles else 403
        assert status == expected, f"{role.value} on {url}: {status}, docs say {expected}"
    # Not a member of this organization: the page does not exist for them.
    assert client_for(cast["other_admin"]).get(url).status_code == 404
    assert client_for(cast["outsider"]).get(url).status_code == 404


@pytest.mark.django_db
def test_deactivated_member_gets_nothing(cast: dict[str, Any], org_a: Any) -> None:
    admin = cast["admin"]
    with all_organizations():
        Membership.all_orgs.filter(organization=org_a, user=admin).update(is_active=False)
    client = client_for(admin)
    for page in PAGES:
        url = reverse(page.url_name, kwargs=page.kwargs({"cast": cast, "org_a": org_a}))
        assert client.get(url).status_code == 404, url
