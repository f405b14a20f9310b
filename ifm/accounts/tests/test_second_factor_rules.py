"""Security findings 2 to 4: wrong codes are limited, the organization's two-factor rule holds
for the API too, and the lockout finds the real client behind the proxies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.adapter import get_adapter
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from ifm.accounts.lockout import is_address_locked, is_locked_out, lockout_clear
from ifm.accounts.services import api_token_create
from ifm.accounts.tests.auth_helpers import audit_events, sign_in, totp_code
from ifm.conftest import make_user
from ifm.core.org_context import all_organizations
from ifm.core.request_context import client_ip
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db

WRONG = "000000"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def enrolled(cast: dict[str, Any]) -> str:
    """Alpha's finance member has an authenticator app; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(cast["finance"], secret)
    return secret


def wrong_code(secret: str) -> str:
    right = totp_code(secret)
    return WRONG if right != WRONG else "111111"


# --- finding 2: wrong codes ----------------------------------------------------------------


def test_twenty_five_wrong_codes_then_the_right_one_does_not_sign_in(
    cast: dict[str, Any], enrolled: str
) -> None:
    """The probe's reproduction, now refused: the right code after many wrong ones is too late."""
    client = Client()
    assert sign_in(client, "finance@alpha.test")["Location"] == reverse("accounts:mfa_authenticate")
    for _ in range(25):
        client.post(reverse("accounts:mfa_authenticate"), {"code": wrong_code(enrolled)})
    client.post(reverse("accounts:mfa_authenticate"), {"code": totp_code(enrolled)})
    assert SESSION_KEY not in client.session
    assert client.get("/o/alpha/").status_code == 302


def test_wrong_codes_send_back_to_the_password_then_lock_the_account(
    cast: dict[str, Any], enrolled: str
) -> None:
    attempts = settings.SECOND_FACTOR_ATTEMPTS
    client = Client()
    sign_in(client, "finance@alpha.test")
    for left in range(attempts - 1, 0, -1):
        page = client.post(reverse("accounts:mfa_authenticate"), {"code": wrong_code(enrolled)})
        assert page.status_code == 200
        assert f"{left} attempt" in page.content.decode()
    last = client.post(reverse("accounts:mfa_authenticate"), {"code": wrong_code(enrolled)})
    assert last.status_code == 302
    assert last["Location"] == reverse("account_login")
    assert "Too many incorrect codes" in client.get(last["Location"]).content.decode()
    # The half-finished sign-in is gone: the right code now leads back to the password step.
    again = client.post(reverse("accounts:mfa_authenticate"), {"code": totp_code(enrolled)})
    assert again.status_code == 302
    assert SESSION_KEY not in client.session
    # Each wrong code counted as a failed sign-in of the account.
    failed = audit_events(action="auth.sign_in_failed", actor_label="finance@alpha.test")
    assert len(failed) == attempts
    assert AccessAttempt.objects.get(username="finance@alpha.test").failures_since_start == (
        attempts
    )
    # The password again, and more wrong codes, until the account lockout (as for passwords).
    response = None
    while not is_locked_out("finance@alpha.test"):
        assert sign_in(client, "finance@alpha.test").status_code == 302
        response = client.post(reverse("accounts:mfa_authenticate"), {"code": wrong_code(enrolled)})
    assert response is not None
    assert response.status_code == 429
    assert audit_events(action="auth.locked_out", actor_label="finance@alpha.test")
    # Locked: the password and the right code together do not sign in.
    locked = sign_in(client, "finance@alpha.test")
    assert locked.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_right_code_within_the_limit_signs_in(cast: dict[str, Any], enrolled: str) -> None:
    client = Client()
    sign_in(client, "finance@alpha.test")
    client.post(reverse("accounts:mfa_authenticate"), {"code": wrong_code(enrolled)})
    done = client.post(reverse("accounts:mfa_authenticate"), {"code": totp_code(enrolled)})
    assert done.status_code == 302
    assert client.session[SESSION_KEY] == str(cast["finance"].pk)
    assert client.get("/o/alpha/").status_code == 200
    # Success forgets the failures (django-axes resets on sign-in).
    assert not AccessAttempt.objects.filter(username="finance@alpha.test").exists()


# --- finding 3: the organization's rule on the API ------------------------------------------


@pytest.fixture
def org_requires_2fa(org_a: Any) -> Any:
    org_a.require_2fa_for_admin_finance = True
    org_a.save(update_fields=["require_2fa_for_admin_finance"])
    return org_a


def session_api(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get(reverse("accounts:profile"))  # sets the csrftoken cookie
    return client


def test_required_2fa_holds_for_the_api_by_session(
    cast: dict[str, Any], org_requires_2fa: Any
) -> None:
    client = session_api(cast["admin"])
    headers: dict[str, Any] = {
        "HTTP_X_IFM_ORGANIZATION": "alpha",
        "HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value,
    }
    listed = client.get("/api/v1/donors", **headers)
    assert listed.status_code == 403
    body = listed.json()
    assert body["type"].endswith("second-factor-required")
    assert "requires two-factor" in body["detail"]
    invited = client.post(
        "/api/v1/members/invitations",
        json.dumps({"email": "new@alpha.test", "role": "admin"}),
        content_type="application/json",
        **headers,
    )
    assert invited.status_code == 403
    # Other roles are not held back by the rule.
    viewer = session_api(cast["viewer"])
    assert viewer.get("/api/v1/donors", HTTP_X_IFM_ORGANIZATION="alpha").status_code == 200


def test_tokens_made_before_the_rule_stop_until_enrolment(cast: dict[str, Any], org_a: Any) -> None:
    with all_organizations():
        access = Membership.all_orgs.get(user=cast["finance"], organization=org_a)
    _, token = api_token_create(
        organization=org_a, user=cast["finance"], access=access, name="script"
    )
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/donors", **auth).status_code == 200
    org_a.require_2fa_for_admin_finance = True
    org_a.save(update_fields=["require_2fa_for_admin_finance"])
    refused = Client().get("/api/v1/donors", **auth)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("second-factor-required")
    # No new token either, through the service every door uses.
    with pytest.raises(Exception, match="requires two-factor"):
        api_token_create(organization=org_a, user=cast["finance"], access=access, name="two")
    # Enrolled: the same token works again.
    TOTP.activate(cast["finance"], generate_totp_secret())
    assert Client().get("/api/v1/donors", **auth).status_code == 200


# --- finding 4: the client address behind proxies --------------------------------------------


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_address_without_proxies_is_the_connection(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("10.0.0.5", "6.6.6.6")) == "10.0.0.5"


def test_client_address_behind_proxies_is_the_rightmost_untrusted(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx appends the address it saw; a client-written left part is ignored.
    assert client_ip(_request("10.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.1", "not-an-address")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"


def test_sign_in_rate_limits_count_per_person_behind_the_proxy(settings: Any) -> None:
    """allauth's sign-in rate limit (30 a minute per address) reads the same address as the
    lockout: behind nginx, not the proxy's, or 30 sign-ins a minute would stop everyone."""
    settings.TRUSTED_PROXY_COUNT = 1
    adapter = get_adapter()
    assert adapter.get_client_ip(_request("10.0.0.1", "198.51.100.7")) == "198.51.100.7"
    assert adapter.get_client_ip(_request("10.0.0.1", "198.51.100.8")) == "198.51.100.8"
    settings.TRUSTED_PROXY_COUNT = 0
    assert adapter.get_client_ip(_request("10.0.0.1", "198.51.100.7")) == "10.0.0.1"


def test_failures_from_others_behind_the_proxy_do_not_lock_everyone(
    cast: dict[str, Any], settings: Any
) -> None:
    """The probe's reproduction: five failures on five accounts from one proxy address."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            Client(),
            f"someone{n}@example.test",
            "wrong-password-123",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    assert is_address_locked("198.51.100.7")
    assert not is_address_locked(proxy)
    # A member at another address, through the same proxy, signs in.
    ok = sign_in(Client(), "staff@alpha.test", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert ok.status_code == 302
    # The attacker's own address is locked, even for a right password, and spoofing a
    # left-most address does not get round it.
    spoofed = sign_in(
        Client(),
        "viewer@alpha.test",
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7",
    )
    assert spoofed.status_code == 429


def test_admin_unlock_clears_the_members_addresses_too(cast: dict[str, Any], org_a: Any) -> None:
    office = "192.0.2.10"
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), f"guess{n}@example.test", "wrong-password-123", REMOTE_ADDR=office)
    sign_in(Client(), "viewer@alpha.test", "wrong-password-123", REMOTE_ADDR=office)
    assert is_address_locked(office)
    assert sign_in(Client(), "viewer@alpha.test", REMOTE_ADDR=office).status_code == 429
    with all_organizations():
        membership = Membership.all_orgs.select_related("user").get(user=cast["viewer"])
        admin_access = Membership.all_orgs.get(user=cast["admin"])
    lockout_clear(
        organization=org_a, membership=membership, actor=cast["admin"], actor_access=admin_access
    )
    assert not is_address_locked(office)
    assert sign_in(Client(), "viewer@alpha.test", REMOTE_ADDR=office).status_code == 302


def test_platform_staff_clear_an_address_lock(cast: dict[str, Any], capsys: Any) -> None:
    address = "198.51.100.20"
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), f"guess{n}@example.test", "wrong-password-123", REMOTE_ADDR=address)
    assert is_address_locked(address)
    with pytest.raises(Exception, match="platform staff"):
        call_command("clear_lockout", ip=address, by="admin@alpha.test")
    support = make_user("support@ifm.test", is_platform_staff=True)
    call_command("clear_lockout", ip=address, by=support.email)
    assert not is_address_locked(address)
    event = audit_events(action="auth.address_unlock")[0]
    assert event.actor == support
    assert event.changes["ip_address"] == address
