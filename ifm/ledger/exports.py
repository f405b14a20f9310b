"""The journal as plain-text accounting (hledger or beancount), to check us with another tool."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from ifm.ledger.models import Account, AccountType, JournalLine
from ifm.tenancy.models import Organization

HLEDGER_ROOT = {
    AccountType.ASSET: "assets",
    AccountType.LIABILITY: "liabilities",
    AccountType.NET_ASSETS: "equity",
    AccountType.REVENUE: "revenues",
    AccountType.EXPENSE: "expenses",
}
BEANCOUNT_ROOT = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.NET_ASSETS: "Equity",
    AccountType.REVENUE: "Income",
    AccountType.EXPENSE: "Expenses",
}


def _clean(text: str) -> str:
    return " ".join(text.replace(";", ",").replace('"', "'").split())


def account_name(account: Account | dict[str, str], fmt: str) -> str:
    number = account["number"] if isinstance(account, dict) else account.number
    type_ = account["type"] if isinstance(account, dict) else account.type
    if fmt == "beancount":
        return f"{BEANCOUNT_ROOT[AccountType(type_)]}:A{number}"
    return f"{HLEDGER_ROOT[AccountType(type_)]}:{number}"


def _lines(date_from: date | None, date_to: date | None) -> Iterator[JournalLine]:
    lines = JournalLine.objects.all()
    if date_from:
        lines = lines.filter(date__gte=date_from)
    if date_to:
        lines = lines.filter(date__lte=date_to)
    return (
        lines.select_related("entry", "account", "fund")
        .order_by("date", "entry__number", "id")
        .iterator(chunk_size=5000)
    )


def export_journal(
    organization: Organization, fmt: str, date_from: date | None = None, date_to: date | None = None
) -> Iterable[str]:
    """Yield the file line by line (the current organization must be in context)."""
    currency = organization.currency
    if fmt == "beancount":
        yield f'option "title" "{_clean(organization.name)}"'
        yield f'option "operating_currency" "{currency}"'
        first = date_from or date(1970, 1, 1)
        for account in Account.objects.order_by("number"):
            yield f"{first:%Y-%m-%d} open {account_name(account, fmt)}  ; {_clean(account.name)}"
        yield ""
    else:
        for account in Account.objects.order_by("number"):
            yield f"account {account_name(account, fmt)}  ; {_clean(account.name)}"
        yield ""
    current = None
    for line in _lines(date_from, date_to):
        if line.entry_id != current:
            if current is not None:
                yield ""
            current = line.entry_id
            entry = line.entry
            memo = _clean(entry.memo) or f"JE-{entry.number}"
            source = (
                f"{entry.source_type}:{entry.source_id}" if entry.source_id else entry.source_type
            )
            if fmt == "beancount":
                yield f'{entry.date:%Y-%m-%d} * "JE-{entry.number}" "{memo}"'
                yield f'  source: "{source}"'
            else:
                yield f"{entry.date:%Y-%m-%d} * JE-{entry.number} | {memo}  ; source:{source}"
        amount = line.debit - line.credit
        name = account_name(line.account, fmt)
        if fmt == "beancount":
            yield f"  {name}  {amount:.2f} {currency}"
            yield f'    fund: "{line.fund.code}"'
        else:
            yield f"    {name}  {amount:.2f} {currency}  ; fund:{line.fund.code}"
    yield ""
