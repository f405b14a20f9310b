"""GET/PATCH /api/v1/receipt-settings: the settings page's service by the API, with the
version read, the signer, and the letter sandbox's refusals as 422s."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.receipts.issue import receipt_settings_get

pytestmark = pytest.mark.django_db

URL = "/api/v1/receipt-settings"


@pytest.fixture
def admin_api(donors_org: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], donors_org)


def test_read_then_change_the_signer_with_the_version(admin_api: Any, donors_org: Any) -> None:
    read = admin_api.get(URL)
    assert read.status_code == 200, read.content
    body = read.json()
    assert (body["signature_name"], body["version"], body["has_logo"]) == ("", 1, False)
    assert "{{ signature.name }}" in body["letter_template"]

    changed = send_json(
        admin_api,
        "PATCH",
        URL,
        {"signature_name": "Jordan Price", "signature_title": "Treasurer", "version": 1},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["signature_name"], changed.json()["version"]) == ("Jordan Price", 2)
    row = receipt_settings_get(organization=donors_org)
    assert (row.signature_name, row.signature_title) == ("Jordan Price", "Treasurer")

    stale = send_json(admin_api, "PATCH", URL, {"signature_name": "Someone", "version": 1})
    assert_problem(stale, 409)
    assert receipt_settings_get(organization=donors_org).signature_name == "Jordan Price"


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{% load static %}", "{% load %}"),
        ("{{ org.__class__ }}", "has an error"),
        (
            "{% for a in gifts %}{% for b in gifts %}{% for c in gifts %}x{% endfor %}"
            "{% endfor %}{% endfor %}",
            "too much work",
        ),
    ],
)
def test_a_template_the_sandbox_refuses_is_a_422_naming_the_field(
    admin_api: Any, donors_org: Any, template: str, words: str
) -> None:
    before = receipt_settings_get(organization=donors_org).letter_template
    problem = assert_problem(
        send_json(admin_api, "PATCH", URL, {"letter_template": template, "version": 1}), 422
    )
    assert words in problem["detail"]
    assert problem["errors"][0]["field"] == "letter_template"
    assert receipt_settings_get(organization=donors_org).letter_template == before


def test_unknown_fields_and_roles_without_the_right_are_refused(
    admin_api: Any, donors_org: Any, cast: dict[str, Any]
) -> None:
    assert_problem(send_json(admin_api, "PATCH", URL, {"logo": "x", "version": 1}), 422)
    fundraiser = api_client_for(cast["fundraising"], donors_org)
    assert_problem(fundraiser.get(URL), 403)
    assert_problem(send_json(fundraiser, "PATCH", URL, {"signature_name": "x", "version": 1}), 403)


def test_each_organization_reads_and_changes_its_own(
    admin_api: Any, donors_org: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    send_json(admin_api, "PATCH", URL, {"signature_name": "Alpha Signer", "version": 1})
    theirs = api_client_for(cast["other_admin"], org_b)
    assert theirs.get(URL).json()["signature_name"] == ""
