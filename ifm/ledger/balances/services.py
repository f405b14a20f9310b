"""Releasing donor-restricted money: a reclassification within the restricted fund.

Three ways: by hand (`fund_release`, the page beside each restricted fund); automatically when
an expense is posted to a purpose-restricted fund (journal/releases.py, inside `post_entry`);
and when a time restriction ends (`time_restriction_release_due`, run daily by a job)."""

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
from ifm.ledger.journal.selectors import restricted_headroom
from ifm.ledger.models import Fund, JournalEntry, Restriction, SourceType
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


@transaction.atomic
def restriction_release(
    *,
    organization: Organization,
    actor: User | None,
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


def _release_time_on(
    organization: Organization, fund: Fund, on: date, fallback: date
) -> JournalEntry | None:
    """Release what the fund holds with restrictions on `on`, dated `on`, or `fallback` (today)
    when `on` falls in a closed period. Nothing when nothing is held."""
    for when in dict.fromkeys((on, fallback)):
        amount = restricted_headroom(fund_id=fund.pk, on=when)
        if amount <= 0:
            return None
        try:
            with transaction.atomic():
                return restriction_release(
                    organization=organization,
                    actor=None,
                    fund=fund,
                    amount=amount,
                    date=when,
                    memo=f"Time restriction ended {fund.restricted_until}: {fund.name}",
                    source_id=f"time:{fund.pk}",
                )
        except ServiceError as error:
            if when == fallback or not any(e.get("field") == "date" for e in error.errors):
                raise
    return None


@transaction.atomic
def time_restriction_release_due(
    *, organization: Organization, today: date | None = None
) -> list[JournalEntry]:
    """Release every time-restricted fund whose `restricted_until` date has come: what it held
    with donor restrictions on that date, dated that date, and anything given to it since,
    dated today. Idempotent: a fund already released holds nothing more to release, so running
    it twice (or every day) posts nothing new."""
    with org_context(organization):
        today = today or organization_today(organization)
        due = Fund.objects.select_for_update().filter(
            restriction=Restriction.TIME, restricted_until__lte=today
        )
        entries = []
        for fund in due.order_by("pk"):
            for on in dict.fromkeys((fund.restricted_until or today, today)):
                entry = _release_time_on(organization, fund, on, today)
                if entry is not None:
                    entries.append(entry)
        return entries
