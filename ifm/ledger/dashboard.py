"""The ledger's tiles of the finance section (registered in LedgerConfig.ready(), see
ifm/orgs/dashboard.py): cash on hand, net assets held with donor restrictions, and the periods
that ended but are still open."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.ledger.balances.selectors import group_balances
from ifm.ledger.periods.selectors import period_list
from ifm.orgs.dashboard import DashboardContext, Tile


def finance_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    as_of = ctx.today.isoformat()
    balances = group_balances(groups=["cash", "restricted"], as_of=ctx.today)
    yield Tile(
        key="ledger.cash",
        title="Cash and bank",
        value=balances["cash"],
        is_money=True,
        detail=f"Balance on {ctx.today:%b} {ctx.today.day}",
        url=ctx.url("ledger:ledger_trial_balance", {"as_of": as_of, "accounts": "cash"}),
    )
    yield Tile(
        key="ledger.restricted",
        title="Restricted net assets",
        value=balances["restricted"],
        is_money=True,
        detail="Held with donor restrictions",
        url=ctx.url("ledger:ledger_trial_balance", {"as_of": as_of, "accounts": "restricted"}),
    )
    to_close = period_list(status="to_close", today=ctx.today).count()
    yield Tile(
        key="ledger.periods_to_close",
        title="Periods to close",
        value=to_close,
        detail="Ended, still open",
        attention=to_close > 0,
        url=ctx.url("ledger:ledger_periods", {"status": "to_close"}),
    )
