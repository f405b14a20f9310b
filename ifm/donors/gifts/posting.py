"""How a gift posts to the ledger: one rule for the donation form, the API and the import.

* cash, check, card, bank transfer, online: debit undeposited funds (or the deposit account
  given), credit contributions of the fund's net-asset class (`contributions_without` for an
  unrestricted fund, `contributions_with` otherwise). The whole amount is credited, including
  the part that bought goods or services (the receipt states the deductible part).
* in-kind and stock: debit the in-kind expense (or the asset account given as the deposit
  account), credit in-kind contributions.

Every line carries the memo "Gift from <donor>"; the entry's memo names the gift's reference.

A gift batch posts as one deposit entry (`deposit_lines`), so the bank's single deposit line
matches one ledger line: one debit to the batch's deposit account (undeposited funds when it
names none) for the batch total, and one credit per fund and revenue account. The debit sits in
the gifts' fund when they share one, else in the batch's default fund, else the general fund;
the ledger's fund balancing adds the due-to / due-from lines that keep every fund balanced
(pooled cash). Every gift of the batch points at that entry.

A gift's share of a deposit is taken out by its own entry (`deposit_share_reversal`, source
"donation" and the gift's id), never by reversing the deposit: a debit to the revenue account
the deposit credited for the gift's fund and a credit to the deposit's debit account in the
deposit's debit fund, so the fund balancing mirrors the deposit's interfund lines exactly. A
voided gift's share is reversed so; an edited one's share is reversed and the gift then posts on
its own (its own entry, as a gift outside a batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ifm.donors.models import NON_CASH_METHODS, Donation
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.models import Account, Fund, JournalEntry, Restriction

LINE_MEMO_LIMIT = 200
ZERO = Decimal("0.00")
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


def deposit_lines(
    *,
    gifts: Sequence[Donation],
    deposit_account: Account | None,
    fund: Fund,
    memo: str,
    accounts: RoleAccounts | None = None,
) -> list[LineInput]:
    """The lines of a batch's deposit entry: one debit of the total to the deposit account (in
    `fund`), one credit per fund and revenue account, in the order of the funds' codes."""
    accounts = accounts or RoleAccounts()
    debit_account = deposit_account or accounts["undeposited_funds"]
    groups: dict[tuple[int, int], tuple[Fund, Account]] = {}
    amounts: dict[tuple[int, int], Decimal] = {}
    counts: dict[tuple[int, int], int] = {}
    for gift in gifts:
        credit = gift_lines(
            amount=gift.amount,
            fund=gift.fund,
            method=gift.method,
            donor_name="",
            deposit_account=debit_account,
            accounts=accounts,
        )[1].account
        assert isinstance(credit, Account)
        key = (gift.fund.pk, credit.pk)
        groups[key] = (gift.fund, credit)
        amounts[key] = amounts.get(key, ZERO) + gift.amount
        counts[key] = counts.get(key, 0) + 1
    total = sum(amounts.values(), ZERO)
    lines = [LineInput(account=debit_account, fund=fund, debit=total, memo=memo[:LINE_MEMO_LIMIT])]
    for key in sorted(groups, key=lambda k: (groups[k][0].code, groups[k][1].number)):
        group_fund, account = groups[key]
        label = f"{counts[key]} gift{'s' if counts[key] != 1 else ''} to {group_fund.code}"
        lines.append(LineInput(account=account, fund=group_fund, credit=amounts[key], memo=label))
    return lines


def deposit_fund(gifts: Sequence[Donation], *, default: Fund | None, general: Fund) -> Fund:
    """The fund of the deposit's debit: the gifts' one fund, else the batch's, else general."""
    funds = {gift.fund_id: gift.fund for gift in gifts}
    if len(funds) == 1:
        return next(iter(funds.values()))
    return default or general


def deposit_share_reversal(
    *, gift: Donation, entry: JournalEntry, accounts: RoleAccounts | None = None
) -> list[LineInput]:
    """The lines that take one gift's share out of the deposit `entry` (as it was posted: its
    amount, fund and method before any change)."""
    accounts = accounts or RoleAccounts()
    debit_account = gift.deposit_account or accounts["undeposited_funds"]
    debit = entry.lines.filter(account_id=debit_account.pk, debit__gt=0).first()
    credit = (
        entry.lines.filter(fund_id=gift.fund_id, credit__gt=0)
        .exclude(account__role="interfund_payable")
        .first()
    )
    if debit is None or credit is None:  # the entry is not this gift's deposit: by the rule
        lines = gift_lines(
            amount=gift.amount,
            fund=gift.fund,
            method=gift.method,
            donor_name=gift.donor.name,
            deposit_account=debit_account,
            accounts=accounts,
        )
        return [
            LineInput(
                account=ln.account, fund=ln.fund, debit=ln.credit, credit=ln.debit, memo=ln.memo
            )
            for ln in lines
        ]
    memo = f"Gift from {gift.donor.name}"[:LINE_MEMO_LIMIT]
    return [
        LineInput(account=credit.account_id, fund=gift.fund_id, debit=gift.amount, memo=memo),
        LineInput(account=debit.account_id, fund=debit.fund_id, credit=gift.amount, memo=memo),
    ]
