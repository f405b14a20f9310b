"""How a gift posts to the ledger: one rule for the donation form, the API and the import.

* cash, check, card, bank transfer, online: debit undeposited funds (or the deposit account
  given), credit contributions of the fund's net-asset class (`contributions_without` for an
  unrestricted fund, `contributions_with` otherwise). The whole amount is credited, including
  the part that bought goods or services (the receipt states the deductible part).
* in-kind and stock: debit the in-kind expense (or the asset account given as the deposit
  account), credit in-kind contributions.

Every line carries the memo "Gift from <donor>"; the entry's memo names the gift's reference.
"""

from __future__ import annotations

from decimal import Decimal

from ifm.donors.models import NON_CASH_METHODS
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.models import Account, Fund, Restriction

LINE_MEMO_LIMIT = 200
ENTRY_MEMO_LIMIT = 500


class RoleAccounts:
    """The organization's accounts by role, each looked up once (an import posts thousands of
    gifts with the same five accounts). A role nobody needs is never looked up, so an
    organization without in-kind accounts still records cash gifts."""

    def __init__(self) -> None:
        self._found: dict[str, Account] = {}

    def __getitem__(self, role: str) -> Account:
        if role not in self._found:
            self._found[role] = account_by_role(role)
        return self._found[role]


def gift_lines(
    *,
    amount: Decimal,
    fund: Fund,
    method: str,
    donor_name: str,
    deposit_account: Account | None = None,
    accounts: RoleAccounts | None = None,
) -> list[LineInput]:
    """The two journal lines of one gift."""
    accounts = accounts or RoleAccounts()
    if method in NON_CASH_METHODS:
        debit = deposit_account or accounts["in_kind_expense"]
        credit = accounts["in_kind_contributions"]
    else:
        debit = deposit_account or accounts["undeposited_funds"]
        unrestricted = fund.restriction == Restriction.NONE
        credit = accounts["contributions_without" if unrestricted else "contributions_with"]
    memo = f"Gift from {donor_name}"[:LINE_MEMO_LIMIT]
    return [
        LineInput(account=debit, fund=fund, debit=amount, memo=memo),
        LineInput(account=credit, fund=fund, credit=amount, memo=memo),
    ]


def gift_entry_memo(reference: str, donor_name: str, *, note: str = "") -> str:
    """The journal entry's memo: the gift's reference and donor, and where it came from."""
    memo = f"Donation {reference} from {donor_name}"
    return (f"{memo} ({note})" if note else memo)[:ENTRY_MEMO_LIMIT]
