"""The receipt letter editor in Chromium: a merge field inserted at the cursor from the
keyboard, the live preview following the draft, and a hostile draft shown as a message."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_auth_flows import sign_in
from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.orgs.services import organization_create
from ifm.tenancy.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_merge_fields_and_the_live_preview(page: Any, shot: Any) -> None:
    org = organization_create(slug="alpha", name="Alpha Outreach", ein="12-3456789")
    user = make_user("dev@alpha.test", full_name="Dev Alpha")
    membership_set(organization=org, user=user, role=Role.ADMIN)
    sign_in(page, "dev@alpha.test")
    page.goto("/o/alpha/donors/receipts/settings/")

    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("body")).to_contain_text("The Smith Family")  # the sample receipt

    template = page.locator("#id_letter_template")
    template.fill("<p>Dear friend, signed ")
    template.press("End")
    # The merge-field button, reached and pressed from the keyboard.
    button = page.get_by_role("button", name="Signer's title")
    button.focus()
    page.keyboard.press("Enter")
    expect(template).to_be_focused()
    expect(template).to_have_value("<p>Dear friend, signed {{ signature.title }}")
    page.locator("#id_signature_title").fill("Board Chair")
    expect(frame.locator("body")).to_contain_text("Dear friend, signed Board Chair")
    shot(page, "receipt-letter-editor")

    template.fill("{% load static %}")
    expect(page.locator("#preview-problem")).to_contain_text("{% load %}")
    assert not page.failed_assets, page.failed_assets
