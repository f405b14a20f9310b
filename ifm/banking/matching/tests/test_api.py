"""The matching API: suggestions, match, unmatch, create-entry, rules, apply-rules and
accept-confident, with problem details, idempotency, permissions and other organizations."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ifm.banking.matching.tests.factories import account, bank_line, cash_line, post
from ifm.banking.models import BankRule, BankTransaction, LineStatus
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.models import Account, Fund
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

API = "/api/v1"
D = date(2026, 3, 10)


@pytest.fixture
def api(org_a: Organization, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["admin"], org_a)


def test_suggestions_then_match_then_unmatch(org_a: Organization, api: Any) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00", memo="Gift from Ana Reyes")
    line = bank_line(org_a, D, "150.00", "ANA REYES")
    got = api.get(f"{API}/bank-transactions/{line.pk}/suggestions")
    assert got.status_code == 200
    [top] = got.json()
    journal = cash_line(org_a, entry)
    assert top["journal_lines"][0]["id"] == journal.pk
    assert top["journal_lines"][0]["amount"] == "150.00"
    assert top["confident"] is True
    assert top["score"] > 60
    assert "Same amount" in top["reasons"]
    matched = send_json(
        api,
        "POST",
        f"{API}/bank-transactions/{line.pk}/match",
        {"journal_line_ids": [journal.pk]},
        HTTP_IDEMPOTENCY_KEY="m-1",
    )
    assert matched.status_code == 201, matched.content
    body = matched.json()
    assert body["bank_transaction_ids"] == [line.pk]
    assert body["journal_line_ids"] == [journal.pk]
    assert body["journal_entry_ids"] == [entry.pk]
    assert body["cleared_on"] == "2026-03-10"
    again = send_json(
        api,
        "POST",
        f"{API}/bank-transactions/{line.pk}/match",
        {"journal_line_ids": [journal.pk]},
        HTTP_IDEMPOTENCY_KEY="m-1",
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert api.get(f"{API}/bank-transactions/{line.pk}/suggestions").json() == []
    no_reason = send_json(api, "POST", f"{API}/bank-transactions/{line.pk}/unmatch", {"reason": ""})
    assert_problem(no_reason, 422)
    undone = send_json(
        api, "POST", f"{API}/bank-transactions/{line.pk}/unmatch", {"reason": "Wrong gift"}
    )
    assert undone.status_code == 200
    assert undone.json()["status"] == "unmatched"
    assert undone.json()["amount"] == "150.00"
    twice = send_json(api, "POST", f"{API}/bank-transactions/{line.pk}/unmatch", {"reason": "x"})
    assert_problem(twice, 409)


def test_match_errors_are_problems(org_a: Organization, api: Any) -> None:
    account(org_a)
    entry = post(org_a, D, "150.00")
    line = bank_line(org_a, D, "140.00")
    journal = cash_line(org_a, entry).pk
    wrong = send_json(
        api, "POST", f"{API}/bank-transactions/{line.pk}/match", {"journal_line_ids": [journal]}
    )
    problem = assert_problem(wrong, 422)
    assert "differ by 10.00" in problem["detail"]
    empty = send_json(
        api, "POST", f"{API}/bank-transactions/{line.pk}/match", {"journal_line_ids": []}
    )
    assert_problem(empty, 422)
    unknown = send_json(
        api,
        "POST",
        f"{API}/bank-transactions/{line.pk}/match",
        {"journal_line_ids": [journal], "extra": 1},
    )
    assert_problem(unknown, 422)
    other = send_json(
        api,
        "POST",
        f"{API}/bank-transactions/{line.pk}/match",
        {"journal_line_ids": [journal], "other_bank_transaction_ids": [99999999]},
    )
    problem = assert_problem(other, 422)
    assert problem["errors"][0]["field"] == "other_bank_transaction_ids.0"


def test_many_to_one_through_the_api(org_a: Organization, api: Any) -> None:
    account(org_a)
    entry = post(org_a, D, "-1000.00", other="1020")
    a = bank_line(org_a, D, "-600.00")
    b = bank_line(org_a, D, "-400.00")
    [top, *_] = api.get(f"{API}/bank-transactions/{a.pk}/suggestions").json()
    assert top["other_bank_transaction_ids"] == [b.pk]
    done = send_json(
        api,
        "POST",
        f"{API}/bank-transactions/{a.pk}/match",
        {
            "journal_line_ids": [line["id"] for line in top["journal_lines"]],
            "other_bank_transaction_ids": top["other_bank_transaction_ids"],
        },
    )
    assert done.status_code == 201
    assert done.json()["bank_transaction_ids"] == sorted([a.pk, b.pk])
    assert done.json()["journal_entry_ids"] == [entry.pk]


def test_create_entry(org_a: Organization, api: Any) -> None:
    account(org_a)
    line = bank_line(org_a, D, "-12.00", "SERVICE CHARGE")
    with org_context(org_a):
        fees = Account.objects.get(number="8590")
        fund = Fund.objects.get(is_general=True)
    bad = send_json(
        api, "POST", f"{API}/bank-transactions/{line.pk}/create-entry", {"account_id": 10**12}
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "account_id"
    made = send_json(
        api,
        "POST",
        f"{API}/bank-transactions/{line.pk}/create-entry",
        {"account_id": fees.pk, "fund_id": fund.pk, "function": "management", "memo": "Fee"},
        HTTP_IDEMPOTENCY_KEY="e-1",
    )
    assert made.status_code == 201, made.content
    assert made.json()["via"] == "created"
    with org_context(org_a):
        assert BankTransaction.objects.get(pk=line.pk).status == LineStatus.MATCHED


def test_rules_crud_apply_and_accept_confident(org_a: Organization, api: Any) -> None:
    bank = account(org_a)
    with org_context(org_a):
        fees = Account.objects.get(number="8590")
    created = send_json(
        api,
        "POST",
        f"{API}/bank-rules",
        {
            "name": "Bank fees",
            "account_id": fees.pk,
            "payee_contains": "service charge",
            "direction": "out",
            "amount_max": "50.00",
            "priority": 10,
        },
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["amount_max"] == "50.00"
    assert rule["direction"] == "out"
    nothing = send_json(
        api, "POST", f"{API}/bank-rules", {"name": "Nothing", "account_id": fees.pk}
    )
    assert_problem(nothing, 422)
    listed = api.get(f"{API}/bank-rules?q=fees").json()
    assert [r["id"] for r in listed["items"]] == [rule["id"]]
    assert api.get(f"{API}/bank-rules/{rule['id']}").json()["name"] == "Bank fees"
    patched = send_json(
        api,
        "PATCH",
        f"{API}/bank-rules/{rule['id']}",
        {"version": rule["version"], "amount_max": None},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["amount_max"] is None
    stale = send_json(
        api, "PATCH", f"{API}/bank-rules/{rule['id']}", {"version": rule["version"], "priority": 3}
    )
    assert_problem(stale, 409)
    bank_line(org_a, D, "-12.00", "SERVICE CHARGE")
    post(org_a, D, "150.00")
    bank_line(org_a, D, "150.00")
    applied = send_json(api, "POST", f"{API}/bank-accounts/{bank.pk}/apply-rules", {})
    assert applied.status_code == 200, applied.content
    assert applied.json() == {"created": 1, "skipped": []}
    accepted = send_json(api, "POST", f"{API}/bank-accounts/{bank.pk}/accept-confident", {})
    assert accepted.json() == {"count": 1}
    gone = api.delete(f"{API}/bank-rules/{rule['id']}")
    assert gone.status_code == 204
    with org_context(org_a):
        assert not BankRule.objects.exists()


def test_permissions_and_other_organizations(
    org_a: Organization, org_b: Organization, cast: dict[str, Any], api: Any
) -> None:
    bank = account(org_a)
    line = bank_line(org_a, D, "150.00")
    viewer = api_client_for(cast["viewer"], org_a)
    assert viewer.get(f"{API}/bank-transactions/{line.pk}/suggestions").status_code == 200
    assert viewer.get(f"{API}/bank-rules").status_code == 200
    refused = send_json(
        viewer, "POST", f"{API}/bank-transactions/{line.pk}/match", {"journal_line_ids": [1]}
    )
    assert_problem(refused, 403)
    assert_problem(
        send_json(viewer, "POST", f"{API}/bank-accounts/{bank.pk}/accept-confident", {}), 403
    )
    staff = api_client_for(cast["staff"], org_a)
    assert_problem(staff.get(f"{API}/bank-transactions/{line.pk}/suggestions"), 403)
    theirs = api_client_for(cast["other_admin"], org_b)
    assert_problem(theirs.get(f"{API}/bank-transactions/{line.pk}/suggestions"), 404)
    assert_problem(send_json(theirs, "POST", f"{API}/bank-accounts/{bank.pk}/apply-rules", {}), 404)
