"""/api/v1/expenses for approvers: tab filters, bulk pay with check numbers, expense settings
(GET/PATCH with version) and categories (CRUD), and another organization's ids as 404."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.expenses import workflow
from ifm.expenses.models import Expense, ExpenseCategory, ExpenseSettings, Status
from ifm.expenses.tests.conftest import access, account, general_fund, make_expense

pytestmark = pytest.mark.django_db
BASE = "/api/v1/expenses"


@pytest.fixture
def clients(in_a: Any, cast: dict[str, Any]) -> dict[str, Client]:
    return {role: api_client_for(cast[role], in_a) for role in ("staff", "finance", "admin")}


def _approved(org: Any, cast: dict[str, Any], payee: str) -> Expense:
    finance = cast["finance"]
    expense = make_expense(org, cast["staff"], payee=payee, submit=True)
    return workflow.expense_approve(
        organization=org, actor=finance, access=access(finance), expense=expense
    )


def test_list_filters_match_the_tabs(
    clients: dict[str, Client], in_a: Any, cast: dict[str, Any]
) -> None:
    make_expense(in_a, cast["staff"], payee="Draft one")
    make_expense(in_a, cast["staff"], payee="Waiting", submit=True)
    _approved(in_a, cast, "To pay")
    finance = clients["finance"]

    def payees(view: str) -> list[str]:
        response = finance.get(BASE, {"view": view})
        assert response.status_code == 200, response.content
        return sorted(e["payee"] for e in response.json()["items"])

    assert payees("to_approve") == ["Waiting"]
    assert payees("to_pay") == ["To pay"]
    assert payees("all") == ["Draft one", "To pay", "Waiting"]
    assert payees("mine") == []
    assert_problem(finance.get(BASE, {"view": "everything"}), 422)
    # Staff see only their own, whatever the view.
    staff_all = clients["staff"].get(BASE, {"view": "all"}).json()["items"]
    assert len(staff_all) == 3


def test_bulk_pay_endpoint(clients: dict[str, Client], in_a: Any, cast: dict[str, Any]) -> None:
    one = _approved(in_a, cast, "Vendor One")
    two = _approved(in_a, cast, "Vendor Two")
    waiting = make_expense(in_a, cast["staff"], submit=True)
    body: dict[str, Any] = {
        "paid_from_account_id": account("1010").pk,
        "date": date.today().isoformat(),
        "first_check_number": "2001",
        "payments": [{"expense_id": one.pk}, {"expense_id": waiting.pk}],
    }
    refused = assert_problem(send_json(clients["finance"], "POST", f"{BASE}/pay", body), 422)
    assert refused["errors"][0]["field"] == "payments.1.expense_id"
    assert waiting.reference in refused["errors"][0]["message"]
    one.refresh_from_db()
    assert one.status == Status.APPROVED

    body["paid_from_account_id"] = account("1620").pk  # a building
    body["payments"] = [{"expense_id": one.pk}, {"expense_id": two.pk, "check_number": "3000"}]
    refused = assert_problem(send_json(clients["finance"], "POST", f"{BASE}/pay", body), 422)
    assert refused["errors"][0]["field"] == "paid_from_account_id"

    body["paid_from_account_id"] = account("1010").pk
    assert send_json(clients["staff"], "POST", f"{BASE}/pay", body).status_code == 403
    paid = send_json(clients["finance"], "POST", f"{BASE}/pay", body)
    assert paid.status_code == 200, paid.content
    assert [(e["id"], e["status"], e["check_number"]) for e in paid.json()] == [
        (one.pk, "paid", "2001"),
        (two.pk, "paid", "3000"),
    ]


def test_single_pay_takes_a_check_number(
    clients: dict[str, Client], in_a: Any, cast: dict[str, Any]
) -> None:
    expense = _approved(in_a, cast, "Vendor")
    response = send_json(
        clients["finance"],
        "POST",
        f"{BASE}/{expense.pk}/pay",
        {
            "paid_from_account_id": account("1020").pk,
            "date": date.today().isoformat(),
            "check_number": "77",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["check_number"] == "77"


def test_settings_get_and_patch_with_version(clients: dict[str, Client], in_a: Any) -> None:
    got = clients["admin"].get(f"{BASE}/settings")
    assert got.status_code == 200
    assert got.json()["two_step_threshold"] == "1000.00"
    assert got.json()["version"] == 1
    assert clients["finance"].get(f"{BASE}/settings").status_code == 200
    assert clients["staff"].get(f"{BASE}/settings").status_code == 403
    body = {"two_step_threshold": "2500.00", "version": 1}
    assert send_json(clients["finance"], "PATCH", f"{BASE}/settings", body).status_code == 403
    saved = send_json(clients["admin"], "PATCH", f"{BASE}/settings", body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["two_step_threshold"] == "2500.00"
    assert saved.json()["version"] == 2
    assert_problem(send_json(clients["admin"], "PATCH", f"{BASE}/settings", body), 409)
    bad = send_json(
        clients["admin"], "PATCH", f"{BASE}/settings", {"two_step_threshold": "-1", "version": 2}
    )
    assert bad.status_code == 422
    with org_context(in_a):
        assert ExpenseSettings.objects.get().two_step_threshold == 2500


def test_categories_crud(clients: dict[str, Client], in_a: Any, cast: dict[str, Any]) -> None:
    finance = clients["finance"]
    body = {"name": "Travel", "account_id": account("8310").pk, "default_function": "program"}
    assert send_json(clients["staff"], "POST", f"{BASE}/categories", body).status_code == 403
    created = send_json(finance, "POST", f"{BASE}/categories", body)
    assert created.status_code == 201, created.content
    travel = created.json()
    assert (travel["name"], travel["is_active"], travel["version"]) == ("Travel", True, 1)
    duplicate = assert_problem(send_json(finance, "POST", f"{BASE}/categories", body), 422)
    assert duplicate["errors"][0]["field"] == "name"
    header = dict(body, name="Header", account_id=account("8300").pk)
    assert_problem(send_json(finance, "POST", f"{BASE}/categories", header), 422)

    # Staff read them (to choose one) and create an expense by category, without a function.
    listed = clients["staff"].get(f"{BASE}/categories", {"active": "true"})
    assert [c["name"] for c in listed.json()["items"]] == ["Travel"]
    expense = send_json(
        clients["staff"],
        "POST",
        BASE,
        {
            "payee": "Sam",
            "date": date.today().isoformat(),
            "amount": "20.00",
            "expense_category_id": travel["id"],
            "fund_id": general_fund().pk,
        },
    )
    assert expense.status_code == 201, expense.content
    assert expense.json()["category_id"] == account("8310").pk
    assert expense.json()["function"] == "program"

    url = f"{BASE}/categories/{travel['id']}"
    changed = send_json(finance, "PATCH", url, {"version": 1, "name": "Travel and mileage"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    assert_problem(send_json(finance, "PATCH", url, {"version": 1, "is_active": False}), 409)
    assert_problem(send_json(finance, "PATCH", url, {"version": 2, "name": None}), 422)
    in_use = assert_problem(finance.delete(url), 409)
    assert "deactivate it" in in_use["detail"]
    spare = send_json(finance, "POST", f"{BASE}/categories", dict(body, name="Spare")).json()
    assert finance.delete(f"{BASE}/categories/{spare['id']}").status_code == 204
    assert finance.get(f"{BASE}/categories/{spare['id']}").status_code == 404


def test_another_organizations_category_is_404(
    clients: dict[str, Client], in_a: Any, org_b: Any, cast: dict[str, Any]
) -> None:
    from ifm.ledger.chart.services import chart_create_from_template

    chart_create_from_template(organization=org_b)
    with org_context(org_b):
        theirs = ExpenseCategory.objects.create(
            organization=org_b,
            name="Theirs",
            account=account("8110"),
            default_function="program",
        )
    finance = clients["finance"]
    url = f"{BASE}/categories/{theirs.pk}"
    assert finance.get(url).status_code == 404
    assert send_json(finance, "PATCH", url, {"version": 1, "name": "Mine now"}).status_code == 404
    assert finance.delete(url).status_code == 404
    body = {
        "payee": "Sam",
        "date": date.today().isoformat(),
        "expense_category_id": theirs.pk,
    }
    refused = assert_problem(send_json(clients["staff"], "POST", BASE, body), 422)
    assert refused["errors"][0]["field"] == "expense_category_id"
    with org_context(org_b):
        assert ExpenseCategory.objects.get(pk=theirs.pk).name == "Theirs"
