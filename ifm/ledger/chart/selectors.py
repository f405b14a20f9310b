"""Reads of the chart of accounts, funds and programs."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from ifm.core.errors import ServiceError
from ifm.ledger.models import (
    Account,
    Fund,
    JournalLine,
    Program,
)


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


def account_has_postings(account: Account) -> bool:
    return JournalLine.objects.filter(account_id=account.pk).exists()
