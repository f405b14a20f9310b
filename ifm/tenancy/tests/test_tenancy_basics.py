from __future__ import annotations

from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.org_context import NoOrganizationContext, org_context
from ifm.tenancy.models import Membership


def test_tenant_manager_refuses_without_organization(cast: dict[str, Any]) -> None:
    with pytest.raises(NoOrganizationContext):
        list(Membership.objects.all())


def test_tenant_manager_sees_only_current_organization(
    cast: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    with org_context(org_b):
        emails = {m.user.email for m in Membership.objects.select_related("user")}
    assert emails == {"admin@beta.test"}


def test_member_sees_dashboard_of_own_organization(cast: dict[str, Any]) -> None:
    response = client_for(cast["viewer"]).get("/o/alpha/")
    assert response.status_code == 200
    assert b"Alpha Outreach" in response.content


def test_other_organization_is_404(cast: dict[str, Any]) -> None:
    assert client_for(cast["other_admin"]).get("/o/alpha/").status_code == 404
    assert client_for(cast["admin"]).get("/o/no-such-org/").status_code == 404


def test_home_redirects_to_the_only_organization(cast: dict[str, Any]) -> None:
    response = client_for(cast["other_admin"]).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/o/beta/"


def test_healthz_and_readyz(client: Any, db: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["database"] == "ok"
