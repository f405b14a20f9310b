"""`org_service`: a service's permission and organization declared once, checked on every call."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from ifm.core.models import IdempotencyRecord
from ifm.core.org_context import all_organizations, current_org_id
from ifm.tenancy.models import Membership, Organization
from ifm.tenancy.permissions import Access, org_service


@org_service("members.manage")
def _manage(
    *, organization: Organization, access: Access | None, user: Any = None, fail: bool = False
) -> int | None:
    IdempotencyRecord.objects.create(user=user, key="org-service", method="POST", path="/")
    if fail:
        raise ValueError("refused half-way")
    return current_org_id()


def _membership(org: Organization, user: Any) -> Membership:
    with all_organizations():
        return Membership.all_orgs.get(organization=org, user=user)


def test_runs_in_the_organization_and_in_one_transaction(
    org_a: Organization, cast: dict[str, Any]
) -> None:
    admin = cast["admin"]
    access = _membership(org_a, admin)
    assert current_org_id() is None
    assert _manage(organization=org_a, access=access, user=admin) == org_a.pk
    assert current_org_id() is None  # the context does not leak out of the call
    with all_organizations():
        IdempotencyRecord.all_orgs.all().delete()
    with pytest.raises(ValueError, match="half-way"):
        _manage(organization=org_a, access=access, user=admin, fail=True)
    with all_organizations():
        assert not IdempotencyRecord.all_orgs.exists()  # the failed call left nothing behind
    assert connection.in_atomic_block  # pytest's own transaction, not one of ours left open


def test_refuses_without_the_permission(org_a: Organization, cast: dict[str, Any]) -> None:
    staff = cast["staff"]
    with pytest.raises(PermissionDenied, match="invite members"):
        _manage(organization=org_a, access=_membership(org_a, staff), user=staff)
    with pytest.raises(PermissionDenied):
        _manage(organization=org_a, access=None, user=staff)
    with all_organizations():
        assert not IdempotencyRecord.all_orgs.exists()


def test_declaration_mistakes_fail_at_import() -> None:
    with pytest.raises(KeyError, match="Unknown permission"):
        org_service("no.such.perm")
    with pytest.raises(TypeError, match="'organization' as a keyword-only"):

        @org_service("org.view")
        def _positional(organization: Organization, access: Access) -> None: ...
