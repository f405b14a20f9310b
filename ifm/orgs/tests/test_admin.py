"""The Django admin: staff only, works across organizations, writes through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ifm.accounts.models import ApiToken, User
from ifm.audit.models import AuditEvent
from ifm.conftest import client_for, make_user
from ifm.core.org_context import all_organizations, org_context
from ifm.orgs.services import platform_access_grant
from ifm.tenancy.models import Membership, Organization, PlatformAccessGrant
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def _events(**filters: Any) -> list[AuditEvent]:
    """Audit events as staff see them (test code runs outside any request or organization)."""
    with all_organizations():
        return list(AuditEvent.objects.filter(**filters).select_related("actor"))


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser("root@ifm.test", password="correct-horse-battery-9")


@pytest.fixture
def token(cast: dict[str, Any], org_a: Organization) -> ApiToken:
    with org_context(org_a):
        return ApiToken.objects.create(
            organization=org_a,
            user=cast["finance"],
            name="laptop",
            prefix="ifm_abc",
            token_hash="0" * 64,
        )


@pytest.fixture
def grant(cast: dict[str, Any], org_b: Organization, superuser: User) -> PlatformAccessGrant:
    staff = make_user("support@ifm.test", is_platform_staff=True)
    return platform_access_grant(
        organization=org_b,
        user=staff,
        role=Role.VIEWER,
        reason="ticket 42",
        hours=2,
        actor=superuser,
    )


def _pages(cast: dict[str, Any], token: ApiToken, grant: PlatformAccessGrant) -> list[str]:
    with all_organizations():
        membership = Membership.all_orgs.get(user=cast["finance"])
    event = _events(organization__isnull=False)[0]
    pages = [reverse("admin:index")]
    for model, obj in [
        ("accounts_user", cast["admin"]),
        ("tenancy_organization", membership.organization),
        ("tenancy_membership", membership),
        ("tenancy_platformaccessgrant", grant),
        ("audit_auditevent", event),
        ("accounts_apitoken", token),
    ]:
        pages.append(reverse(f"admin:{model}_changelist"))
        pages.append(reverse(f"admin:{model}_change", args=[obj.pk]))
    return pages


def test_every_admin_page_works_for_staff(
    superuser: User, cast: Any, token: ApiToken, grant: PlatformAccessGrant
) -> None:
    client = client_for(superuser)
    for url in _pages(cast, token, grant):
        assert client.get(url).status_code == 200, url
    # Changelists list rows of every organization although none is current.
    body = client.get(reverse("admin:tenancy_membership_changelist")).content.decode()
    assert "Alpha Admin" in body
    assert "Beta Admin" in body
    for add in [
        "accounts_user",
        "tenancy_organization",
        "tenancy_membership",
        "tenancy_platformaccessgrant",
    ]:
        assert client.get(reverse(f"admin:{add}_add")).status_code == 200, add


def test_admin_is_for_is_staff_users_only(
    cast: Any, token: ApiToken, grant: PlatformAccessGrant
) -> None:
    for user in (cast["admin"], cast["outsider"]):
        client = client_for(user)
        for url in _pages(cast, token, grant):
            response = client.get(url)
            assert response.status_code == 302, url
            assert reverse("admin:login") in response["Location"]


def test_audit_events_and_tokens_are_read_only(superuser: User, cast: Any, token: ApiToken) -> None:
    client = client_for(superuser)
    event = _events(organization__isnull=False)[0]
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "forged"}
    )
    assert response.status_code == 403
    assert _events(pk=event.pk)[0].action == event.action
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert client.get(reverse("admin:accounts_apitoken_delete", args=[token.pk])).status_code == 403


def test_token_revoke_action_revokes_and_audits(superuser: User, token: ApiToken) -> None:
    response = client_for(superuser).post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    with all_organizations():
        token.refresh_from_db()
    assert token.revoked_at is not None
    [event] = _events(action="api_token.revoke", object_id=str(token.pk))
    assert event.actor == superuser
    assert event.organization_id == token.organization_id


def test_membership_change_goes_through_the_service(superuser: User, cast: Any, org_a: Any) -> None:
    with all_organizations():
        membership = Membership.all_orgs.get(user=cast["viewer"])
    url = reverse("admin:tenancy_membership_change", args=[membership.pk])
    client = client_for(superuser)
    response = client.post(
        url, {"role": Role.FINANCE, "is_active": "on", "expected_version": membership.version}
    )
    assert response.status_code == 302
    with all_organizations():
        membership.refresh_from_db()
    assert membership.role == Role.FINANCE
    event = next(iter(_events(action="membership.update", object_id=str(membership.pk))), None)
    assert event is not None
    assert event.actor == superuser
    assert event.changes["role"] == {"before": "viewer", "after": "finance"}
    # A stale version is refused, with the reason shown.
    response = client.post(
        url, {"role": Role.STAFF, "is_active": "on", "expected_version": 1}, follow=True
    )
    assert "reload it" in response.content.decode()
    with all_organizations():
        membership.refresh_from_db()
    assert membership.role == Role.FINANCE


def test_last_admin_cannot_be_demoted_in_admin(superuser: User, cast: Any) -> None:
    with all_organizations():
        membership = Membership.all_orgs.get(user=cast["admin"])
    response = client_for(superuser).post(
        reverse("admin:tenancy_membership_change", args=[membership.pk]),
        {"role": Role.VIEWER, "is_active": "on", "expected_version": membership.version},
        follow=True,
    )
    assert "at least one active admin" in response.content.decode()
    with all_organizations():
        membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_membership_add_and_duplicate(superuser: User, cast: Any, org_b: Organization) -> None:
    client = client_for(superuser)
    url = reverse("admin:tenancy_membership_add")
    data = {"organization": org_b.pk, "user": cast["viewer"].pk, "role": Role.STAFF}
    assert client.post(url, data).status_code == 302
    with all_organizations():
        assert Membership.all_orgs.get(organization=org_b, user=cast["viewer"]).role == Role.STAFF
    assert _events(action="membership.create", organization=org_b)
    # The unique constraint is checked (in the row's organization) and reported on the form.
    response = client.post(url, data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_organization_add_and_grant_add_use_services(superuser: User, cast: Any) -> None:
    client = client_for(superuser)
    response = client.post(
        reverse("admin:tenancy_organization_add"),
        {
            "slug": "gamma",
            "name": "Gamma Mission",
            "legal_name": "",
            "ein": "33-3333333",
            "currency": "USD",
            "fiscal_year_start_month": 7,
            "time_zone": "America/Chicago",
        },
    )
    assert response.status_code == 302
    gamma = Organization.objects.get(slug="gamma")  # not a tenant table
    assert gamma.legal_name == "Gamma Mission"
    assert _events(action="organization.create", organization=gamma)

    staff = make_user("helper@ifm.test", is_platform_staff=True)
    response = client.post(
        reverse("admin:tenancy_platformaccessgrant_add"),
        {
            "organization": gamma.pk,
            "user": staff.pk,
            "role": Role.VIEWER,
            "reason": "onboarding",
            "hours": 4,
        },
    )
    assert response.status_code == 302
    with all_organizations():
        grant = PlatformAccessGrant.all_orgs.get(organization=gamma)
    assert grant.granted_by == superuser
    assert grant.is_active
    # A person who is not platform staff cannot be chosen.
    response = client.post(
        reverse("admin:tenancy_platformaccessgrant_add"),
        {
            "organization": gamma.pk,
            "user": cast["viewer"].pk,
            "role": Role.VIEWER,
            "reason": "x",
            "hours": 4,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_grant_revoke_action(superuser: User, grant: PlatformAccessGrant) -> None:
    response = client_for(superuser).post(
        reverse("admin:tenancy_platformaccessgrant_changelist"),
        {"action": "revoke", "_selected_action": [grant.pk]},
    )
    assert response.status_code == 302
    with all_organizations():
        grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert _events(action="platform_access.revoke", object_id=str(grant.pk))


def test_user_admin_by_email_and_rights_changes_are_audited(superuser: User, cast: Any) -> None:
    client = client_for(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "new@ifm.test", "full_name": "New Person", "usable_password": "false"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new@ifm.test")
    assert not user.has_usable_password()
    assert _events(action="user.create", object_id=str(user.pk))
    viewer = cast["viewer"]
    response = client.post(
        reverse("admin:accounts_user_change", args=[viewer.pk]),
        {
            "email": viewer.email,
            "full_name": viewer.full_name,
            "is_active": "on",
            "is_platform_staff": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    viewer.refresh_from_db()
    assert viewer.is_platform_staff
    [event] = _events(action="user.update", object_id=str(viewer.pk))
    assert event.changes == {"is_platform_staff": {"before": False, "after": True}}
    assert event.actor == superuser
