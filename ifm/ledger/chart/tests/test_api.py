"""The chart API through bearer tokens: accounts, funds, programs."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.conftest import acct
from ifm.ledger.journal.tests.test_api import post_entry_via_api
from ifm.ledger.models import Account, Fund, Program


@pytest.fixture
def admin(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], books)


@pytest.fixture
def finance(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["finance"], books)


@pytest.fixture
def viewer(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["viewer"], books)


# --- Accounts ------------------------------------------------------------------------------------


def test_account_list_filters_and_paginates(viewer: Any) -> None:
    body = viewer.get("/api/v1/accounts?type=expense&q=travel").json()
    assert [a["number"] for a in body["items"]] == ["8300", "8310"]
    assert body["items"][0]["type"] == "expense"
    page1 = viewer.get("/api/v1/accounts?limit=10").json()
    page2 = viewer.get(f"/api/v1/accounts?limit=10&cursor={page1['next']}").json()
    numbers = [a["number"] for a in page1["items"] + page2["items"]]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 20
    Account.objects.filter(number="1040").update(is_active=False)
    inactive = viewer.get("/api/v1/accounts?active=false").json()["items"]
    assert [a["number"] for a in inactive] == ["1040"]


def test_account_create_get_patch(finance: Any) -> None:
    response = send_json(
        finance,
        "POST",
        "/api/v1/accounts",
        {"number": "1030", "name": "Cash - grants", "type": "asset", "parent_id": acct("1000").pk},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["number"], created["parent_id"], created["version"]) == (
        "1030",
        acct("1000").pk,
        1,
    )
    again = send_json(
        finance,
        "POST",
        "/api/v1/accounts",
        {"number": "1030", "name": "Cash - grants", "type": "asset", "parent_id": acct("1000").pk},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Account.objects.filter(number="1030").count() == 1
    assert finance.get(f"/api/v1/accounts/{created['id']}").json()["name"] == "Cash - grants"
    patched = send_json(
        finance,
        "PATCH",
        f"/api/v1/accounts/{created['id']}",
        {"version": 1, "name": "Cash - grant money", "parent_id": None},
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["name"], patched.json()["parent_id"], patched.json()["version"]) == (
        "Cash - grant money",
        None,
        2,
    )
    stale = send_json(
        finance, "PATCH", f"/api/v1/accounts/{created['id']}", {"version": 1, "name": "Old"}
    )
    assert_problem(stale, 409)


def test_account_validation_names_the_field(finance: Any) -> None:
    problem = assert_problem(
        send_json(
            finance,
            "POST",
            "/api/v1/accounts",
            {"number": "1031", "name": "X", "type": "asset", "parent_id": acct("2000").pk},
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "parent"
    problem = assert_problem(
        send_json(
            finance, "POST", "/api/v1/accounts", {"number": "1010", "name": "X", "type": "asset"}
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "number"
    problem = assert_problem(
        send_json(
            finance,
            "POST",
            "/api/v1/accounts",
            {"number": "1032", "name": "X", "type": "asset", "parent_id": 2**40},
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "parent_id"


def test_viewer_may_read_not_write(viewer: Any) -> None:
    assert viewer.get("/api/v1/accounts").status_code == 200
    assert_problem(
        send_json(
            viewer, "POST", "/api/v1/accounts", {"number": "1033", "name": "X", "type": "asset"}
        ),
        403,
    )
    assert_problem(post_entry_via_api(viewer), 403)


def test_staff_cannot_read_ledger(books: Any, cast: dict[str, Any]) -> None:
    staff = api_client_for(cast["staff"], books)
    assert_problem(staff.get("/api/v1/accounts"), 403)
    assert_problem(staff.get("/api/v1/reports/trial-balance"), 403)


def test_other_organizations_rows_are_404(admin: Any, org_b: Any) -> None:
    with all_organizations():
        other = Account.all_orgs.get(organization=org_b, number="1010")
        other_fund = Fund.all_orgs.get(organization=org_b, is_general=True)
    assert_problem(admin.get(f"/api/v1/accounts/{other.pk}"), 404)
    assert_problem(admin.get(f"/api/v1/funds/{other_fund.pk}"), 404)
    assert_problem(admin.get(f"/api/v1/accounts/{other.pk}/ledger"), 404)


# --- Funds and programs --------------------------------------------------------------------------


def test_funds_and_programs(admin: Any) -> None:
    response = send_json(
        admin,
        "POST",
        "/api/v1/funds",
        {"code": "ENDOW", "name": "Endowment", "restriction": "perpetual", "purpose": "Chairs"},
    )
    assert response.status_code == 201, response.content
    fund = response.json()
    assert (fund["net_asset_class"], fund["is_general"]) == ("with_donor_restrictions", False)
    general = Fund.objects.get(is_general=True)
    problem = assert_problem(
        send_json(
            admin, "PATCH", f"/api/v1/funds/{general.pk}", {"version": 1, "is_active": False}
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "is_active"
    codes = [f["code"] for f in admin.get("/api/v1/funds").json()["items"]]
    assert codes == ["ENDOW", "GEN"]

    response = send_json(admin, "POST", "/api/v1/programs", {"code": "YTH", "name": "Youth"})
    assert response.status_code == 201
    program_id = response.json()["id"]
    response = send_json(
        admin, "PATCH", f"/api/v1/programs/{program_id}", {"version": 1, "is_active": False}
    )
    assert response.json()["is_active"] is False
    assert admin.get("/api/v1/programs?active=true").json()["items"] == []
    assert Program.objects.get(pk=program_id).version == 2
