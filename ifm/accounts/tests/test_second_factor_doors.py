"""Every way to sign in goes through the second factor (security finding 1), and IFM staff must
have one. The URLs that take a password are found by walking the URL configuration, so a new
sign-in door joins these tests without anyone listing it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ifm.accounts.services import invitation_create, membership_set
from ifm.accounts.tests.auth_helpers import sign_in, totp_code
from ifm.conftest import PASSWORD, client_for, make_user
from ifm.core.org_context import all_organizations
from ifm.tenancy.models import Membership
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db

# What a stand-in path parameter is filled with when walking the URL configuration.
_SAMPLE = {"int": "1", "slug": "alpha", "str": "x", "path": "x", "uuid": "0" * 32}
_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete(route: str) -> str | None:
    """A path for a route, with sample parameters; None for regex routes (static, media)."""
    if route.startswith("^") or "(?P" in route:
        return None
    return "/" + _PARAM.sub(lambda m: _SAMPLE.get(m.group("conv") or "str", "x"), route)


def credential_urls(extra: list[str]) -> dict[str, str]:
    """Every URL that shows a stranger a form with a password field, mapped to the link a
    stranger opens to reach it (a password-reset link redirects to its form)."""
    found = {}
    paths = {p for p in (_concrete(r) for r in _walk(get_resolver().url_patterns)) if p}
    for path in sorted(paths | set(extra)):
        if path.startswith("/api/"):
            continue  # the API takes tokens, never passwords (checked below)
        # A redirect of a walked route leads to a page that is itself walked (the sign-in page,
        # mostly); the extra links are followed.
        response = Client().get(path, follow=path in extra)
        if response.status_code == 200 and 'type="password"' in response.content.decode():
            chain = getattr(response, "redirect_chain", None)
            final = chain[-1][0] if chain else path
            found[final] = path
    return found


def assert_no_usable_session(client: Client) -> None:
    assert SESSION_KEY not in client.session
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/o/alpha/").status_code == 302
    assert client.get("/platform/audit/").status_code in {302, 403}
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert not admin["Location"].startswith("/admin/") or "login" in admin["Location"]
    assert client.get("/api/v1/donors", HTTP_X_IFM_ORGANIZATION="alpha").status_code == 401


@pytest.fixture
def enrolled_staff(cast: dict[str, Any], org_a: Any) -> tuple[Any, str]:
    """An IFM superuser (platform staff, admin access) who is also an admin of Alpha, with TOTP."""
    user = make_user("root@ifm.test", is_staff=True, is_superuser=True, is_platform_staff=True)
    membership_set(organization=org_a, user=user, role=Role.ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def test_admin_sign_in_form_is_never_served(enrolled_staff: tuple[Any, str]) -> None:
    user, _ = enrolled_staff
    client = Client()
    # The probe's reproduction: the admin's own form with the password only.
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    assert_no_usable_session(client)


def test_every_password_form_stops_at_the_second_factor(
    enrolled_staff: tuple[Any, str],
    org_b: Any,
    cast: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    user, secret = enrolled_staff
    with all_organizations():
        other_admin_access = Membership.all_orgs.get(user=cast["other_admin"])
    _, invitation_token = invitation_create(
        organization=org_b,
        email=user.email,
        role=Role.VIEWER,
        actor=cast["other_admin"],
        actor_access=other_admin_access,
    )
    # Links that only work with a real token: an invitation, a password reset.
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": user.email})
    reset_link = next(
        word for word in mail.outbox[-1].body.split() if "/accounts/password/reset/key/" in word
    )
    extra = [
        reverse("accounts:invitation_accept", kwargs={"token": invitation_token}),
        urlsplit(reset_link).path,
    ]
    urls = credential_urls(extra)
    # The walk finds the sign-in and reset pages (so it can fail); the admin sends people on.
    assert reverse("account_login") in urls
    assert any("/accounts/password/reset/key/" in url for url in urls), urls
    assert "/admin/login/" not in urls
    for url, entry in sorted(urls.items()):
        client = Client()
        client.get(entry, follow=True)
        client.post(
            url,
            {
                "login": user.email,
                "email": user.email,
                "username": user.email,
                "password": PASSWORD,
                "password_confirm": PASSWORD,
                "password1": PASSWORD,
                "password2": PASSWORD,
                "full_name": "Root",
            },
        )
        assert_no_usable_session(client)
    # With the code as well, the same person is signed in: the test can tell the two apart.
    client = Client()
    sign_in(client, user.email)
    client.post(reverse("accounts:mfa_authenticate"), {"code": totp_code(secret)})
    assert SESSION_KEY in client.session
    assert client.get("/platform/audit/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_session_that_skipped_the_code_is_signed_out(enrolled_staff: tuple[Any, str]) -> None:
    """However a password-only session came about, its next request ends it."""
    user, _ = enrolled_staff
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/platform/audit/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert SESSION_KEY not in client.session
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    api = client.get("/api/v1/donors", HTTP_X_IFM_ORGANIZATION="alpha")
    assert api.status_code == 401
    assert api.json()["type"].endswith("second-factor-required")


def test_ifm_staff_without_an_authenticator_must_enrol_first(cast: dict[str, Any]) -> None:
    support = make_user("support@ifm.test", is_staff=True, is_platform_staff=True)
    client = Client()
    client.force_login(support, backend="django.contrib.auth.backends.ModelBackend")
    for path in ("/platform/audit/", "/platform/jobs/", "/admin/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path
    api = client.get("/api/v1/me", HTTP_X_IFM_ORGANIZATION="alpha")
    assert api.status_code == 403
    assert "must use two-factor" in api.json()["detail"]
    # Enrolment itself stays reachable (after confirming the password).
    assert client.get(reverse("mfa_index")).status_code == 200


def test_member_without_authenticator_keeps_password_only_sign_in(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    assert SESSION_KEY in client.session
    assert client.get("/o/alpha/").status_code == 200
    assert client.get("/admin/").status_code == 302  # not staff: the admin stays shut


def test_signed_in_non_staff_is_not_sent_round_the_admin_sign_in(cast: dict[str, Any]) -> None:
    client = client_for(cast["staff"])
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
