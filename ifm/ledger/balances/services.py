"""Releasing donor-restricted money: a reclassification within the restricted fund."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.balances.selectors import restricted_balance
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.posting import LineInput, entry_amount, post_entry
from ifm.ledger.models import Fund, JournalEntry, Restriction, SourceType
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


@transaction.atomic
def restriction_release(
    *,
    organization: Organization,
    actor: User,
    fund: Fund,
    amount: Decimal,
    date: date,
    memo: str = "",
    source_type: str = SourceType.RELEASE,
    source_id: str | int = "",
) -> JournalEntry:
    """Reclassify restricted net assets as spent for their purpose (within the restricted fund)."""
    with org_context(organization):
        amount = entry_amount(amount, "amount")
        if amount <= 0:
            raise ServiceError("The amount to release must be above zero.", field="amount")
        if fund.restriction == Restriction.NONE:
            raise ServiceError(f"{fund} has no donor restriction to release.", field="fund")
        return post_entry(
            organization=organization,
            actor=actor,
            date=date,
            memo=memo or f"Release from restriction: {fund.name}",
            source_type=source_type,
            source_id=source_id,
            lines=[
                LineInput(account=account_by_role("release_with"), fund=fund, debit=amount),
                LineInput(account=account_by_role("release_without"), fund=fund, credit=amount),
            ],
        )


@org_service("ledger.post")
def fund_release(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    fund: Fund,
    amount: Decimal,
    date: date,
    memo: str = "",
) -> JournalEntry:
    """Finance or an admin releases restricted money that was spent for its purpose (or whose
    time restriction has passed): at most what the fund still holds with donor restrictions."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    amount = entry_amount(amount, "amount")
    still = restricted_balance(fund_id=fund.pk, as_of=date)
    if fund.restriction != Restriction.NONE and amount > still:
        raise ServiceError(
            f"{fund} holds {still} with donor restrictions on {date}: release at most that much.",
            field="amount",
        )
    return restriction_release(
        organization=organization, actor=actor, fund=fund, amount=amount, date=date, memo=memo
    )
