"""The migration that brings categories: existing expenses get a category per account they use,
named after the account, defaulting to the function most used with it; accounts do not change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ifm.core.org_context import all_organizations
from ifm.expenses.models import Expense
from ifm.tenancy.db import (
    app_role,
    apply_tenant_policies,
    is_postgres,
    owner_role,
    role_params,
    run_sql_file,
)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("expenses", "0001_initial")]
AFTER = [("expenses", "0002_expense_categories_and_check_numbers")]


def _migrate(target: list[tuple[str, str]]) -> Any:
    # As `ifm migrate` does: the table owner, across organizations (on PostgreSQL the tests
    # otherwise run as the app's role, which may not change the schema).
    with owner_role():
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target)
        state_apps = executor.loader.project_state(target).apps
        if is_postgres(connection) and app_role():
            # What `migrate` does after every run: the app role's grants and the row-level
            # security policies on every tenant table (the recreated one included).
            run_sql_file(connection, "app_role_grants.sql", params=role_params(connection))
            apply_tenant_policies(connection, global_apps)
        return state_apps


def test_existing_expenses_get_categories(org_a: Any, cast: dict[str, Any]) -> None:
    from ifm.ledger.chart.services import chart_create_from_template

    chart_create_from_template(organization=org_a)
    old = _migrate(BEFORE)
    try:
        with all_organizations():
            account = old.get_model("ledger", "Account")
            fund = old.get_model("ledger", "Fund").objects.get(
                organization_id=org_a.pk, is_general=True
            )
            old_expense = old.get_model("expenses", "Expense")
            supplies = account.objects.get(organization_id=org_a.pk, number="8110")
            travel = account.objects.get(organization_id=org_a.pk, number="8310")
            for category, function in (
                (supplies, "management"),
                (supplies, "management"),
                (supplies, "program"),
                (travel, "program"),
            ):
                old_expense.objects.create(
                    organization_id=org_a.pk,
                    submitted_by_id=cast["staff"].pk,
                    payee="Vendor",
                    date=date.today(),
                    amount=Decimal("10.00"),
                    category=category,
                    fund=fund,
                    function=function,
                )
    finally:
        _migrate(AFTER)
    with all_organizations():
        rows = list(
            Expense.all_orgs.filter(organization=org_a)
            .select_related("expense_category", "category")
            .order_by("pk")
        )
    assert [
        (e.category.number, e.expense_category.name, e.expense_category.default_function)  # type: ignore[union-attr]
        for e in rows
    ] == [
        ("8110", "Supplies", "management"),
        ("8110", "Supplies", "management"),
        ("8110", "Supplies", "management"),
        ("8310", "Travel", "program"),
    ]
    assert {e.expense_category.account_id for e in rows} == {e.category_id for e in rows}  # type: ignore[union-attr]
