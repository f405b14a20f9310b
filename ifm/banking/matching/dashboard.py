"""The finance section's tile of banking (registered in BankingConfig.ready(), see
ifm/orgs/dashboard.py): unmatched bank lines, per account in the detail, linking to the
matching page of the account with the most."""

from __future__ import annotations

from collections.abc import Iterator

from ifm.banking.matching.selectors import unmatched_by_account
from ifm.orgs.dashboard import DashboardContext, Tile

SHOWN_ACCOUNTS = 3


def finance_tiles(ctx: DashboardContext) -> Iterator[Tile]:
    accounts = unmatched_by_account()
    if not accounts:
        return
    total = sum(count for _account, count in accounts)
    busiest = accounts[0][0]
    with_lines = [(account, count) for account, count in accounts if count]
    detail = " · ".join(
        f"{account.name} {count:,}" for account, count in with_lines[:SHOWN_ACCOUNTS]
    )
    if len(with_lines) > SHOWN_ACCOUNTS:
        detail += f" · {len(with_lines) - SHOWN_ACCOUNTS} more"
    yield Tile(
        key="banking.unmatched",
        title="Unmatched bank lines",
        value=total,
        detail=detail or "Every bank line is matched",
        attention=total > 0,
        url=ctx.url("banking:matching", bank_account_id=busiest.pk),
    )
