from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from ifm.accounts.models import ApiToken, Invitation
from ifm.audit.models import AuditEvent
from ifm.conftest import client_for, make_user
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.orgs.services import platform_access_grant, platform_access_revoke
from ifm.tenancy.models import Membership, Organization, PlatformAccessGrant


def _run(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_create_organization(db: Any) -> None:
    out = _run(
        "create_organization",
        "--slug",
        "hope-kitchen",
        "--name",
        "Hope Kitchen",
        "--ein",
        "12-3456789",
        "--currency",
        "cad",
        "--fiscal-year-start",
        "7",
    )
    assert "hope-kitchen" in out
    org = Organization.objects.get(slug="hope-kitchen")
    assert (org.name, org.ein, org.currency, org.fiscal_year_start_month) == (
        "Hope Kitchen",
        "12-3456789",
        "CAD",
        7,
    )
    with all_organizations():
        assert AuditEvent.objects.filter(action="organization.create", organization=org).exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--slug", "Bad Slug!", "--name", "X"], "--slug"),
        (["--slug", "ok-slug", "--name", "X", "--ein", "123"], "--ein"),
        (["--slug", "ok-slug", "--name", "X", "--fiscal-year-start", "13"], "--fiscal-year-start"),
        (["--slug", "ok-slug", "--name", "X", "--currency", "dollars"], "--currency"),
    ],
)
def test_create_organization_rejects_bad_input(db: Any, args: list[str], option: str) -> None:
    with pytest.raises(CommandError, match=re.escape(option)):
        _run("create_organization", *args)
    assert not Organization.objects.exists()


def test_create_organization_refuses_a_taken_slug(org_a: Any) -> None:
    with pytest.raises(CommandError, match=r"--slug: .*already exists"):
        _run("create_organization", "--slug", "alpha", "--name", "Again")
    assert Organization.objects.filter(slug="alpha").count() == 1


def test_create_user_with_password_from_stdin(org_a: Any) -> None:
    out = _run(
        "create_user",
        "--email",
        "Treasurer@Example.test",
        "--org",
        "alpha",
        "--role",
        "finance",
        "--password-stdin",
        stdin=io.StringIO("quiet-meadow-lantern-31\n"),
    )
    assert "treasurer@example.test" in out
    user = get_user_model().objects.get(email="treasurer@example.test")
    assert user.check_password("quiet-meadow-lantern-31")
    with all_organizations():
        assert Membership.all_orgs.get(organization=org_a, user=user).role == "finance"


def test_create_user_refuses_a_weak_password(org_a: Any) -> None:
    with pytest.raises(CommandError, match=r"--password-stdin: .*too common"):
        _run(
            "create_user",
            "--email",
            "weak@example.test",
            "--org",
            "alpha",
            "--role",
            "staff",
            "--password-stdin",
            stdin=io.StringIO("password\n"),
        )
    assert not get_user_model().objects.filter(email="weak@example.test").exists()


def test_create_user_without_password_sends_an_invitation(
    org_a: Any, run_jobs: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(
            "create_user", "--email", "vol@example.test", "--org", "alpha", "--role", "staff"
        )
    assert "Invitation sent to vol@example.test" in out
    run_jobs()
    assert [m.to for m in mail.outbox] == [["vol@example.test"]]
    assert "/accounts/invitation/" in mail.outbox[0].body
    with all_organizations():
        assert Invitation.all_orgs.get(email="vol@example.test").role == "staff"
    assert not get_user_model().objects.filter(email="vol@example.test").exists()


def test_create_user_unknown_org(db: Any) -> None:
    with pytest.raises(CommandError, match="--org"):
        _run("create_user", "--email", "a@example.test", "--org", "nope", "--role", "staff")


def test_create_api_token_prints_only_the_token(cast: dict[str, Any]) -> None:
    out = _run(
        "create_api_token", "--email", "finance@alpha.test", "--org", "alpha", "--name", "CI"
    )
    secret = out.strip()
    assert out == secret + "\n"
    assert re.fullmatch(r"ifm_[A-Za-z0-9_-]{40,}", secret)
    with all_organizations():
        token = ApiToken.objects.get(token_hash=hashlib.sha256(secret.encode()).hexdigest())
    assert token.user == cast["finance"]
    assert token.organization.slug == "alpha"
    assert token.name == "CI"


def test_create_api_token_needs_membership(cast: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="--org"):
        _run("create_api_token", "--email", "admin@beta.test", "--org", "alpha")
    with pytest.raises(CommandError, match="may not"):
        _run("create_api_token", "--email", "viewer@alpha.test", "--org", "alpha")
    with all_organizations():
        assert not ApiToken.objects.exists()


def test_platform_staff_needs_a_grant_and_the_grant_is_audited(cast: dict[str, Any]) -> None:
    support = make_user("support@ifm.test", is_platform_staff=True)
    client = client_for(support)
    assert client.get("/o/alpha/").status_code == 404

    out = _run(
        "grant_access",
        "--email",
        "support@ifm.test",
        "--org",
        "alpha",
        "--role",
        "viewer",
        "--hours",
        "2",
        "--reason",
        "Ticket 4411: donor import fails",
    )
    assert "support@ifm.test may act in alpha as viewer" in out
    assert client.get("/o/alpha/").status_code == 200
    assert client.get("/o/beta/").status_code == 404
    assert client.get("/o/alpha/members/").status_code == 403  # the grant's role, not more

    with all_organizations():
        event = AuditEvent.objects.get(action="platform_access.grant")
    assert event.organization == Organization.objects.get(slug="alpha")
    assert event.changes["reason"] == "Ticket 4411: donor import fails"
    assert event.changes["user"] == "support@ifm.test"

    _run("grant_access", "--email", "support@ifm.test", "--org", "alpha", "--revoke")
    assert client.get("/o/alpha/").status_code == 404
    with all_organizations():
        assert AuditEvent.objects.filter(action="platform_access.revoke").count() == 1


def test_grant_access_refuses_non_staff_and_missing_reason(
    cast: dict[str, Any], org_a: Any
) -> None:
    with pytest.raises(CommandError, match=r"--email: .*not IFM platform staff"):
        _run("grant_access", "--email", "nobody@example.test", "--org", "alpha", "--reason", "x")
    support = make_user("support@ifm.test", is_platform_staff=True)
    with pytest.raises(CommandError, match="--reason"):
        _run("grant_access", "--email", "support@ifm.test", "--org", "alpha")
    with pytest.raises(ServiceError):
        platform_access_grant(organization=org_a, user=support, role="admin", reason="x", hours=0)
    with all_organizations():
        assert not PlatformAccessGrant.all_orgs.exists()
    grant = platform_access_grant(
        organization=org_a,
        user=support,
        role="admin",
        reason="Setup help",
        hours=1,
        actor=cast["admin"],
    )
    assert grant.is_active
    platform_access_revoke(grant=grant, actor=cast["admin"])
    with all_organizations():
        grant.refresh_from_db()
    assert not grant.is_active
