"""Sign-in, two-factor enrolment and challenge, organization switcher and sign-out, in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from ifm.accounts.services import membership_set
from ifm.accounts.tests.auth_helpers import totp_code
from ifm.conftest import PASSWORD, make_user
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alpha() -> Any:
    return organization_create(slug="alpha", name="Alpha Outreach")


@pytest.fixture
def member(alpha: Any) -> Any:
    user = make_user("dana@alpha.test", full_name="Dana Alpha")
    membership_set(organization=alpha, user=user, role=Role.FINANCE)
    return user


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("#sign-in").click()


def sign_out(page: Any) -> None:
    page.locator("#user-menu").click()
    page.locator("#sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def expect_dashboard(page: Any, org_name: str) -> None:
    expect(page.locator("#org-switcher")).to_contain_text(org_name)
    expect(page.locator("main")).to_contain_text(org_name)


def assert_bootstrap_loaded(page: Any) -> None:
    # Bootstrap's reboot sets the body margin to 0 and its font stack: proof the CSS arrived.
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    assert page.evaluate("getComputedStyle(document.querySelector('.btn, .navbar')).display") in {
        "inline-block",
        "flex",
        "block",
    }


def test_sign_in_reaches_dashboard(page: Any, member: Any, shot: Any) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("link", name="Forgot password?")).to_be_visible()
    assert_bootstrap_loaded(page)
    shot(page, "sign_in")

    page.get_by_label("Email").fill("dana@alpha.test")
    page.get_by_label("Password").fill("wrong-password-1")
    page.locator("#sign-in").click()
    expect(page.locator("#form-errors")).to_contain_text("not correct")
    shot(page, "sign_in_error")

    sign_in(page, "dana@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    expect_dashboard(page, "Alpha Outreach")
    assert_bootstrap_loaded(page)
    shot(page, "dashboard")
    assert page.failed_assets == []


def test_enrol_two_factor_then_sign_in_with_code(page: Any, member: Any, shot: Any) -> None:
    sign_in(page, "dana@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.locator("#totp-status")).to_have_text("Not set up")
    shot(page, "mfa_index")
    page.locator("#activate-totp").click()

    # allauth asks for the password again before security settings change.
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.getElementById('totp-qr').naturalWidth") > 0
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret)
    shot(page, "mfa_activate")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.locator("#activate-totp-submit").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "mfa_recovery_codes")

    sign_out(page)
    sign_in(page, "dana@alpha.test")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    page.get_by_text("Can't use your authenticator app?").click()
    expect(page.locator("#use-recovery-code")).to_contain_text("recovery codes")
    shot(page, "mfa_challenge")
    page.get_by_label("Code").fill(totp_code(secret))
    page.locator("#verify-code").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    expect_dashboard(page, "Alpha Outreach")
    assert page.failed_assets == []


def test_switch_organization(page: Any, alpha: Any, member: Any, shot: Any) -> None:
    beta = organization_create(slug="beta", name="Beta Shelter")
    membership_set(organization=beta, user=member, role=Role.VIEWER)
    sign_in(page, "dana@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/(alpha|beta)/$"))
    page.goto("/o/alpha/")
    page.locator("#org-switcher").click()
    expect(page.get_by_role("link", name="Beta Shelter")).to_be_visible()
    shot(page, "org_switcher")
    page.get_by_role("link", name="Beta Shelter").click()
    expect(page).to_have_url(re.compile(r"/o/beta/$"))
    expect_dashboard(page, "Beta Shelter")
    shot(page, "org_switched")


def test_sign_out(page: Any, member: Any, shot: Any) -> None:
    sign_in(page, "dana@alpha.test")
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    sign_out(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "signed_out")
    page.goto("/o/alpha/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/o/alpha/"))
