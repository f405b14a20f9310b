from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from ifm.accounts.models import Invitation
from ifm.accounts.services import hash_token, invitation_accept, invitation_create
from ifm.audit.models import AuditEvent
from ifm.conftest import PASSWORD, client_for
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Membership

NEW_PASSWORD = "lantern-orchard-river-77"


def _invite(
    cast: dict[str, Any], org: Any, email: str = "new.person@example.test", role: str = "staff"
) -> tuple[Invitation, str]:
    admin = cast["admin"]
    with all_organizations():
        access = Membership.all_orgs.get(organization=org, user=admin)
    return invitation_create(
        organization=org, email=email, role=role, actor=admin, actor_access=access
    )


def _token_from_email(message: Any) -> str:
    match = re.search(r"/accounts/invitation/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def test_invite_from_members_page_emails_a_link(
    cast: dict[str, Any], run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/o/alpha/members/invite/", {"email": " New.Person@Example.test ", "role": "finance"}
        )
    assert response.status_code == 302
    assert run_jobs() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]
    assert "Alpha Outreach" in message.subject
    token = _token_from_email(message)
    assert message.body.count("http://127.0.0.1:8000/accounts/invitation/") == 1
    with all_organizations():
        invitation = Invitation.all_orgs.get(email="new.person@example.test")
    assert invitation.role == "finance"
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    with all_organizations():
        assert AuditEvent.objects.filter(
            action="invitation.create", organization__slug="alpha"
        ).exists()


def test_accept_creates_user_and_membership_and_signs_in(cast: dict[str, Any], org_a: Any) -> None:
    invitation, token = _invite(cast, org_a, role="fundraising")
    client = Client()
    page = client.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 200
    assert b"Join Alpha Outreach" in page.content
    response = client.post(
        f"/accounts/invitation/{token}/",
        {"full_name": "New Person", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha/"
    user = get_user_model().objects.get(email="new.person@example.test")
    assert user.full_name == "New Person"
    assert user.check_password(NEW_PASSWORD)
    with all_organizations():
        membership = Membership.all_orgs.get(organization=org_a, user=user)
    assert membership.role == "fundraising"
    assert membership.is_active
    # Signed in: the dashboard answers without a sign-in redirect.
    assert client.get("/o/alpha/").status_code == 200
    with all_organizations():
        invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with all_organizations():
        assert AuditEvent.objects.filter(action="invitation.accept", actor=user).exists()


def test_weak_password_is_refused_naming_the_field(cast: dict[str, Any], org_a: Any) -> None:
    _invitation, token = _invite(cast, org_a)
    with pytest.raises(ServiceError) as exc:
        invitation_accept(token=token, password="short", full_name="X")
    assert exc.value.errors
    assert {e["field"] for e in exc.value.errors} == {"password"}
    response = Client().post(
        f"/accounts/invitation/{token}/",
        {"full_name": "X", "password": "password", "password_confirm": "password"},
    )
    assert response.status_code == 422
    assert b"too common" in response.content
    assert not get_user_model().objects.filter(email="new.person@example.test").exists()


def test_expired_invitation_is_refused(cast: dict[str, Any], org_a: Any) -> None:
    invitation, token = _invite(cast, org_a)
    with all_organizations():
        Invitation.all_orgs.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    with pytest.raises(ServiceError, match=r"expired.*new invitation"):
        invitation_accept(token=token, password=NEW_PASSWORD)
    response = Client().get(f"/accounts/invitation/{token}/")
    assert response.status_code == 410
    assert b"new invitation" in response.content
    assert not get_user_model().objects.filter(email="new.person@example.test").exists()


def test_used_invitation_cannot_be_reused(cast: dict[str, Any], org_a: Any) -> None:
    _invitation, token = _invite(cast, org_a)
    invitation_accept(token=token, password=NEW_PASSWORD, full_name="First")
    with pytest.raises(ServiceError, match="already been used"):
        invitation_accept(token=token, password=NEW_PASSWORD, full_name="Second")
    assert Client().get(f"/accounts/invitation/{token}/").status_code == 410
    assert get_user_model().objects.get(email="new.person@example.test").full_name == "First"


def test_revoked_invitation_is_refused(cast: dict[str, Any], org_a: Any) -> None:
    invitation, token = _invite(cast, org_a)
    response = client_for(cast["admin"]).post(
        f"/o/alpha/members/invitations/{invitation.pk}/revoke/"
    )
    assert response.status_code == 302
    with pytest.raises(ServiceError, match="withdrawn"):
        invitation_accept(token=token, password=NEW_PASSWORD)


def test_unknown_token_is_404(db: Any) -> None:
    assert Client().get("/accounts/invitation/not-a-real-token/").status_code == 404


def test_inviting_again_replaces_the_pending_invitation(cast: dict[str, Any], org_a: Any) -> None:
    first, first_token = _invite(cast, org_a)
    second, second_token = _invite(cast, org_a, email="NEW.person@example.test", role="viewer")
    with all_organizations():
        first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending
    with pytest.raises(ServiceError):
        invitation_accept(token=first_token, password=NEW_PASSWORD)
    membership = invitation_accept(token=second_token, password=NEW_PASSWORD)
    assert membership.role == "viewer"


def test_active_member_cannot_be_invited(cast: dict[str, Any], org_a: Any) -> None:
    with pytest.raises(ServiceError) as exc:
        _invite(cast, org_a, email="Viewer@Alpha.test")
    assert exc.value.errors == [{"field": "email", "message": exc.value.message}]
    response = client_for(cast["admin"]).post(
        "/o/alpha/members/invite/", {"email": "viewer@alpha.test", "role": "staff"}
    )
    assert response.status_code == 422
    assert b"already a member" in response.content


def test_only_admins_invite(cast: dict[str, Any], org_a: Any) -> None:
    finance = cast["finance"]
    with all_organizations():
        access = Membership.all_orgs.get(organization=org_a, user=finance)
    with pytest.raises(PermissionDenied):
        invitation_create(
            organization=org_a,
            email="x@example.test",
            role="staff",
            actor=finance,
            actor_access=access,
        )
    response = client_for(finance).post(
        "/o/alpha/members/invite/", {"email": "x@example.test", "role": "staff"}
    )
    assert response.status_code == 403
    with all_organizations():
        assert not Invitation.all_orgs.filter(email="x@example.test").exists()


def test_existing_user_is_asked_to_sign_in_then_joins(cast: dict[str, Any], org_a: Any) -> None:
    # The admin of B already has an account; they are invited into A.
    _invitation, token = _invite(cast, org_a, email="admin@beta.test", role="viewer")
    anonymous = Client()
    page = anonymous.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 200
    assert b"Sign in first" in page.content
    anonymous.post(f"/accounts/invitation/{token}/", {"full_name": "x", "password": NEW_PASSWORD})
    with all_organizations():
        assert not Membership.all_orgs.filter(organization=org_a, user=cast["other_admin"]).exists()
    assert get_user_model().objects.get(email="admin@beta.test").check_password(PASSWORD)

    signed_in = client_for(cast["other_admin"])
    response = signed_in.post(f"/accounts/invitation/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha/"
    with all_organizations():
        assert (
            Membership.all_orgs.get(organization=org_a, user=cast["other_admin"]).role == "viewer"
        )


def test_signed_in_as_someone_else_cannot_accept(cast: dict[str, Any], org_a: Any) -> None:
    _invitation, token = _invite(cast, org_a)
    response = client_for(cast["outsider"]).post(f"/accounts/invitation/{token}/")
    assert response.status_code == 200
    assert b"this invitation is for new.person@example.test" in response.content
    with all_organizations():
        assert not Membership.all_orgs.filter(organization=org_a, user=cast["outsider"]).exists()
