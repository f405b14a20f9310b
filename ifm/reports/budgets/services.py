"""Every write of budgets: replace a year's lines (grid, import and API alike) and copy a year
from last year's actuals or budget. Each is one transaction: a budget is saved whole or not
at all, and a stale version is a 409, never an overwrite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.money import CENT, ZERO, MoneyError, parse_money
from ifm.reports.budgets import selectors
from ifm.reports.budgets.models import MONTH_FIELDS, Budget, BudgetLine
from ifm.reports.budgets.years import FIRST_YEAR, LAST_YEAR, year_name
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import org_service

PERM = "ledger.manage"
MAX_LINES = 5000
MIN_PERCENT, MAX_PERCENT = Decimal("-100"), Decimal("1000")
COPY_SOURCES = {"actuals": "last year's actuals", "budget": "last year's budget"}


@dataclass(frozen=True)
class LineIn:
    """One line as a door hands it over: ids, and twelve amounts (Decimals or text)."""

    account_id: int | None
    fund_id: int | None = None
    program_id: int | None = None
    amounts: Sequence[Any] = ()


@dataclass(frozen=True)
class CleanLine:
    account_id: int
    fund_id: int | None
    program_id: int | None
    amounts: tuple[Decimal, ...]

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        return self.account_id, self.fund_id, self.program_id

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


def check_year(fiscal_year: int) -> None:
    if not FIRST_YEAR <= fiscal_year <= LAST_YEAR:
        raise ServiceError(
            f"The fiscal year must be from {FIRST_YEAR} to {LAST_YEAR}.", field="fiscal_year"
        )


def _amount(value: Any) -> Decimal:
    text = isinstance(value, str)
    return parse_money(value, blank=ZERO, text=text, allow_zero=True)


def _problems(
    line: LineIn, where: str, known: tuple[Any, set[int], set[int]]
) -> tuple[list[dict[str, str]], list[Decimal]]:
    """What is wrong with one line (each on its field), and its amounts when they read."""
    accounts, funds, programs = known
    errors: list[dict[str, str]] = []
    if line.account_id is None:
        errors.append({"field": f"{where}.account", "message": "Choose an account."})
    elif line.account_id not in accounts:
        message = "No such revenue or expense account that takes postings."
        errors.append({"field": f"{where}.account", "message": message})
    if line.fund_id is not None and line.fund_id not in funds:
        errors.append({"field": f"{where}.fund", "message": "No such fund."})
    if line.program_id is not None and line.program_id not in programs:
        errors.append({"field": f"{where}.program", "message": "No such program."})
    if len(line.amounts) != 12:
        message = "Give twelve amounts, one per month."
        return [*errors, {"field": f"{where}.amounts", "message": message}], []
    amounts = []
    for name, value in zip(MONTH_FIELDS, line.amounts, strict=True):
        try:
            amounts.append(_amount(value))
        except MoneyError as exc:
            message = exc.message
            if exc.reason == "negative":
                message = "A budget amount must not be negative."
            errors.append({"field": f"{where}.{name}", "message": message})
    return errors, amounts


def lines_clean(lines: Sequence[LineIn]) -> list[CleanLine]:
    """The lines checked, or a ServiceError listing every problem, each on its field
    (`lines[3].month_5`, `lines[0].account`). Lines of twelve zeros are dropped."""
    if len(lines) > MAX_LINES:
        raise ServiceError(f"A budget has at most {MAX_LINES} lines.", field="lines")
    known = (selectors.budget_accounts_by_id(), selectors.fund_ids(), selectors.program_ids())
    errors: list[dict[str, str]] = []
    seen: dict[tuple[int, int | None, int | None], int] = {}
    clean = []
    for i, line in enumerate(lines):
        problems, amounts = _problems(line, f"lines[{i}]", known)
        errors.extend(problems)
        if problems or line.account_id is None:
            continue
        made = CleanLine(line.account_id, line.fund_id, line.program_id, tuple(amounts))
        if made.key in seen:
            message = f"The same account, fund and program as line {seen[made.key] + 1}."
            errors.append({"field": f"lines[{i}].account", "message": message})
            continue
        seen[made.key] = i
        if any(amounts):
            clean.append(made)
    if errors:
        count = len(errors)
        raise ServiceError(
            f"The budget has {count} problem{'s' if count > 1 else ''}: nothing was saved.",
            errors=errors,
        )
    return clean


def _replace(
    *,
    organization: Organization,
    actor: Any,
    fiscal_year: int,
    lines: list[CleanLine],
    expected_version: int | None,
    how: str,
) -> Budget:
    check_year(fiscal_year)
    budget = Budget.objects.filter(fiscal_year=fiscal_year).first()
    if budget is None:
        budget = Budget.objects.create(
            organization=organization, fiscal_year=fiscal_year, updated_by=actor
        )
    else:
        if expected_version is None:
            raise ConflictError(
                message=(
                    f"The budget for {year_name(fiscal_year)} already exists: send the version "
                    f"you read ({budget.version}) to replace it."
                )
            )
        budget.save_versioned(expected_version=expected_version, user=actor, fields=[])
        BudgetLine.objects.filter(budget=budget).delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            organization=organization,
            budget=budget,
            account_id=line.account_id,
            fund_id=line.fund_id,
            program_id=line.program_id,
            **dict(zip(MONTH_FIELDS, line.amounts, strict=True)),
        )
        for line in lines
    )
    audit_record(
        action="budget.save",
        actor=actor,
        organization=organization,
        obj=budget,
        changes={
            "how": how,
            "lines": len(lines),
            "total": str(sum((x.total for x in lines), ZERO)),
        },
    )
    return budget


@org_service(PERM)
def budget_save(
    *,
    organization: Organization,
    access: Any,
    actor: Any,
    fiscal_year: int,
    lines: Sequence[LineIn],
    expected_version: int | None,
    how: str = "edit",
) -> Budget:
    """Replace the budget of `fiscal_year` with `lines` (creating it when there is none; an
    existing one needs the version that was read)."""
    return _replace(
        organization=organization,
        actor=actor,
        fiscal_year=fiscal_year,
        lines=lines_clean(lines),
        expected_version=expected_version,
        how=how,
    )


def _grown(amount: Decimal, factor: Decimal) -> Decimal:
    return max((amount * factor).quantize(CENT, rounding=ROUND_HALF_UP), ZERO)


def copy_lines(
    *, organization: Organization, fiscal_year: int, source: str, percent: Decimal
) -> list[LineIn]:
    """The lines a copy would save: the year before's actuals (per account, each month's net
    on the account's normal side, a negative month counting as zero) or budget (every line),
    each amount increased by `percent` and rounded to the cent."""
    if source not in COPY_SOURCES:
        raise ServiceError('Copy from "actuals" or "budget".', field="source")
    if not MIN_PERCENT <= percent <= MAX_PERCENT or percent != percent.quantize(CENT):
        raise ServiceError(
            f"The percentage must be from {MIN_PERCENT} to {MAX_PERCENT}, at most two decimals.",
            field="percent",
        )
    check_year(fiscal_year)
    factor = 1 + percent / 100
    prior = fiscal_year - 1
    if source == "budget":
        budget = Budget.objects.filter(fiscal_year=prior).first()
        if budget is None:
            raise ServiceError(
                f"There is no budget for {year_name(prior)} to copy.", field="source"
            )
        return [
            LineIn(
                line.account_id,
                line.fund_id,
                line.program_id,
                [_grown(a, factor) for a in line.amounts],
            )
            for line in budget.lines.order_by("account__number", "id")
        ]
    actuals = selectors.monthly_actuals(organization=organization, fiscal_year=prior)
    return [
        LineIn(account_id, None, None, [_grown(a, factor) for a in amounts])
        for account_id, amounts in actuals.items()
    ]


@org_service(PERM)
def budget_copy(
    *,
    organization: Organization,
    access: Any,
    actor: Any,
    fiscal_year: int,
    source: str,
    percent: Decimal,
    expected_version: int | None,
) -> Budget:
    """Replace the budget of `fiscal_year` with a copy of the year before (see `copy_lines`)."""
    lines = copy_lines(
        organization=organization, fiscal_year=fiscal_year, source=source, percent=percent
    )
    return _replace(
        organization=organization,
        actor=actor,
        fiscal_year=fiscal_year,
        lines=lines_clean(lines),
        expected_version=expected_version,
        how=f"copy of {COPY_SOURCES[source]}, {percent:+}%",
    )
