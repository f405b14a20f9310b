from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ifm.accounts.tests.auth_helpers import (
    audit_events,
    reauthenticate,
    secret_from_page,
    sign_in,
    totp_code,
)
from ifm.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def enrol(client: Client, on_commit: Any) -> str:
    """Set up the authenticator app through the pages; returns the secret."""
    ask = client.get(reverse("mfa_activate_totp"))
    assert ask.status_code == 302
    assert ask["Location"].startswith(reverse("account_reauthenticate"))
    confirm_page = client.get(ask["Location"])
    assert "Confirm it's you" in confirm_page.content.decode()
    assert reauthenticate(client).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    secret = secret_from_page(html)
    with on_commit(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    return secret


def recovery_codes(client: Client) -> list[str]:
    page = client.get(reverse("mfa_view_recovery_codes"))
    assert page.status_code == 200
    block = re.search(r'id="recovery-codes"[^>]*>(.*?)</ul>', page.content.decode(), re.S)
    assert block
    return re.findall(r"<li class=\"col\">(\w+)</li>", block.group(1))


def test_mfa_index_page(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    page = client.get(reverse("mfa_index"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Two-factor authentication" in html
    assert 'id="totp-status">Not set up' in html
    assert reverse("mfa_activate_totp") in html


def test_enrol_then_sign_in_needs_the_code(
    cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    sign_in(client, "finance@alpha.test")
    secret = enrol(client, django_capture_on_commit_callbacks)
    user = cast["finance"]
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type="recovery_codes").exists()
    assert audit_events(action="auth.mfa_enabled", actor=user)
    index = client.get(reverse("mfa_index")).content.decode()
    assert 'id="totp-status">Active' in index
    client.post(reverse("account_logout"))

    fresh = Client()
    response = sign_in(fresh, "finance@alpha.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_authenticate")
    assert SESSION_KEY not in fresh.session
    challenge = fresh.get(reverse("accounts:mfa_authenticate"))
    html = challenge.content.decode()
    assert challenge.status_code == 200
    assert "recovery code" in html
    assert fresh.get(reverse("home")).status_code == 302  # still not signed in

    wrong = fresh.post(reverse("accounts:mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert 'id="id_code_error"' in wrong.content.decode()
    assert audit_events(action="auth.mfa_failed", actor=user)

    right = fresh.post(reverse("accounts:mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert int(fresh.session[SESSION_KEY]) == user.pk
    assert len(audit_events(action="auth.sign_in", actor=user)) == 2


def test_recovery_code_works_once(
    cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    sign_in(client, "admin@alpha.test")
    enrol(client, django_capture_on_commit_callbacks)
    codes = recovery_codes(client)
    assert len(codes) == 10
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download.status_code == 200
    assert codes[0] in download.content.decode()
    client.post(reverse("account_logout"))

    first = Client()
    sign_in(first, "admin@alpha.test")
    response = first.post(reverse("accounts:mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert int(first.session[SESSION_KEY]) == cast["admin"].pk
    first.post(reverse("account_logout"))

    second = Client()
    sign_in(second, "admin@alpha.test")
    reused = second.post(reverse("accounts:mfa_authenticate"), {"code": codes[0]})
    assert reused.status_code == 200
    assert SESSION_KEY not in second.session
    another = second.post(reverse("accounts:mfa_authenticate"), {"code": codes[1]})
    assert another.status_code == 302


def test_generate_new_recovery_codes(
    cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    sign_in(client, "admin@alpha.test")
    enrol(client, django_capture_on_commit_callbacks)
    old = recovery_codes(client)
    reauthenticate(client)
    page = client.get(reverse("mfa_generate_recovery_codes"))
    assert page.status_code == 200
    assert "will stop working" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    new = recovery_codes(client)
    assert set(new).isdisjoint(old)
    assert audit_events(action="auth.recovery_codes_generated", actor=cast["admin"])


def test_deactivate(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    enrol(client, django_capture_on_commit_callbacks)
    reauthenticate(client)
    page = client.get(reverse("mfa_deactivate_totp"))
    assert page.status_code == 200
    assert "Turn off the authenticator app" in page.content.decode()
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=cast["staff"]).exists()
    assert audit_events(action="auth.mfa_disabled", actor=cast["staff"])


@pytest.fixture
def org_requires_2fa(org_a: Any) -> Any:
    org_a.require_2fa_for_admin_finance = True
    org_a.save(update_fields=["require_2fa_for_admin_finance"])
    return org_a


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_required_2fa_sends_admin_and_finance_to_enrol(
    cast: dict[str, Any], org_requires_2fa: Any, role: str
) -> None:
    client = client_for(cast[role])
    response = client.get(reverse("orgs:dashboard", kwargs={"org_slug": "alpha"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"], follow=True)
    assert "requires two-factor authentication" in page.content.decode()
    # The two-factor pages stay reachable; other pages of the organization do not.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})).status_code == 302


def test_required_2fa_lets_enrolled_and_other_roles_through(
    cast: dict[str, Any], org_requires_2fa: Any
) -> None:
    dashboard = reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})
    assert client_for(cast["staff"]).get(dashboard).status_code == 200
    assert client_for(cast["viewer"]).get(dashboard).status_code == 200
    TOTP.activate(cast["admin"], generate_totp_secret())
    assert client_for(cast["admin"]).get(dashboard).status_code == 200


def test_required_2fa_only_in_the_org_that_requires_it(
    cast: dict[str, Any], org_requires_2fa: Any
) -> None:
    other = client_for(cast["other_admin"])
    assert other.get(reverse("orgs:dashboard", kwargs={"org_slug": "beta"})).status_code == 200


def test_required_2fa_htmx_request_gets_client_redirect(
    cast: dict[str, Any], org_requires_2fa: Any
) -> None:
    response = client_for(cast["admin"]).get(
        reverse("orgs:dashboard", kwargs={"org_slug": "alpha"}), HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == reverse("mfa_activate_totp")


def test_without_requirement_no_redirect(cast: dict[str, Any]) -> None:
    response = client_for(cast["admin"]).get(
        reverse("orgs:dashboard", kwargs={"org_slug": "alpha"})
    )
    assert response.status_code == 200
