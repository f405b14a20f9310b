"""Reads of budgets, and budget vs. actual: budgets from this area's tables, actuals from the
ledger through its selectors only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from ifm.ledger.balances.selectors import line_totals
from ifm.ledger.models import Account, AccountType, Fund, Program
from ifm.reports.budgets.models import MONTH_FIELDS, Budget, BudgetLine
from ifm.reports.budgets.years import year_bounds, year_months, year_name
from ifm.reports.report import ZERO, Column, Report, Row, add
from ifm.tenancy.models import Organization

BUDGET_TYPES = (AccountType.REVENUE, AccountType.EXPENSE)
# Releases from restriction are reclassifications between net-asset classes, not revenue to plan.
NOT_BUDGETED_ROLES = ("release_with", "release_without")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def budget_accounts() -> QuerySet[Account]:
    """Revenue and expense accounts a budget may name: those that take postings (no headers),
    releases from restriction left out. Inactive ones stay, so an old budget still reads."""
    return (
        Account.objects.filter(type__in=BUDGET_TYPES)
        .exclude(Exists(Account.objects.filter(parent=OuterRef("pk"))))
        .exclude(role__in=NOT_BUDGETED_ROLES)
        .order_by("number")
    )


def budget_accounts_by_id() -> dict[int, Account]:
    return {a.pk: a for a in budget_accounts()}


def fund_ids() -> set[int]:
    return set(Fund.objects.values_list("pk", flat=True))


def program_ids() -> set[int]:
    return set(Program.objects.values_list("pk", flat=True))


def budget_get(fiscal_year: int) -> Budget | None:
    """The organization's budget of that year, or None (another organization's is None too)."""
    return Budget.objects.filter(fiscal_year=fiscal_year).first()


def budget_lines(budget: Budget | None) -> list[BudgetLine]:
    if budget is None:
        return []
    return list(
        # The line of the whole account (no fund, no program) first, on every database.
        budget.lines.select_related("account", "fund", "program").order_by(
            "account__number",
            F("fund__code").asc(nulls_first=True),
            F("program__code").asc(nulls_first=True),
            "id",
        )
    )


@dataclass(frozen=True)
class BudgetSummary:
    budget: Budget
    lines: int
    revenue: Decimal
    expenses: Decimal

    @property
    def net(self) -> Decimal:
        return self.revenue - self.expenses


def _line_total(prefix: str = "") -> Any:
    total: Any = F(prefix + MONTH_FIELDS[0])
    for name in MONTH_FIELDS[1:]:
        total = total + F(prefix + name)
    return total


def budget_queryset() -> QuerySet[Budget]:
    """Budgets with their number of lines and their revenue and expense totals (`line_count`,
    `revenue`, `expenses`), summed by the database."""

    def typed(kind: str) -> Any:
        return Coalesce(
            Sum(_line_total("lines__"), filter=Q(lines__account__type=kind)),
            Value(ZERO),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )

    return Budget.objects.annotate(
        line_count=Count("lines"),
        revenue=typed(AccountType.REVENUE),
        expenses=typed(AccountType.EXPENSE),
    )


def budget_list() -> list[BudgetSummary]:
    """Every budget of the organization, latest year first, with its totals."""
    return [
        BudgetSummary(
            b,
            b.line_count,  # type: ignore[attr-defined]
            Decimal(b.revenue).quantize(CENT),  # type: ignore[attr-defined]
            Decimal(b.expenses).quantize(CENT),  # type: ignore[attr-defined]
        )
        for b in budget_queryset().order_by("-fiscal_year")
    ]


def _normal(account_type: str, net: Decimal) -> Decimal:
    """A ledger net (credits less debits) on the account's normal side."""
    return net if account_type == AccountType.REVENUE else -net


def monthly_actuals(*, organization: Organization, fiscal_year: int) -> dict[int, list[Decimal]]:
    """Per budget account, the twelve months' actuals of the fiscal year on the account's
    normal side, a month below zero (refunds larger than income) counting as zero."""
    accounts = budget_accounts_by_id()
    found: dict[int, list[Decimal]] = {}
    for month in year_months(organization, fiscal_year):
        rows = line_totals(
            group_by=("account_id", "account__type"),
            date_from=month.start,
            date_to=month.end,
            types=BUDGET_TYPES,
        )
        for row in rows:
            if row["account_id"] not in accounts:
                continue
            amounts = found.setdefault(row["account_id"], [ZERO] * 12)
            amounts[month.number - 1] = max(_normal(row["account__type"], row["net"]), ZERO)
    ordered = sorted(found, key=lambda pk: accounts[pk].number)
    return {pk: found[pk] for pk in ordered if any(found[pk])}


# --- Budget vs. actual ----------------------------------------------------------------------


@dataclass
class _Line:
    account: Account
    fund: Fund | None
    program: Program | None
    budget: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        return (
            self.account.pk,
            self.fund.pk if self.fund else None,
            self.program.pk if self.program else None,
        )

    @property
    def label(self) -> str:
        parts = [str(self.account)]
        if self.fund:
            parts.append(f"fund {self.fund.code}")
        if self.program:
            parts.append(f"program {self.program.code}")
        return " · ".join(parts)

    @property
    def is_revenue(self) -> bool:
        return self.account.type == AccountType.REVENUE

    @property
    def off_budget(self) -> bool:
        """Unfavourable: expenses above their budget, revenue below it."""
        return self.budget < self.actual if not self.is_revenue else self.actual < self.budget


def _specificity(line: _Line, fund_id: int | None, program_id: int | None) -> int | None:
    """How closely a budget line matches a posting's fund and program: None when it does not
    match, else the number of the two it names (a line naming neither matches any posting)."""
    if line.fund is not None and line.fund.pk != fund_id:
        return None
    if line.program is not None and line.program.pk != program_id:
        return None
    return (2 if line.fund else 0) + (1 if line.program else 0)


def percent_used(budget: Decimal, actual: Decimal) -> Decimal | None:
    if not budget:
        return None
    return (actual * HUNDRED / budget).quantize(Decimal("0.01"))


COLUMNS = [
    Column("budget", "Budget"),
    Column("actual", "Actual"),
    Column("variance", "Variance"),
    Column("percent_used", "% used", "percent"),
]


def _values(budget: Decimal, actual: Decimal) -> dict[str, Decimal]:
    values = {"budget": budget, "actual": actual, "variance": actual - budget}
    used = percent_used(budget, actual)
    if used is not None:
        values["percent_used"] = used
    return values


def budget_vs_actual(
    *, organization: Organization, fiscal_year: int, through_month: int = 12
) -> Report:
    """Each budget line against what was posted, from the first day of the fiscal year to the
    last day of month `through_month` (1 to 12), the budget summed over the same months.

    Each posted line counts once, toward the budget line of its account that names the most of
    its fund and program (a line naming a fund before one naming only a program); postings no
    budget line matches show on a line of their account with a budget of zero. Variance is
    actual less budget; "% used" is actual as a percentage of budget (left out where nothing
    was budgeted). A line whose expenses are above budget or whose revenue is below it is of
    kind "over" or "under"."""
    months = year_months(organization, fiscal_year)[:through_month]
    start, _end = year_bounds(organization, fiscal_year)
    end = months[-1].end
    fields = MONTH_FIELDS[:through_month]
    lines: dict[tuple[int, int | None, int | None], _Line] = {}
    by_account: dict[int, list[_Line]] = defaultdict(list)
    for budget_line in budget_lines(budget_get(fiscal_year)):
        line = _Line(
            budget_line.account,
            budget_line.fund,
            budget_line.program,
            budget=add(*(getattr(budget_line, name) for name in fields)),
        )
        lines[line.key] = line
        by_account[line.account.pk].append(line)
    accounts = budget_accounts_by_id()
    postings = line_totals(
        group_by=("account_id", "account__type", "fund_id", "program_id"),
        date_from=start,
        date_to=end,
        types=BUDGET_TYPES,
    )
    for row in postings:
        account = accounts.get(row["account_id"])
        if account is None:
            continue
        scored = [
            (score, line)
            for line in by_account[account.pk]
            if (score := _specificity(line, row["fund_id"], row["program_id"])) is not None
        ]
        if scored:
            target = max(scored, key=lambda pair: pair[0])[1]
        else:
            target = _Line(account, None, None)
            lines[target.key] = target
            by_account[account.pk].append(target)
        target.actual += _normal(row["account__type"], row["net"])
    return _report(organization, fiscal_year, months, list(lines.values()))


def _report(
    organization: Organization, fiscal_year: int, months: list[Any], lines: list[_Line]
) -> Report:
    ordered = sorted(
        lines,
        key=lambda x: (
            x.account.number,
            x.fund.code if x.fund else "",
            x.program.code if x.program else "",
        ),
    )
    rows: list[Row] = []
    totals: dict[str, Decimal] = {}
    sections = (("revenue", "Revenue", True), ("expenses", "Expenses", False))
    for key, title, revenue in sections:
        chosen = [x for x in ordered if x.is_revenue is revenue]
        rows.append(Row(title, kind="section", key=key))
        for x in chosen:
            kind = ("under" if revenue else "over") if x.off_budget else "line"
            rows.append(
                Row(
                    x.label,
                    _values(x.budget, x.actual),
                    kind=kind,
                    level=1,
                    account_id=x.account.pk,
                    fund_id=x.fund.pk if x.fund else None,
                    program_id=x.program.pk if x.program else None,
                )
            )
        budget = add(*(x.budget for x in chosen))
        actual = add(*(x.actual for x in chosen))
        rows.append(
            Row(
                f"Total {title.lower()}",
                _values(budget, actual),
                kind="subtotal",
                key=f"total_{key}",
            )
        )
        totals[f"total_{key}_budget"] = budget
        totals[f"total_{key}_actual"] = actual
        totals[f"total_{key}_variance"] = actual - budget
    net_budget = totals["total_revenue_budget"] - totals["total_expenses_budget"]
    net_actual = totals["total_revenue_actual"] - totals["total_expenses_actual"]
    rows.append(
        Row(
            "Revenue less expenses",
            {"budget": net_budget, "actual": net_actual, "variance": net_actual - net_budget},
            kind="total",
            key="net",
        )
    )
    totals.update(
        net_budget=net_budget, net_actual=net_actual, net_variance=net_actual - net_budget
    )
    through = f" through {months[-1].label}" if len(months) < 12 else ""
    return Report(
        title="Budget vs. actual",
        period=f"{year_name(fiscal_year)} ({months[0].start} to {months[-1].end}){through}",
        columns=COLUMNS,
        rows=rows,
        totals=totals,
    )
