from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.accounts.models import ApiToken
from ifm.accounts.selectors import api_token_list
from ifm.accounts.services import api_token_create, api_token_revoke
from ifm.audit.models import AuditEvent
from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.tenancy.models import Membership


def _access(user: Any, org: Any) -> Membership:
    with all_organizations():
        return Membership.all_orgs.get(organization=org, user=user)


def test_token_page_shows_the_token_once_and_stores_only_its_hash(cast: dict[str, Any]) -> None:
    client = client_for(cast["staff"])
    response = client.post("/o/alpha/tokens/", {"name": "Nightly export"})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    match = re.search(rb'value="(ifm_[A-Za-z0-9_-]+)"', response.content)
    assert match, response.content
    secret = match.group(1).decode()
    assert len(secret) > 40

    with all_organizations():
        stored = ApiToken.objects.get(name="Nightly export")
    assert stored.user == cast["staff"]
    assert stored.prefix == secret[:12]
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    for field in ApiToken._meta.concrete_fields:
        assert secret not in str(getattr(stored, field.attname))

    listing = client.get("/o/alpha/tokens/")
    assert listing.status_code == 200
    assert b"Nightly export" in listing.content
    assert stored.prefix.encode() in listing.content
    assert secret.encode() not in listing.content
    with all_organizations():
        assert AuditEvent.objects.filter(
            action="api_token.create", object_id=str(stored.pk)
        ).exists()
    with all_organizations():
        assert secret not in str(AuditEvent.objects.get(action="api_token.create").changes)


def test_token_needs_a_name(cast: dict[str, Any]) -> None:
    response = client_for(cast["staff"]).post("/o/alpha/tokens/", {"name": "  "})
    assert response.status_code == 422
    with all_organizations():
        assert not ApiToken.objects.exists()


def test_viewer_may_not_create_tokens(cast: dict[str, Any], org_a: Any) -> None:
    viewer = cast["viewer"]
    assert client_for(viewer).get("/o/alpha/tokens/").status_code == 403
    assert client_for(viewer).post("/o/alpha/tokens/", {"name": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        api_token_create(organization=org_a, user=viewer, access=_access(viewer, org_a), name="x")
    with all_organizations():
        assert not ApiToken.objects.exists()


def test_revoke_own_token(cast: dict[str, Any], org_a: Any) -> None:
    staff = cast["staff"]
    token, _secret = api_token_create(
        organization=org_a, user=staff, access=_access(staff, org_a), name="Script"
    )
    client = client_for(staff)
    response = client.post(f"/o/alpha/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    with all_organizations():
        token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_active
    with all_organizations():
        assert AuditEvent.objects.filter(action="api_token.revoke", actor=staff).exists()
    assert b"Revoked" in client.get("/o/alpha/tokens/").content


def test_member_cannot_revoke_someone_elses_token_but_admin_can(
    cast: dict[str, Any], org_a: Any
) -> None:
    finance = cast["finance"]
    token, _secret = api_token_create(
        organization=org_a, user=finance, access=_access(finance, org_a), name="Bank sync"
    )
    assert client_for(cast["staff"]).post(f"/o/alpha/tokens/{token.pk}/revoke/").status_code == 404
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=cast["staff"])
    with all_organizations():
        token.refresh_from_db()
    assert token.revoked_at is None

    admin_page = client_for(cast["admin"]).get("/o/alpha/tokens/")
    assert b"Bank sync" in admin_page.content
    assert client_for(cast["admin"]).post(f"/o/alpha/tokens/{token.pk}/revoke/").status_code == 302
    with all_organizations():
        token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_of_another_organization_is_404(cast: dict[str, Any], org_b: Any) -> None:
    other = cast["other_admin"]
    token, _secret = api_token_create(
        organization=org_b, user=other, access=_access(other, org_b), name="Beta"
    )
    assert client_for(cast["admin"]).post(f"/o/alpha/tokens/{token.pk}/revoke/").status_code == 404
    with all_organizations():
        token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=cast["admin"])


def test_selector_lists_a_users_tokens_in_one_organization(
    cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    admin = cast["admin"]
    api_token_create(organization=org_a, user=admin, access=_access(admin, org_a), name="One")
    api_token_create(
        organization=org_a, user=cast["staff"], access=_access(cast["staff"], org_a), name="Staff's"
    )
    with org_context(org_a):
        names = [t.name for t in api_token_list(organization=org_a, user=admin)]
    assert names == ["One"]
    with pytest.raises(ServiceError):
        api_token_create(organization=org_a, user=admin, access=_access(admin, org_a), name="")
