"""Year-end close: revenue and expenses into net assets, the year's periods closed."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import (
    FiscalYear,
    JournalEntry,
    JournalLine,
    NetAssetClass,
    Period,
    PeriodStatus,
    SourceType,
)
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

ZERO = Decimal("0")


@org_service("ledger.close_periods")
def fiscal_year_close(
    *, organization: Organization, actor: User, access: Access | None, fiscal_year: FiscalYear
) -> JournalEntry | None:
    """Close a year: move revenue and expense balances into net assets by class, close its periods.

    Each fund's revenue and expenses go to the net-asset account of their account's class:
    "with donor restrictions" for revenue accounts marked so (restricted contributions, the
    "with" side of releases), "without" for the rest, expenses included, whatever the fund.
    That is how the fund balances and the statements split net assets (an expense of a
    restricted fund is in "without", its release moves the money across), so a close changes
    neither class, nor what a fund still holds with restrictions.

    A year closes only after its last day (in the organization's time zone) and after every
    earlier year: nothing can be posted into or before a closed year, so an open year before
    it would be frozen without having been closed.
    """
    fiscal_year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if fiscal_year.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"{fiscal_year.name} is already closed.")
    today = organization_today(organization)
    if today <= fiscal_year.end_date:
        raise ServiceError(
            f"{fiscal_year.name} ends on {fiscal_year.end_date}: a fiscal year can be "
            f"closed only after its end, from {fiscal_year.end_date + timedelta(days=1)}."
        )
    earlier = FiscalYear.objects.filter(
        start_date__lt=fiscal_year.start_date, status=PeriodStatus.OPEN
    ).first()
    if earlier is not None:
        raise ServiceError(f"{earlier.name} is still open: close the earlier fiscal years first.")

    sums = (
        JournalLine.objects.filter(
            date__gte=fiscal_year.start_date,
            date__lte=fiscal_year.end_date,
            account__type__in=["revenue", "expense"],
        )
        .values("account_id", "account__type", "account__net_asset_class", "fund_id")
        .annotate(net=Sum(F("debit") - F("credit")))
        .order_by("fund_id", "account_id")
    )
    without = account_by_role("net_assets_without")
    with_ = account_by_role("net_assets_with")
    lines: list[LineInput] = []
    to_net_assets: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for row in sums:
        # SQLite sums decimals as floats: back to cents before they become lines.
        net = Decimal(row["net"] or ZERO).quantize(Decimal("0.01"))
        if net == 0:
            continue
        # Zero the account: credit what was a debit balance, debit what was a credit balance.
        lines.append(
            LineInput(
                account=row["account_id"],
                fund=row["fund_id"],
                debit=-net if net < 0 else ZERO,
                credit=net if net > 0 else ZERO,
            )
        )
        restricted = (
            row["account__type"] == "revenue"
            and row["account__net_asset_class"] == NetAssetClass.WITH
        )
        target = with_ if restricted else without
        to_net_assets[(target.pk, row["fund_id"])] += net
    for (account_id, fund_id), net in sorted(to_net_assets.items()):
        if net != 0:
            lines.append(
                LineInput(
                    account=account_id,
                    fund=fund_id,
                    debit=net if net > 0 else ZERO,
                    credit=-net if net < 0 else ZERO,
                )
            )
    entry = None
    if lines:
        # The closing entry is dated on the last day, so that period must still be open.
        entry = post_entry(
            organization=organization,
            actor=actor,
            date=fiscal_year.end_date,
            lines=lines,
            memo=f"Year-end close {fiscal_year.name}",
            source_type=SourceType.CLOSING,
            source_id=fiscal_year.pk,
        )
    now = timezone.now()
    Period.objects.filter(fiscal_year=fiscal_year).update(
        status=PeriodStatus.CLOSED, closed_at=now, closed_by=actor
    )
    fiscal_year.status = PeriodStatus.CLOSED
    fiscal_year.closing_entry = entry
    fiscal_year.save(update_fields=["status", "closing_entry"])
    audit_record(
        action="fiscal_year.close", actor=actor, organization=organization, obj=fiscal_year
    )
    return entry
