from __future__ import annotations

from typing import Any

from ifm.accounts.services import membership_set
from ifm.conftest import client_for, make_user
from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role


def _m(user: Any, org: Any) -> Membership:
    with all_organizations():
        return Membership.all_orgs.get(organization=org, user=user)


def test_members_page_lists_members_with_roles_and_2fa(cast: dict[str, Any]) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=cast["finance"], type=Authenticator.Type.TOTP, data={})
    response = client_for(cast["admin"]).get("/o/alpha/members/")
    assert response.status_code == 200
    rows = {m.user.email: m for m in response.context["members"]}
    assert set(rows) == {f"{r.value}@alpha.test" for r in Role}
    assert rows["finance@alpha.test"].has_2fa is True
    assert rows["staff@alpha.test"].has_2fa is False
    assert b"admin@beta.test" not in response.content
    assert b"Send invitation" in response.content


def test_search_role_filter_and_pagination(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["admin"])
    found = client.get("/o/alpha/members/", {"q": "fundrais"}).context["members"]
    assert [m.user.email for m in found] == ["fundraising@alpha.test"]
    viewers = client.get("/o/alpha/members/", {"role": "viewer"}).context["members"]
    assert [m.user.email for m in viewers] == ["viewer@alpha.test"]

    for i in range(25):
        membership_set(organization=org_a, user=make_user(f"extra{i:02}@alpha.test"), role="staff")
    first = client.get("/o/alpha/members/")
    assert len(first.context["members"]) == 25
    assert first.context["page"].paginator.count == 31
    second = client.get("/o/alpha/members/", {"page": 2})
    assert len(second.context["members"]) == 6


def test_finance_may_view_but_not_change(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["finance"])
    page = client.get("/o/alpha/members/")
    assert page.status_code == 200
    assert b"Send invitation" not in page.content
    staff = _m(cast["staff"], org_a)
    response = client.post(
        f"/o/alpha/members/{staff.pk}/role/", {"version": staff.version, "role": "admin"}
    )
    assert response.status_code == 403
    with all_organizations():
        staff.refresh_from_db()
    assert staff.role == "staff"


def test_viewer_cannot_see_or_change_members(cast: dict[str, Any], org_a: Any) -> None:
    client = client_for(cast["viewer"])
    assert client.get("/o/alpha/members/").status_code == 403
    viewer = _m(cast["viewer"], org_a)
    response = client.post(
        f"/o/alpha/members/{viewer.pk}/role/", {"version": viewer.version, "role": "admin"}
    )
    assert response.status_code == 403
    with all_organizations():
        viewer.refresh_from_db()
    assert viewer.role == "viewer"


def test_admin_changes_a_role(cast: dict[str, Any], org_a: Any) -> None:
    staff = _m(cast["staff"], org_a)
    response = client_for(cast["admin"]).post(
        f"/o/alpha/members/{staff.pk}/role/", {"version": staff.version, "role": "finance"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha/members/"
    with all_organizations():
        staff.refresh_from_db()
    assert staff.role == "finance"
    assert staff.version == 2
    assert staff.updated_by == cast["admin"]


def test_inline_role_change_with_htmx_returns_the_row(cast: dict[str, Any], org_a: Any) -> None:
    staff = _m(cast["staff"], org_a)
    response = client_for(cast["admin"]).post(
        f"/o/alpha/members/{staff.pk}/role/",
        {"version": staff.version, "role": "viewer"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<tr id="member-{staff.pk}"')
    assert 'value="viewer" selected' in content
    with all_organizations():
        staff.refresh_from_db()
    assert staff.role == "viewer"


def test_stale_version_shows_conflict_and_changes_nothing(cast: dict[str, Any], org_a: Any) -> None:
    staff = _m(cast["staff"], org_a)
    stale = staff.version
    client = client_for(cast["admin"])
    assert (
        client.post(
            f"/o/alpha/members/{staff.pk}/role/", {"version": stale, "role": "finance"}
        ).status_code
        == 302
    )
    response = client.post(
        f"/o/alpha/members/{staff.pk}/role/", {"version": stale, "role": "viewer"}
    )
    assert response.status_code == 409
    assert b"changed by Alpha Admin" in response.content
    assert b"reload" in response.content
    with all_organizations():
        staff.refresh_from_db()
    assert staff.role == "finance"
    assert staff.version == stale + 1


def test_last_admin_cannot_be_demoted_or_deactivated(cast: dict[str, Any], org_a: Any) -> None:
    admin = _m(cast["admin"], org_a)
    client = client_for(cast["admin"])
    response = client.post(
        f"/o/alpha/members/{admin.pk}/role/", {"version": admin.version, "role": "staff"}
    )
    assert response.status_code == 422
    assert b"at least one active admin" in response.content
    response = client.post(
        f"/o/alpha/members/{admin.pk}/status/", {"version": admin.version, "is_active": "0"}
    )
    assert response.status_code == 422
    with all_organizations():
        admin.refresh_from_db()
    assert admin.role == "admin"
    assert admin.is_active


def test_deactivate_and_reactivate(cast: dict[str, Any], org_a: Any) -> None:
    staff = _m(cast["staff"], org_a)
    client = client_for(cast["admin"])
    client.post(
        f"/o/alpha/members/{staff.pk}/status/", {"version": staff.version, "is_active": "0"}
    )
    with all_organizations():
        staff.refresh_from_db()
    assert staff.is_active is False
    assert client_for(cast["staff"]).get("/o/alpha/").status_code == 404
    client.post(
        f"/o/alpha/members/{staff.pk}/status/", {"version": staff.version, "is_active": "1"}
    )
    with all_organizations():
        staff.refresh_from_db()
    assert staff.is_active is True
    assert client_for(cast["staff"]).get("/o/alpha/").status_code == 200


def test_member_of_another_organization_is_404(cast: dict[str, Any], org_b: Any) -> None:
    beta_admin = _m(cast["other_admin"], org_b)
    client = client_for(cast["admin"])
    for action, data in [("role", {"role": "viewer"}), ("status", {"is_active": "0"})]:
        response = client.post(
            f"/o/alpha/members/{beta_admin.pk}/{action}/", {"version": beta_admin.version, **data}
        )
        assert response.status_code == 404
        assert client.get(f"/o/alpha/members/{beta_admin.pk}/{action}/").status_code == 404
    with all_organizations():
        beta_admin.refresh_from_db()
    assert beta_admin.role == "admin"
    assert beta_admin.is_active
