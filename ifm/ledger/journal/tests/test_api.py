"""The ledger API through bearer tokens: chart, funds, programs, journal, periods, reports."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.conftest import acct
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine
from ifm.ledger.periods.selectors import period_for

TODAY = date.today()


@pytest.fixture
def admin(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], books)


@pytest.fixture
def finance(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["finance"], books)


@pytest.fixture
def viewer(books: Any, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["viewer"], books)


def entry_body(**overrides: Any) -> dict[str, Any]:
    general = Fund.objects.get(is_general=True)
    body: dict[str, Any] = {
        "date": TODAY.isoformat(),
        "memo": "Cash gift",
        "lines": [
            {"account_id": acct("1010").pk, "fund_id": general.pk, "debit": "250.00"},
            {"account_id": acct("4010").pk, "fund_id": general.pk, "credit": "250.00"},
        ],
    }
    body.update(overrides)
    return body


def post_entry_via_api(client: Any, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return send_json(client, "POST", "/api/v1/journal-entries", body or entry_body(), **extra)


# --- Journal entries -----------------------------------------------------------------------------


def test_post_entry_and_read_it_back(finance: Any) -> None:
    response = post_entry_via_api(finance, HTTP_IDEMPOTENCY_KEY="je-1")
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["total"] == "250.00"
    assert [(ln["account_number"], ln["debit"], ln["credit"]) for ln in entry["lines"]] == [
        ("1010", "250.00", "0.00"),
        ("4010", "0.00", "250.00"),
    ]
    replay = post_entry_via_api(finance, HTTP_IDEMPOTENCY_KEY="je-1")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert JournalEntry.objects.count() == 1
    got = finance.get(f"/api/v1/journal-entries/{entry['id']}").json()
    assert got["lines"] == entry["lines"]
    assert got["reversed_by_id"] is None
    listed = finance.get(f"/api/v1/journal-entries?account_id={acct('1010').pk}").json()
    assert [e["id"] for e in listed["items"]] == [entry["id"]]
    assert listed["items"][0]["total"] == "250.00"
    assert (
        finance.get(f"/api/v1/journal-entries?account_id={acct('1020').pk}").json()["items"] == []
    )
    assert (
        finance.get("/api/v1/journal-entries?source_type=manual&date_from=2000-01-01").json()[
            "items"
        ][0]["id"]
        == entry["id"]
    )


def _lines_with(**line0: Any) -> dict[str, Any]:
    body = entry_body()
    body["lines"][0] = {**body["lines"][0], **line0}
    return body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"debit": "250.00", "credit": "250.00"}, "lines[0]"),
        ({"debit": "0", "credit": "0"}, "lines[0]"),
        # Refused by the schema's money pattern, named by its JSON path.
        ({"debit": "-250.00"}, "lines.0.debit"),
        ({"debit": "250.001"}, "lines.0.debit"),
        ({"account_id": 2**40}, "lines[0].account"),
        ({"fund_id": 2**40}, "lines[0].fund"),
        ({"function": "lunch"}, "lines[0].function"),
    ],
)
def test_bad_lines_are_422_naming_the_line(
    finance: Any, change: dict[str, Any], field: str
) -> None:
    problem = assert_problem(post_entry_via_api(finance, _lines_with(**change)), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert not JournalEntry.objects.exists()


def test_unbalanced_entry(finance: Any) -> None:
    body = entry_body()
    body["lines"][1]["credit"] = "200.00"
    problem = assert_problem(post_entry_via_api(finance, body), 422)
    assert problem["errors"][0]["field"] == "lines"
    assert "does not balance" in problem["detail"]
    assert not JournalEntry.objects.exists()


def test_inactive_header_and_other_org_accounts(finance: Any, org_b: Any) -> None:
    Account.objects.filter(number="1020").update(is_active=False)
    problem = assert_problem(
        post_entry_via_api(finance, _lines_with(account_id=acct("1020").pk)), 422
    )
    assert "inactive" in problem["errors"][0]["message"]
    problem = assert_problem(
        post_entry_via_api(finance, _lines_with(account_id=acct("1000").pk)), 422
    )
    assert "header" in problem["errors"][0]["message"]
    with all_organizations():
        other = Account.all_orgs.get(organization=org_b, number="1010")
        other_fund = Fund.all_orgs.get(organization=org_b, is_general=True)
    problem = assert_problem(post_entry_via_api(finance, _lines_with(account_id=other.pk)), 422)
    assert problem["errors"][0] == {"field": "lines[0].account", "message": "No such account."}
    problem = assert_problem(post_entry_via_api(finance, _lines_with(fund_id=other_fund.pk)), 422)
    assert problem["errors"][0]["field"] == "lines[0].fund"
    assert not JournalLine.objects.exists()


def test_closed_period_is_422_on_date(books: Any, finance: Any) -> None:
    period = period_for(TODAY)
    assert period is not None
    response = send_json(finance, "POST", f"/api/v1/periods/{period.pk}/close-through", {})
    assert response.status_code == 200
    assert response.json()["closed"][-1]["status"] == "closed"
    assert_problem(send_json(finance, "POST", f"/api/v1/periods/{period.pk}/close", {}), 409)
    problem = assert_problem(post_entry_via_api(finance), 422)
    assert problem["errors"][0]["field"] == "date"
    assert not JournalEntry.objects.exists()
    problem = assert_problem(
        send_json(finance, "POST", f"/api/v1/periods/{period.pk}/reopen", {"reason": ""}), 422
    )
    assert problem["errors"][0]["field"] == "reason"
    response = send_json(
        finance, "POST", f"/api/v1/periods/{period.pk}/reopen", {"reason": "Late invoice"}
    )
    assert response.json()["status"] == "open"
    assert_problem(
        send_json(finance, "POST", f"/api/v1/periods/{period.pk}/reopen", {"reason": "x"}), 409
    )
    assert post_entry_via_api(finance).status_code == 201


def test_reverse_entry(finance: Any, viewer: Any) -> None:
    entry = post_entry_via_api(finance).json()
    assert_problem(
        send_json(viewer, "POST", f"/api/v1/journal-entries/{entry['id']}/reverse", {}), 403
    )
    response = send_json(
        finance,
        "POST",
        f"/api/v1/journal-entries/{entry['id']}/reverse",
        {"memo": "Bounced cheque"},
    )
    assert response.status_code == 201, response.content
    reversal = response.json()
    assert (reversal["reverses_id"], reversal["source_type"], reversal["memo"]) == (
        entry["id"],
        "reversal",
        "Bounced cheque",
    )
    assert [(ln["debit"], ln["credit"]) for ln in reversal["lines"]] == [
        ("0.00", "250.00"),
        ("250.00", "0.00"),
    ]
    assert (
        finance.get(f"/api/v1/journal-entries/{entry['id']}").json()["reversed_by_id"]
        == (reversal["id"])
    )
    assert_problem(
        send_json(finance, "POST", f"/api/v1/journal-entries/{entry['id']}/reverse", {}), 409
    )
    tb = finance.get("/api/v1/reports/trial-balance").json()
    assert (tb["total_debit"], tb["total_credit"]) == ("0.00", "0.00")
