"""The reports' demo data (a step of `ifm seed_demo`, see ifm/orgs/demo.py): a budget for the
current fiscal year, planned the way a finance manager would, from the monthly average of what
each revenue and expense account has done in the demo's activity, a few percent up or down,
so that budget vs. actual shows lines on budget, over it and under it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ifm.ledger.balances.selectors import line_totals
from ifm.ledger.demo import activity_start
from ifm.orgs.demo import DemoContext
from ifm.reports.budgets.selectors import BUDGET_TYPES, budget_accounts_by_id, budget_get
from ifm.reports.budgets.services import LineIn, budget_save
from ifm.reports.budgets.years import current_fiscal_year
from ifm.tenancy.roles import Role

TEN = Decimal("10")


def seed(ctx: DemoContext) -> str:
    org, rng = ctx.organization, ctx.rng
    year = current_fiscal_year(org)
    if budget_get(year) is not None:
        return "already there"
    start = activity_start(org, ctx.today)
    months = max((ctx.today.year - start.year) * 12 + ctx.today.month - start.month + 1, 1)
    accounts = budget_accounts_by_id()
    rows = line_totals(
        group_by=("account_id", "account__type"),
        date_from=start,
        date_to=ctx.today,
        types=BUDGET_TYPES,
    )
    lines = []
    for row in sorted(
        rows, key=lambda r: accounts[r["account_id"]].number if r["account_id"] in accounts else ""
    ):
        if row["account_id"] not in accounts:
            continue
        total = row["net"] if row["account__type"] == "revenue" else -row["net"]
        if total <= 0:
            continue
        factor = Decimal(rng.randint(85, 115)) / 100
        monthly = (total / months * factor / TEN).quantize(Decimal("1"), ROUND_HALF_UP) * TEN
        lines.append(LineIn(row["account_id"], None, None, [monthly] * 12))
    budget = budget_save(
        organization=org,
        access=ctx.access(Role.FINANCE),
        actor=ctx.actor(Role.FINANCE),
        fiscal_year=year,
        lines=lines,
        expected_version=None,
        how="demo",
    )
    return f"budget FY{budget.fiscal_year}: {len(lines)} lines"
