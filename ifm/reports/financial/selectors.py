"""The financial statements (FASB ASU 2016-14 presentation), each summed by the database.

Net assets are split into the two classes as the ledger's fund balances split them: "with donor
restrictions" is what is held on net-asset and revenue accounts marked with that class
(restricted contributions, restricted net assets, the "with" side of releases); everything else,
expenses included, is "without donor restrictions". A release from restriction therefore
moves money from one class to the other inside its fund, and every expense is in "without".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.ledger.balances.selectors import LineTotals, line_totals, line_totals_batch
from ifm.ledger.models import AccountType, Function, NetAssetClass
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.reports.report import ZERO, Column, Report, Row, add
from ifm.tenancy.models import Organization

WITHOUT, WITH, TOTAL, COMPARE = "without", "with", "total", "compare"
CLASS_LABELS = {WITHOUT: "Without donor restrictions", WITH: "With donor restrictions"}
NET_ASSET_TYPES = (AccountType.NET_ASSETS, AccountType.REVENUE, AccountType.EXPENSE)
RELEASE_ROLES = ("release_with", "release_without")
FUNCTION_LABELS = {
    Function.MANAGEMENT.value: "Management and general",
    Function.FUNDRAISING.value: "Fundraising",
    "": "Not assigned a function",
}
NO_PROGRAM = "No program named"


def _is_with(row: dict[str, Any]) -> bool:
    return row["account__net_asset_class"] == NetAssetClass.WITH and row["account__type"] in (
        AccountType.NET_ASSETS,
        AccountType.REVENUE,
    )


def prior_year_end(organization: Organization, on: date) -> date:
    """The last day of the fiscal year before the one holding `on`."""
    return fiscal_year_bounds(organization, on)[0] - timedelta(days=1)


def year_before(on: date) -> date:
    try:
        return on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 1, day=28)


def compare_period(kind: str, date_from: date, date_to: date) -> tuple[date, date] | None:
    """The period a statement of activities is compared with: "prior_year" (the same dates a
    year earlier) or "prior_period" (as many days, just before)."""
    if kind == "prior_year":
        return year_before(date_from), year_before(date_to)
    if kind == "prior_period":
        return date_from - (date_to - date_from) - timedelta(days=1), date_from - timedelta(days=1)
    return None


# --- Statement of financial position -----------------------------------------------------------


@dataclass
class _Position:
    assets: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    liabilities: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    restricted: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    net_assets: Decimal = ZERO

    @property
    def with_restrictions(self) -> Decimal:
        return add(*self.restricted.values())

    @property
    def without_restrictions(self) -> Decimal:
        return self.net_assets - self.with_restrictions


_POSITION_GROUP = (
    "account_id",
    "account__number",
    "account__name",
    "account__type",
    "account__net_asset_class",
    "fund_id",
    "fund__code",
    "fund__name",
)


def _position(
    rows: list[dict[str, Any]], names: dict[tuple[str, int], tuple[str, str]]
) -> _Position:
    """The position on a date from its sums (`_POSITION_GROUP`, every line up to the date)."""
    position = _Position()
    for row in rows:
        net, kind = row["net"], row["account__type"]
        if kind == AccountType.ASSET:
            position.assets[row["account_id"]] -= net
        elif kind == AccountType.LIABILITY:
            position.liabilities[row["account_id"]] += net
        else:
            position.net_assets += net
            if _is_with(row):
                position.restricted[row["fund_id"]] += net
                names[("fund", row["fund_id"])] = (row["fund__code"], row["fund__name"])
        if kind in (AccountType.ASSET, AccountType.LIABILITY):
            names[("account", row["account_id"])] = (row["account__number"], row["account__name"])
    return position


def _lines(
    kind: str, sums: dict[str, dict[int, Decimal]], names: dict[tuple[str, int], tuple[str, str]]
) -> list[Row]:
    """One row per account or fund with a balance in any column, in number or code order."""
    ids = {pk for values in sums.values() for pk, value in values.items() if value}
    rows = []
    for pk in sorted(ids, key=lambda pk: names[(kind, pk)][0]):
        number, name = names[(kind, pk)]
        values = {column: sums[column].get(pk, ZERO) for column in sums}
        is_account = kind == "account"
        rows.append(
            Row(
                f"{number} {name}",
                values,
                level=1 if is_account else 2,
                account_id=pk if is_account else None,
                fund_id=None if is_account else pk,
            )
        )
    return rows


def statement_of_financial_position(
    *,
    as_of: date,
    compare_to: date | None = None,
    fund_id: int | None = None,
    net_asset_class: str = "",
) -> Report:
    """Assets, liabilities and net assets by class on `as_of` (and on `compare_to`): the year's
    revenue less expenses, not yet closed into net assets, is folded into its class.

    `fund_id` keeps one fund's lines: posting balances every fund on its own (due to / due from
    lines), so a fund's statement balances too. `net_asset_class` ("without" or "with") keeps
    only that class's net assets: the ledger does not split assets and liabilities by class,
    so they are left out."""
    names: dict[tuple[str, int], tuple[str, str]] = {}
    dates = {"current": as_of} | ({COMPARE: compare_to} if compare_to else {})
    # Both dates in one statement (one round trip).
    sums = line_totals_batch(
        [LineTotals(group_by=_POSITION_GROUP, date_to=on, fund_id=fund_id) for on in dates.values()]
    )
    positions = {column: _position(rows, names) for column, rows in zip(dates, sums, strict=True)}
    columns = [Column(column, f"{on:%Y-%m-%d}") for column, on in dates.items()]

    def each(value: Any) -> dict[str, Decimal]:
        return {column: value(p) for column, p in positions.items()}

    total_assets = each(lambda p: add(*p.assets.values()))
    total_liabilities = each(lambda p: add(*p.liabilities.values()))
    without = each(lambda p: p.without_restrictions)
    with_ = each(lambda p: p.with_restrictions)
    net_assets = each(lambda p: p.net_assets)
    without_rows = [Row("Without donor restrictions", without, level=1, key="net_assets_without")]
    with_rows = [
        Row("With donor restrictions", kind="section", level=1),
        *_lines("fund", {c: p.restricted for c, p in positions.items()}, names),
        Row(
            "Total with donor restrictions", with_, kind="subtotal", level=1, key="net_assets_with"
        ),
    ]
    if net_asset_class:
        rows = [
            Row(f"Net assets {CLASS_LABELS[net_asset_class].lower()}", kind="section"),
            *(without_rows if net_asset_class == WITHOUT else with_rows),
        ]
    else:
        rows = [
            Row("Assets", kind="section"),
            *_lines("account", {c: p.assets for c, p in positions.items()}, names),
            Row("Total assets", total_assets, kind="subtotal", key="total_assets"),
            Row("Liabilities", kind="section"),
            *_lines("account", {c: p.liabilities for c, p in positions.items()}, names),
            Row("Total liabilities", total_liabilities, kind="subtotal", key="total_liabilities"),
            Row("Net assets", kind="section"),
            *without_rows,
            *with_rows,
            Row("Total net assets", net_assets, kind="subtotal", key="net_assets_end"),
            Row(
                "Total liabilities and net assets",
                {c: total_liabilities[c] + net_assets[c] for c in positions},
                kind="total",
                key="total_liabilities_and_net_assets",
            ),
        ]
    totals = {
        row.key: row.value("current") for row in rows if row.key
    }  # the current column's named figures
    return Report(
        "Statement of financial position",
        f"As of {as_of:%Y-%m-%d}"
        + (f", compared with {compare_to:%Y-%m-%d}" if compare_to else "")
        + (f", net assets {CLASS_LABELS[net_asset_class].lower()}" if net_asset_class else ""),
        columns,
        rows,
        totals,
    )


# --- Statement of activities -------------------------------------------------------------------

ExpenseKey = tuple[str, int | None]  # (function, program id for program services)


@dataclass
class _Activity:
    revenue: dict[int, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: {WITHOUT: ZERO, WITH: ZERO})
    )
    releases: dict[str, Decimal] = field(default_factory=lambda: {WITHOUT: ZERO, WITH: ZERO})
    expenses: dict[ExpenseKey, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    direct: dict[str, Decimal] = field(default_factory=lambda: {WITHOUT: ZERO, WITH: ZERO})
    beginning: dict[str, Decimal] | None = None

    def change(self, column: str) -> Decimal:
        revenue = add(*(values[column] for values in self.revenue.values()))
        expenses = add(*self.expenses.values()) if column == WITHOUT else ZERO
        return revenue + self.releases[column] - expenses


def _expense_key(row: dict[str, Any]) -> ExpenseKey:
    if row["function"] == Function.PROGRAM:
        return (Function.PROGRAM.value, row["program_id"])
    return (row["function"] if row["function"] in FUNCTION_LABELS else "", None)


def _program_name(row: dict[str, Any]) -> str:
    if row["program_id"] is None:
        return NO_PROGRAM
    return f"{row['program__code']} {row['program__name']}"


def _net_assets_sum(on: date, fund_id: int | None) -> LineTotals:
    return LineTotals(
        group_by=("account__type", "account__net_asset_class"),
        date_to=on,
        types=NET_ASSET_TYPES,
        fund_id=fund_id,
    )


def _net_assets_by_class(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    with_ = add(*(row["net"] for row in rows if _is_with(row)))
    return {WITHOUT: add(*(row["net"] for row in rows)) - with_, WITH: with_}


_ACTIVITY_GROUP = (
    "account_id",
    "account__number",
    "account__name",
    "account__type",
    "account__net_asset_class",
    "account__role",
    "function",
    "program_id",
    "program__code",
    "program__name",
)


def _activity_sums(
    period: tuple[date, date], *, fund_id: int | None, program_id: int | None
) -> list[LineTotals]:
    """The sums a period's activity needs: its lines, and (without a program) the net assets
    on the day before it starts."""
    sums = [
        LineTotals(
            group_by=_ACTIVITY_GROUP,
            date_from=period[0],
            date_to=period[1],
            types=NET_ASSET_TYPES,
            fund_id=fund_id,
            program_id=program_id,
        )
    ]
    if program_id is None:
        sums.append(_net_assets_sum(period[0] - timedelta(days=1), fund_id))
    return sums


def _activity(
    sums: list[list[dict[str, Any]]], names: dict[tuple[str, int | None], tuple[str, str]]
) -> _Activity:
    """A period's activity from its sums (`_activity_sums`)."""
    activity = _Activity()
    for row in sums[0]:
        column = WITH if _is_with(row) else WITHOUT
        if row["account__type"] == AccountType.EXPENSE:
            key = _expense_key(row)
            activity.expenses[key] -= row["net"]
            if key[0] == Function.PROGRAM:
                names[("program", key[1])] = (_program_name(row), "")
        elif row["account__type"] == AccountType.NET_ASSETS:
            activity.direct[column] += row["net"]
        elif row["account__role"] in RELEASE_ROLES:
            activity.releases[column] += row["net"]
        else:
            activity.revenue[row["account_id"]][column] += row["net"]
            names[("account", row["account_id"])] = (row["account__number"], row["account__name"])
    if len(sums) > 1:
        activity.beginning = _net_assets_by_class(sums[1])
    return activity


def _by_class(without: Decimal, with_: Decimal, compare: Decimal | None) -> dict[str, Decimal]:
    values = {WITHOUT: without, WITH: with_, TOTAL: without + with_}
    return values if compare is None else values | {COMPARE: compare}


def _expense_rows(
    current: _Activity,
    prior: _Activity | None,
    names: dict[tuple[str, int | None], tuple[str, str]],
    classes: tuple[str, ...] = (WITHOUT, WITH),
) -> list[Row]:
    def amount(activity: _Activity | None, keys: list[ExpenseKey]) -> Decimal | None:
        if activity is None:
            return None
        if activity is prior and WITHOUT not in classes:
            return ZERO  # every expense is in "without"
        return add(*(activity.expenses.get(key, ZERO) for key in keys))

    def row(label: str, keys: list[ExpenseKey], **extra: Any) -> Row:
        value = amount(current, keys) or ZERO
        return Row(label, _by_class(value, ZERO, amount(prior, keys)), **extra)

    keys = set(current.expenses) | set(prior.expenses if prior else ())
    programs = sorted(
        (key for key in keys if key[0] == Function.PROGRAM),
        key=lambda key: (key[1] is None, names[("program", key[1])][0]),
    )
    rows = [Row("Expenses", kind="section"), Row("Program services", kind="section", level=1)]
    rows += [
        row(names[("program", key[1])][0], [key], level=2, program_id=key[1]) for key in programs
    ]
    rows.append(row("Total program services", programs, kind="subtotal", level=1, key="programs"))
    for function in (Function.MANAGEMENT.value, Function.FUNDRAISING.value, ""):
        if function or (function, None) in keys:
            rows.append(row(FUNCTION_LABELS[function], [(function, None)], level=1))
    rows.append(row("Total expenses", sorted(keys, key=str), kind="subtotal", key="total_expenses"))
    return rows


def statement_of_activities(
    *,
    date_from: date,
    date_to: date,
    compare: tuple[date, date] | None = None,
    fund_id: int | None = None,
    program_id: int | None = None,
    net_asset_class: str = "",
) -> Report:
    """Revenue and support by net-asset class, releases from restriction, expenses by function
    and the change in net assets for the period (with the total of a period to compare with).
    Net assets at the beginning and end are left out when a program is chosen: the ledger keeps
    net assets by fund, not by program. With `net_asset_class` ("without" or "with") only that
    class's column is shown, and the period compared with is that class's too; lines with
    nothing in the class are left out."""
    classes = (net_asset_class,) if net_asset_class else (WITHOUT, WITH)
    names: dict[tuple[str, int | None], tuple[str, str]] = {}
    # Every sum of both periods in one statement (one round trip).
    wanted = _activity_sums((date_from, date_to), fund_id=fund_id, program_id=program_id)
    if compare:
        wanted += _activity_sums(compare, fund_id=fund_id, program_id=program_id)
    sums = line_totals_batch(wanted)
    half = len(sums) // 2 if compare else len(sums)
    current = _activity(sums[:half], names)
    prior = _activity(sums[half:], names) if compare else None

    def total(activity: _Activity | None, value: Any) -> Decimal | None:
        return None if activity is None else value(activity)

    def line(label: str, value: Any, **extra: Any) -> Row:
        """A row whose figures come from each class of an activity (`value(activity, class)`)."""
        return Row(
            label,
            _by_class(
                value(current, WITHOUT),
                value(current, WITH),
                total(prior, lambda a: add(*(value(a, c) for c in classes))),
            ),
            **extra,
        )

    accounts = sorted(
        set(current.revenue) | set(prior.revenue if prior else ()),
        key=lambda pk: names[("account", pk)][0],
    )
    rows = [Row("Revenue and support", kind="section")]
    for pk in accounts:
        number, name = names[("account", pk)]
        rows.append(
            line(
                f"{number} {name}",
                lambda a, c, pk=pk: a.revenue[pk][c] if pk in a.revenue else ZERO,
                level=1,
                account_id=pk,
            )
        )
    rows.append(
        line(
            "Net assets released from restriction",
            lambda a, c: a.releases[c],
            level=1,
            key="releases",
        )
    )
    rows.append(
        line(
            "Total revenue, support and releases",
            lambda a, c: add(*(v[c] for v in a.revenue.values())) + a.releases[c],
            kind="subtotal",
            key="total_revenue",
        )
    )
    rows += _expense_rows(current, prior, names, classes)
    rows.append(
        line("Change in net assets", _Activity.change, kind="total", key="change_in_net_assets")
    )
    if current.beginning is not None:
        rows += _net_asset_rows(current, prior, line)
    totals = _activity_totals(rows, current)
    period = f"{date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}"
    compared = f"{compare[0]:%Y-%m-%d} to {compare[1]:%Y-%m-%d}" if compare else ""
    if net_asset_class:
        return _one_class(net_asset_class, period, compared, rows, totals)
    return Report(
        "Statement of activities",
        period + (f", compared with {compared}" if compare else ""),
        [
            Column(WITHOUT, CLASS_LABELS[WITHOUT]),
            Column(WITH, CLASS_LABELS[WITH]),
            Column(TOTAL, "Total"),
            *([Column(COMPARE, f"Total {compared}")] if compare else []),
        ],
        rows,
        totals,
    )


def _one_class(
    net_asset_class: str, period: str, compared: str, rows: list[Row], totals: dict[str, Decimal]
) -> Report:
    """The statement of activities of one net-asset class: its column (and the compared
    period's figure of the class); totals are the class's figures."""
    keep = (net_asset_class, COMPARE) if compared else (net_asset_class,)
    shown = []
    for row in rows:
        values = {c: v for c, v in row.values.items() if c in keep}
        is_detail = row.kind == "line" and (row.account_id or row.program_id) is not None
        if is_detail and not any(values.values()):
            continue
        shown.append(replace(row, values=values))
    label = CLASS_LABELS[net_asset_class]
    by_key = {row.key: row.value(net_asset_class) for row in shown if row.key}
    named = {
        "total_revenue": "total_revenue",
        "total_program_services": "programs",
        "total_expenses": "total_expenses",
        "change_in_net_assets": "change_in_net_assets",
        "direct_changes": "direct_changes",
        "net_assets_beginning": "net_assets_beginning",
        "net_assets_end": "net_assets_end",
    }
    out = {name: by_key[key] for name, key in named.items() if key in by_key}
    suffix = f"_{net_asset_class}"
    out |= {k: v for k, v in totals.items() if k.endswith(suffix) and k in _CLASS_TOTALS}
    return Report(
        "Statement of activities",
        f"{period}, {label.lower()}" + (f", compared with {compared}" if compared else ""),
        [
            Column(net_asset_class, label),
            *([Column(COMPARE, f"{label} {compared}")] if compared else []),
        ],
        shown,
        out,
    )


_CLASS_TOTALS = {
    f"{name}_{c}"
    for c in (WITHOUT, WITH)
    for name in (
        "total_revenue",
        "change",
        "net_assets_beginning",
        "net_assets_end",
        "direct_changes",
    )
} | {"releases_out_of_with", "releases_into_without"}


def _net_asset_rows(current: _Activity, prior: _Activity | None, line: Any) -> list[Row]:
    def beginning(a: _Activity, c: str) -> Decimal:
        return a.beginning[c] if a.beginning else ZERO

    rows = []
    if any(current.direct.values()) or (prior and any(prior.direct.values())):
        rows.append(
            line(
                "Entries made directly to net assets",
                lambda a, c: a.direct[c],
                key="direct_changes",
            )
        )
    rows.append(line("Net assets at beginning of period", beginning, key="net_assets_beginning"))
    rows.append(
        line(
            "Net assets at end of period",
            lambda a, c: beginning(a, c) + a.change(c) + a.direct[c],
            kind="total",
            key="net_assets_end",
        )
    )
    return rows


def _activity_totals(rows: list[Row], current: _Activity) -> dict[str, Decimal]:
    by_key = {row.key: row for row in rows if row.key}
    totals = {
        "total_revenue": by_key["total_revenue"].value(TOTAL),
        "total_revenue_without": by_key["total_revenue"].value(WITHOUT),
        "total_revenue_with": by_key["total_revenue"].value(WITH),
        "releases_out_of_with": -current.releases[WITH],
        "releases_into_without": current.releases[WITHOUT],
        "total_program_services": by_key["programs"].value(TOTAL),
        "total_expenses": by_key["total_expenses"].value(TOTAL),
        "change_in_net_assets": by_key["change_in_net_assets"].value(TOTAL),
        "change_without": by_key["change_in_net_assets"].value(WITHOUT),
        "change_with": by_key["change_in_net_assets"].value(WITH),
    }
    for key in ("net_assets_beginning", "net_assets_end", "direct_changes"):
        if key in by_key:
            totals[key] = by_key[key].value(TOTAL)
            totals[f"{key}_without"] = by_key[key].value(WITHOUT)
            totals[f"{key}_with"] = by_key[key].value(WITH)
    return totals


# --- Statement of functional expenses ----------------------------------------------------------


def functional_expenses(*, date_from: date, date_to: date) -> Report:
    """Natural expense accounts (rows) by function (columns): each program, management and
    general, fundraising, and any expense posted without a function, with totals."""
    group = (
        "account_id",
        "account__number",
        "account__name",
        "function",
        "program_id",
        "program__code",
        "program__name",
    )
    cells: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    accounts: dict[int, str] = {}
    programs: dict[str, str] = {}
    for row in line_totals(
        group_by=group, date_from=date_from, date_to=date_to, types=(AccountType.EXPENSE,)
    ):
        function, program = _expense_key(row)
        if function == Function.PROGRAM:
            column = f"program_{program or 'none'}"
            programs[column] = _program_name(row)
        else:
            column = function or "unassigned"
        cells[row["account_id"]][column] -= row["net"]
        accounts[row["account_id"]] = f"{row['account__number']} {row['account__name']}"
    program_columns = sorted(programs, key=lambda c: (c == "program_none", programs[c]))
    columns = [Column(c, programs[c]) for c in program_columns]
    columns.append(Column("program_services", "Total program services"))
    columns += [
        Column("management", "Management and general"),
        Column("fundraising", "Fundraising"),
    ]
    if any("unassigned" in values for values in cells.values()):
        columns.append(Column("unassigned", "Not assigned a function"))
    columns.append(Column("total", "Total expenses"))

    def values(cell: dict[str, Decimal]) -> dict[str, Decimal]:
        out = {c.key: cell.get(c.key, ZERO) for c in columns}
        out["program_services"] = add(*(cell.get(c, ZERO) for c in program_columns))
        out["total"] = add(*(v for k, v in cell.items()))
        return out

    rows = [
        Row(accounts[pk], values(cells[pk]), account_id=pk)
        for pk in sorted(cells, key=lambda pk: accounts[pk])
        if any(cells[pk].values())
    ]
    grand = {c.key: add(*(row.value(c.key) for row in rows)) for c in columns}
    rows.append(Row("Total expenses", grand, kind="total", key="total_expenses"))
    return Report(
        "Statement of functional expenses",
        f"{date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}",
        columns,
        rows,
        {
            "total_expenses": grand["total"],
            "total_program_services": grand["program_services"],
            "management_and_general": grand["management"],
            "fundraising": grand["fundraising"],
            "not_assigned_a_function": grand.get("unassigned", ZERO),
        },
    )
