"""The funds, deposit accounts, campaigns and appeals a gift or pledge may name: the choices of
the forms and the checks of the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ifm.donors.models import Appeal, Campaign
from ifm.ledger.chart import selectors as ledger_selectors

active_funds = ledger_selectors.active_funds


def deposit_accounts() -> QuerySet[Any]:
    """The cash and bank accounts that take postings: where money received is deposited."""
    return ledger_selectors.cash_accounts()


def asset_accounts() -> QuerySet[Any]:
    """Active asset accounts that take postings: where an in-kind or stock gift may be booked."""
    return ledger_selectors.postable_accounts(type="asset")


def active_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_active=True)


def active_appeals() -> QuerySet[Appeal]:
    return Appeal.objects.filter(is_active=True)
