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
* financing: notes, loans, lines of credit and mortgages (UCOA 2500-2899), and contributions
  restricted to long-term purposes (ASC 230-10-45-14): revenue with donor restrictions of a fund
  with a perpetual restriction (an endowment) is taken out of the operating activities, and
  what of it was collected in cash (that revenue less the increase in contributions receivable,
  UCOA 12xx, of those funds) is shown under financing;
* operating: every other asset and liability (receivables, prepaid expenses, inventories,
  payables, accrued and deferred items). Due-to and due-from other funds net to zero across the
  organization and are left out unless they do not (one fund's statement shows them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ifm.ledger.balances.selectors import line_totals
from ifm.ledger.models import AccountType, Restriction
from ifm.reports.financial.selectors import (
    COMPARE,
    RELEASE_ROLES,
    TOTAL,
    _is_with,
    statement_of_activities,
)
from ifm.reports.report import ZERO, Column, Report, Row, add

AMOUNT = "amount"
IN_KIND_ROLE = "in_kind_contributions"
INTERFUND_ROLES = ("interfund_receivable", "interfund_payable")
RECEIVABLE_ROLE = "pledges_receivable"
OPERATING, INVESTING, FINANCING, DEPRECIATION = "operating", "investing", "financing", "depr"
LONG_TERM = "long_term"
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
    "account__net_asset_class",
    "fund__restriction",
)


def _lead(row: dict[str, Any]) -> int:
    number = row["account__number"]
    return int(number[:2]) if number[:2].isdigit() else 0


def _section(row: dict[str, Any]) -> str:
    """Where a non-cash asset or a liability goes (see the module's docstring)."""
    lead, name = _lead(row), row["account__name"].lower()
    if row["account__type"] == AccountType.ASSET:
        if "depreciation" in name or lead == 17:
            return DEPRECIATION
        if row["fund__restriction"] == Restriction.PERPETUAL and (
            lead == 12 or row["account__role"] == RECEIVABLE_ROLE
        ):
            return LONG_TERM
        return INVESTING if lead in (15, 16, 18) else OPERATING
    return FINANCING if 25 <= lead <= 28 else OPERATING


def _is_long_term_revenue(row: dict[str, Any]) -> bool:
    """Revenue with donor restrictions given to a fund held in perpetuity (an endowment)."""
    return (
        row["account__type"] == AccountType.REVENUE
        and row["fund__restriction"] == Restriction.PERPETUAL
        and row["account__role"] not in RELEASE_ROLES
        and _is_with(row)
    )


def _cash(on: date, fund_id: int | None) -> Decimal:
    rows = line_totals(
        group_by=("account__is_cash",), date_to=on, types=(AccountType.ASSET,), fund_id=fund_id
    )
    return -add(*(row["net"] for row in rows if row["account__is_cash"]))


@dataclass
class _Flows:
    """One period's figures, each a credit less a debit: what it adds to cash."""

    change: Decimal
    direct: Decimal
    in_kind: Decimal = ZERO
    depreciation: Decimal = ZERO
    interfund: Decimal = ZERO
    long_term: Decimal = ZERO  # contributions restricted to long-term purposes
    long_term_receivable: Decimal = ZERO  # their receivables' change (negative when growing)
    accounts: dict[str, dict[int, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: ZERO))
    )
    cash_beginning: Decimal = ZERO
    cash_end: Decimal = ZERO

    def net(self, section: str) -> Decimal:
        accounts = add(*self.accounts[section].values())
        if section == OPERATING:
            extra = self.depreciation + self.in_kind + self.interfund - self.long_term
            return self.change + self.direct + extra + accounts
        if section == FINANCING:
            return self.long_term + self.long_term_receivable + accounts
        return accounts


def _flows(
    period: tuple[date, date],
    change: Decimal,
    direct: Decimal,
    fund_id: int | None,
    names: dict[int, tuple[str, str]],
) -> _Flows:
    flows = _Flows(change, direct)
    where: dict[str, Any] = {"date_from": period[0], "date_to": period[1], "fund_id": fund_id}
    balance_types = (AccountType.ASSET, AccountType.LIABILITY)
    # What the in-kind entries did to non-cash assets and liabilities (their cash effect, if
    # any, stays with the cash accounts).
    flows.in_kind = add(
        *(
            row["net"]
            for row in line_totals(
                group_by=("account__is_cash",),
                types=balance_types,
                entries_with_role=IN_KIND_ROLE,
                **where,
            )
            if not row["account__is_cash"]
        )
    )
    for row in line_totals(
        group_by=ACCOUNT_FIELDS,
        types=(*balance_types, AccountType.REVENUE),
        entries_without_role=IN_KIND_ROLE,
        **where,
    ):
        # A line's net is its credits less its debits: what it adds to cash on the other side.
        if row["account__is_cash"] or not row["net"]:
            continue
        if row["account__type"] == AccountType.REVENUE:
            if _is_long_term_revenue(row):
                flows.long_term += row["net"]
            continue
        if row["account__role"] in INTERFUND_ROLES:
            flows.interfund += row["net"]
            continue
        section = _section(row)
        if section == DEPRECIATION:
            flows.depreciation += row["net"]
        elif section == LONG_TERM:
            flows.long_term_receivable += row["net"]
        else:
            flows.accounts[section][row["account_id"]] += row["net"]
            names[row["account_id"]] = (row["account__number"], row["account__name"])
    flows.cash_beginning = _cash(period[0] - timedelta(days=1), fund_id)
    flows.cash_end = _cash(period[1], fund_id)
    return flows


def cash_flow(
    *,
    date_from: date,
    date_to: date,
    compare: tuple[date, date] | None = None,
    fund_id: int | None = None,
) -> Report:
    """The statement of cash flows from `date_from` to `date_to` (see the module's docstring),
    with a column for the period `compare` (`selectors.compare_period`) and for one fund's
    lines only (`fund_id`)."""
    activities = statement_of_activities(
        date_from=date_from, date_to=date_to, compare=compare, fund_id=fund_id
    )
    by_key = {row.key: row for row in activities.rows if row.key}
    direct = by_key.get("direct_changes")
    periods = {AMOUNT: (date_from, date_to), **({COMPARE: compare} if compare else {})}
    names: dict[int, tuple[str, str]] = {}
    flows = {
        column: _flows(
            period,
            by_key["change_in_net_assets"].value(TOTAL if column == AMOUNT else COMPARE),
            direct.value(TOTAL if column == AMOUNT else COMPARE) if direct else ZERO,
            fund_id,
            names,
        )
        for column, period in periods.items()
    }

    def each(value: Any) -> dict[str, Decimal]:
        return {column: value(f) for column, f in flows.items()}

    def line(label: str, value: Any, key: str, level: int = 1, kind: str = "line") -> Row:
        return Row(label, each(value), kind=kind, level=level, key=key)

    def accounts(section: str) -> list[Row]:
        ids = {pk for f in flows.values() for pk, net in f.accounts[section].items() if net}
        return [
            Row(
                " ".join(names[pk]),
                each(lambda f, pk=pk: f.accounts[section].get(pk, ZERO)),
                level=2,
                account_id=pk,
            )
            for pk in sorted(ids, key=lambda pk: names[pk][0])
        ]

    long_term = any(f.long_term or f.long_term_receivable for f in flows.values())
    operating = [line("Change in net assets", lambda f: f.change, "change_in_net_assets")]
    if direct:
        operating.append(
            line("Entries made directly to net assets", lambda f: f.direct, "direct_changes")
        )
    operating += [
        Row("Adjustments for non-cash items", kind="section", level=1),
        line("Depreciation", lambda f: f.depreciation, "depreciation", level=2),
        line("Contributions received in kind", lambda f: f.in_kind, "in_kind", level=2),
    ]
    if long_term:
        operating.append(
            line(
                "Contributions restricted for long-term purposes",
                lambda f: -f.long_term,
                "long_term_contributions",
            )
        )
    operating += [
        Row("Changes in operating assets and liabilities", kind="section", level=1),
        *accounts(OPERATING),
    ]
    if any(f.interfund for f in flows.values()):
        operating.append(
            line("Due to and from other funds", lambda f: f.interfund, "interfund", level=2)
        )
    financing = accounts(FINANCING)
    if long_term:
        financing.insert(
            0,
            line(
                "Collections of contributions restricted for long-term purposes",
                lambda f: f.long_term + f.long_term_receivable,
                "long_term_collections",
                level=2,
            ),
        )
    sections = {OPERATING: operating, INVESTING: accounts(INVESTING), FINANCING: financing}
    rows: list[Row] = []
    for section, title in SECTIONS.items():
        rows.append(Row(title, kind="section"))
        rows += sections[section]
        rows.append(
            line(
                f"Net cash from {section} activities",
                lambda f, s=section: f.net(s),
                f"net_{section}",
                level=0,
                kind="subtotal",
            )
        )
    rows += [
        line(
            "Net change in cash",
            lambda f: add(*(f.net(s) for s in SECTIONS)),
            "net_change_in_cash",
            level=0,
            kind="total",
        ),
        line("Cash at beginning of period", lambda f: f.cash_beginning, "cash_beginning", 0),
        line("Cash at end of period", lambda f: f.cash_end, "cash_end", level=0, kind="total"),
    ]
    totals = {row.key: row.value(AMOUNT) for row in rows if row.key}
    period = f"{date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}"
    if compare is None:
        return Report("Statement of cash flows", period, [Column(AMOUNT, "Amount")], rows, totals)
    compared = f"{compare[0]:%Y-%m-%d} to {compare[1]:%Y-%m-%d}"
    return Report(
        "Statement of cash flows",
        f"{period}, compared with {compared}",
        [Column(AMOUNT, period), Column(COMPARE, compared)],
        rows,
        totals,
    )
