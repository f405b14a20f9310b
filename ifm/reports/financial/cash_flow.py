"""Statement of cash flows, indirect method, for a period.

It starts from the change in net assets (the statement of activities' figure) and explains the
difference to the change in cash, account by account, from the ledger's balances: every line of
an entry is on a cash account, another asset, a liability, or net assets, revenue and expenses,
and an entry balances, so

    change in cash = change in net assets (and entries made directly to net assets)
                     - increase in other assets + increase in liabilities.

The statement therefore ties by construction: the net change in cash is the change of the cash
accounts (`Account.is_cash`). Where each other account goes:

* non-cash items: accumulated depreciation (its increase is the period's depreciation, added
  back), and gifts in kind (every non-cash side of an entry that credits the in-kind
  contributions account: goods used at once net to nothing, securities or equipment given are
  taken out of the change in net assets instead of showing as a purchase);
* investing: investments and fixed assets (UCOA 1500-1699 and 1800-1899);
* financing: notes, loans, lines of credit and mortgages (UCOA 2500-2899);
* operating: every other asset and liability (receivables, prepaid expenses, inventories,
  payables, accrued and deferred items). Due-to and due-from other funds net to zero across the
  organization and are left out unless they do not.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.ledger.balances.selectors import line_totals
from ifm.ledger.models import AccountType
from ifm.reports.financial.selectors import statement_of_activities
from ifm.reports.report import ZERO, Column, Report, Row, add

AMOUNT = "amount"
IN_KIND_ROLE = "in_kind_contributions"
INTERFUND_ROLES = ("interfund_receivable", "interfund_payable")
OPERATING, INVESTING, FINANCING, DEPRECIATION = "operating", "investing", "financing", "depr"
SECTIONS = {
    OPERATING: "Cash flows from operating activities",
    INVESTING: "Cash flows from investing activities",
    FINANCING: "Cash flows from financing activities",
}
ACCOUNT_FIELDS = (
    "account_id",
    "account__number",
    "account__name",
    "account__type",
    "account__role",
    "account__is_cash",
)


def _section(row: dict[str, Any]) -> str:
    """Where a non-cash asset or a liability goes (see the module's docstring)."""
    number, name = row["account__number"], row["account__name"].lower()
    lead = int(number[:2]) if number[:2].isdigit() else 0
    if row["account__type"] == AccountType.ASSET:
        if "depreciation" in name or lead == 17:
            return DEPRECIATION
        return INVESTING if lead in (15, 16, 18) else OPERATING
    return FINANCING if 25 <= lead <= 28 else OPERATING


def _cash(on: date) -> Decimal:
    rows = line_totals(group_by=("account__is_cash",), date_to=on, types=(AccountType.ASSET,))
    return -add(*(row["net"] for row in rows if row["account__is_cash"]))


def cash_flow(*, date_from: date, date_to: date) -> Report:
    """The statement of cash flows from `date_from` to `date_to` (see the module's docstring)."""
    activities = statement_of_activities(date_from=date_from, date_to=date_to).totals
    change = activities["change_in_net_assets"]
    period: dict[str, Any] = {"date_from": date_from, "date_to": date_to}
    balance_types = (AccountType.ASSET, AccountType.LIABILITY)
    direct = add(
        *(
            row["net"]
            for row in line_totals(
                group_by=("account__type",), types=(AccountType.NET_ASSETS,), **period
            )
        )
    )
    # What the in-kind entries did to non-cash assets and liabilities (their cash effect, if
    # any, stays with the cash accounts).
    in_kind = add(
        *(
            row["net"]
            for row in line_totals(
                group_by=("account__is_cash",),
                types=balance_types,
                entries_with_role=IN_KIND_ROLE,
                **period,
            )
            if not row["account__is_cash"]
        )
    )
    sums: dict[str, list[Row]] = defaultdict(list)
    depreciation = interfund = ZERO
    for row in line_totals(
        group_by=ACCOUNT_FIELDS,
        types=balance_types,
        entries_without_role=IN_KIND_ROLE,
        **period,
    ):
        # A line's net is its credits less its debits: what it adds to cash on the other side.
        if row["account__is_cash"] or not row["net"]:
            continue
        if row["account__role"] in INTERFUND_ROLES:
            interfund += row["net"]
            continue
        section = _section(row)
        if section == DEPRECIATION:
            depreciation += row["net"]
            continue
        label = f"{row['account__number']} {row['account__name']}"
        sums[section].append(
            Row(label, {AMOUNT: row["net"]}, level=2, account_id=row["account_id"])
        )

    def line(label: str, value: Decimal, key: str, level: int = 1, **extra: Any) -> Row:
        return Row(label, {AMOUNT: value}, level=level, key=key, **extra)

    operating_rows = [line("Change in net assets", change, "change_in_net_assets")]
    if direct:
        operating_rows.append(line("Entries made directly to net assets", direct, "direct_changes"))
    operating_rows += [
        Row("Adjustments for non-cash items", kind="section", level=1),
        line("Depreciation", depreciation, "depreciation", level=2),
        line("Contributions received in kind", in_kind, "in_kind", level=2),
        Row("Changes in operating assets and liabilities", kind="section", level=1),
        *sums[OPERATING],
    ]
    if interfund:
        operating_rows.append(line("Due to and from other funds", interfund, "interfund", 2))
    net = {
        OPERATING: change + direct + depreciation + in_kind + interfund,
        INVESTING: ZERO,
        FINANCING: ZERO,
    }
    for section in (OPERATING, INVESTING, FINANCING):
        net[section] += add(*(row.value(AMOUNT) for row in sums[section]))
    rows: list[Row] = []
    for section, title in SECTIONS.items():
        rows.append(Row(title, kind="section"))
        rows += operating_rows if section == OPERATING else sums[section]
        rows.append(
            Row(
                f"Net cash from {section} activities",
                {AMOUNT: net[section]},
                kind="subtotal",
                key=f"net_{section}",
            )
        )
    beginning, end = _cash(date_from - timedelta(days=1)), _cash(date_to)
    net_change = add(*net.values())
    rows += [
        Row("Net change in cash", {AMOUNT: net_change}, kind="total", key="net_change_in_cash"),
        Row("Cash at beginning of period", {AMOUNT: beginning}, key="cash_beginning"),
        Row("Cash at end of period", {AMOUNT: end}, kind="total", key="cash_end"),
    ]
    totals = {row.key: row.value(AMOUNT) for row in rows if row.key and row.values}
    return Report(
        "Statement of cash flows",
        f"{date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}",
        [Column(AMOUNT, "Amount")],
        rows,
        totals,
    )
