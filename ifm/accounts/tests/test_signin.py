from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ifm.accounts.tests.auth_helpers import one_event, sign_in
from ifm.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def test_sign_in_page_has_reset_link_and_no_sign_up() -> None:
    response = Client().get(reverse("account_login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="login"' in html
    assert 'name="password"' in html
    assert reverse("account_reset_password") in html
    assert "Forgot password?" in html
    assert reverse("account_signup") not in html
    assert "sign up" not in html.lower()
    assert "ifm/build/site.css" in html  # the one stylesheet (docs/frontend.md)


def test_sign_up_is_closed() -> None:
    response = Client().post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "Sign-up is by invitation" in response.content.decode()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@example.test").exists()


def test_sign_in_with_right_password(cast: dict[str, Any]) -> None:
    client = Client()
    response = sign_in(client, "admin@alpha.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == cast["admin"].pk
    dashboard = client.get(reverse("home"), follow=True)
    assert dashboard.status_code == 200
    assert "Alpha Outreach" in dashboard.content.decode()
    event = one_event(action="auth.sign_in")
    assert event.actor == cast["admin"]
    assert event.organization is None
    assert event.ip_address == "127.0.0.1"


def test_sign_in_is_case_insensitive_on_email(cast: dict[str, Any]) -> None:
    client = Client()
    response = sign_in(client, "Admin@Alpha.TEST")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == cast["admin"].pk


def test_sign_in_with_wrong_password(cast: dict[str, Any]) -> None:
    client = Client()
    response = sign_in(client, "admin@alpha.test", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="form-errors"' in html
    assert "not correct" in html
    assert SESSION_KEY not in client.session
    event = one_event(action="auth.sign_in_failed")
    assert event.actor is None
    assert event.actor_label == "admin@alpha.test"
    assert event.organization is None
    assert "not-the-password" not in str(event.changes)


def test_field_error_is_shown_beside_the_field(db: Any) -> None:
    response = Client().post(reverse("account_login"), {"login": "not-an-email", "password": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_login_error"' in html
    assert 'aria-describedby="id_login_error"' in html
    assert 'id="id_password_error"' in html


def test_sign_out(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "staff@alpha.test")
    confirm = client.get(reverse("account_logout"))
    assert confirm.status_code == 200
    assert "Are you sure you want to sign out?" in confirm.content.decode()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    event = one_event(action="auth.sign_out")
    assert event.actor == cast["staff"]
    assert event.changes == {"reason": "user"}


def test_password_reset_flow(cast: dict[str, Any]) -> None:
    client = Client()
    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200
    response = client.post(reverse("account_reset_password"), {"email": "viewer@alpha.test"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "Check your email" in done.content.decode()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    path = link.split("testserver", 1)[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a-brand-new-passphrase-42"
    changed = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    assert changed.status_code == 302
    assert "Password changed" in client.get(changed["Location"]).content.decode()
    assert sign_in(Client(), "viewer@alpha.test", new_password).status_code == 302


def test_password_reset_does_not_reveal_unknown_addresses(db: Any) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": "ghost@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_password_change_page(cast: dict[str, Any]) -> None:
    client = Client()
    sign_in(client, "finance@alpha.test")
    page = client.get(reverse("account_change_password"))
    assert page.status_code == 200
    assert 'name="oldpassword"' in page.content.decode()
    new_password = "another-long-passphrase-7"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert sign_in(Client(), "finance@alpha.test", new_password).status_code == 302
