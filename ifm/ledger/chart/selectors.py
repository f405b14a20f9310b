"""Reads of the chart of accounts, funds and programs."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ifm.core.errors import ServiceError
from ifm.ledger.models import Account, Fund, JournalLine, Program


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


def cash_accounts() -> QuerySet[Account]:
    """The cash and bank accounts: the operating bank account (role ``default_bank``) and the
    accounts filed beside it under the same header ("1000 Cash": bank, payroll, petty cash,
    undeposited funds, savings). A chart that files the bank account alone gives it alone."""
    beside_bank = Q(parent__isnull=False, parent__children__role="default_bank")
    return (
        Account.objects.filter(type="asset")
        .filter(beside_bank | Q(role="default_bank"))
        .distinct()
        .order_by("number")
    )


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
