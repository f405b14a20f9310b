"""Automatic release from purpose restriction: the rule `post_entry` applies to every entry.

A purpose restriction is met when a qualifying expense is incurred, so an entry that charges an
expense to a purpose-restricted fund also releases that much from "with donor restrictions" to
"without donor restrictions" in the same fund (a debit to the `release_with` account and a
credit to the `release_without` one), inside the same entry and so the same transaction. The
rule lives in posting because every door that records an expense (an approved expense, a bank
line, a manual journal entry, an API call) posts through `post_entry`; a reversal mirrors every
line, so reversing the expense's entry reverses its release too.

Per fund of the entry:

* the expense is what its expense lines net to (debits less credits); a refund (a net credit)
  releases nothing;
* what the entry itself brings in without donor restrictions for that fund (an in-kind gift
  that debits an expense and credits unrestricted in-kind revenue) pays for the expense first,
  so it releases nothing that other donors restricted;
* the release never exceeds what the fund holds with donor restrictions on the entry's date
  and every later date (`restricted_headroom`), plus what the entry itself adds to that class;
* an entry that already moves money on a release account of that fund records its own release,
  and gets none added.

Time restrictions are released by `time_restriction_release_due` (ledger/balances/services.py)
on the fund's `restricted_until` date; perpetual restrictions are never released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ifm.ledger.journal.selectors import restricted_headroom
from ifm.ledger.models import AccountType, Fund, NetAssetClass, Restriction, SourceType

ZERO = Decimal("0.00")
RELEASE_ROLES = frozenset({"release_with", "release_without"})
RELEASE_MEMO = "Released from restriction: spent for its purpose"

# Entries that get no automatic release: a reversal mirrors the release of the entry it
# reverses, a year-end close and opening balances only move balances, and a release is one.
NO_AUTOMATIC_RELEASE = frozenset(
    {SourceType.REVERSAL, SourceType.CLOSING, SourceType.OPENING, SourceType.RELEASE}
)


@dataclass(frozen=True)
class Leg:
    """What the rule needs to know of one line of an entry."""

    fund_id: int
    restriction: str
    account_type: str
    net_class: str
    role: str
    net: Decimal  # debit less credit


@dataclass
class _Fund:
    expense: Decimal = ZERO
    own_without: Decimal = ZERO
    own_with: Decimal = ZERO
    has_release: bool = False


def purpose_releases(legs: Sequence[Leg], *, on: date) -> dict[int, Decimal]:
    """The amount to release per purpose-restricted fund for an entry with these lines dated
    `on` (see the module's docstring). Locks the funds it releases from, so two expenses posted
    at once cannot both release the same restricted money."""
    funds: dict[int, _Fund] = defaultdict(_Fund)
    for leg in legs:
        if leg.restriction != Restriction.PURPOSE:
            continue
        fund = funds[leg.fund_id]
        if leg.role in RELEASE_ROLES:
            fund.has_release = True
        elif leg.account_type == AccountType.EXPENSE:
            fund.expense += leg.net
        elif leg.account_type in (AccountType.REVENUE, AccountType.NET_ASSETS):
            if leg.net_class == NetAssetClass.WITH:
                fund.own_with -= leg.net
            else:
                fund.own_without -= leg.net
    due = {
        fund_id: fund.expense - max(fund.own_without, ZERO)
        for fund_id, fund in funds.items()
        if not fund.has_release and fund.expense - max(fund.own_without, ZERO) > 0
    }
    if not due:
        return {}
    list(Fund.objects.select_for_update().filter(pk__in=sorted(due)).order_by("pk").values("pk"))
    releases = {}
    for fund_id, expense in sorted(due.items()):
        held = restricted_headroom(fund_id=fund_id, on=on) + funds[fund_id].own_with
        amount = min(expense, held)
        if amount > 0:
            releases[fund_id] = amount
    return releases
