"""Reads of the chart of accounts, funds and programs."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from ifm.core.errors import ServiceError
from ifm.ledger.models import Account, AccountType, Fund, JournalLine, Program
from ifm.tenancy.models import Organization


def account_by_role(role: str) -> Account:
    account = Account.objects.filter(role=role).first()
    if account is None:
        raise ServiceError(
            f"The chart of accounts has no account marked '{role}': set one up first."
        )
    return account


def general_fund() -> Fund:
    return Fund.objects.get(is_general=True)


def active_funds() -> QuerySet[Fund]:
    return Fund.objects.filter(is_active=True).order_by("code")


def active_programs() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).order_by("code")


def accounts_with_headers(qs: QuerySet[Account] | None = None) -> QuerySet[Account]:
    """Accounts annotated with `is_header`: it has sub-accounts, so it takes no postings."""
    qs = Account.objects.all() if qs is None else qs
    return qs.annotate(is_header=Exists(Account.objects.filter(parent=OuterRef("pk"))))


def postable_accounts(*, type: str) -> QuerySet[Account]:
    """Active accounts of a type that take postings: no headers, no interfund accounts."""
    return (
        Account.objects.filter(type=type, is_active=True)
        .exclude(Exists(Account.objects.filter(parent=OuterRef("pk"))))
        .exclude(role__in=["interfund_receivable", "interfund_payable"])
        .order_by("number")
    )


def cash_accounts(organization: Organization | None = None) -> QuerySet[Account]:
    """The cash and bank accounts that take postings (Account.is_cash): the only accounts
    offered, and accepted, where money is deposited or paid from. Scoped to the organization
    in context, like every tenant query (and to `organization` when one is given)."""
    accounts = postable_accounts(type=AccountType.ASSET).filter(is_cash=True)
    if organization is not None:
        accounts = accounts.filter(organization=organization)
    return accounts


def account_has_postings(account: Account) -> bool:
    return JournalLine.objects.filter(account_id=account.pk).exists()


def chart_rows(filters: dict[str, str]) -> list[dict[str, Any]]:
    """Accounts in tree order (each after its parent), with their depth; filtered rows keep
    their ancestors so the tree still reads."""
    accounts = list(Account.objects.order_by("number"))
    children: dict[int | None, list[Account]] = {}
    for account in accounts:
        children.setdefault(account.parent_id, []).append(account)
    ids = {a.pk for a in accounts}
    ordered: list[tuple[Account, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in children.get(parent, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    for orphan in [a for a in accounts if a.parent_id is not None and a.parent_id not in ids]:
        ordered.append((orphan, 0))  # defensive: a parent outside the scope
    query = filters.get("q", "").lower()

    def matches(a: Account) -> bool:
        if query and query not in f"{a.number} {a.name}".lower():
            return False
        if filters.get("type") and a.type != filters["type"]:
            return False
        status = filters.get("status")
        return not (status == "active" and not a.is_active) and not (
            status == "inactive" and a.is_active
        )

    by_id = {a.pk: a for a in accounts}
    keep: set[int] = set()
    for account in accounts:
        if matches(account):
            node: Account | None = account
            while node is not None and node.pk not in keep:
                keep.add(node.pk)
                node = by_id.get(node.parent_id) if node.parent_id else None
    has_children = {a.parent_id for a in accounts if a.parent_id}
    return [
        {
            "account": a,
            "depth": depth,
            "indent": min(depth, 6),
            "is_header": a.pk in has_children,
            "match": bool(filters) and matches(a),
        }
        for a, depth in ordered
        if a.pk in keep
    ]


def accounts_set_up_by_people() -> QuerySet[Account]:
    """Accounts a person added, changed or imported (the template's have no `updated_by`):
    the organization has made the chart its own."""
    return Account.objects.filter(updated_by__isnull=False)
