"""The demo's budget: the current fiscal year, planned from the activity so far, once."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ifm.ledger.periods.fiscal_years import organization_today
from ifm.orgs.demo import DemoContext
from ifm.reports import demo
from ifm.reports.budgets import selectors
from ifm.reports.budgets.tests.helpers import post
from ifm.reports.budgets.years import current_fiscal_year
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_the_demo_budget_follows_the_activity(books: Organization, cast: Any) -> None:
    today = organization_today(books)
    post(books, cast["admin"], today, "1010", "4010", "1200.00")
    post(books, cast["admin"], today, "8110", "1010", "300.00")
    ctx = DemoContext(
        organization=books,
        users={"finance": cast["finance"]},
        today=today,
        rng=random.Random(7),
    )
    assert "2 lines" in demo.seed(ctx)
    budget = selectors.budget_get(current_fiscal_year(books))
    assert budget is not None
    assert {x.account.number for x in selectors.budget_lines(budget)} == {"4010", "8110"}
    assert demo.seed(ctx) == "already there"
