"""Reads of the journal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from ifm.ledger.models import JournalEntry, JournalLine, NetAssetClass

CENT = Decimal("0.01")


def entries_for_source(*, source_type: str, source_id: str | int) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(source_type=source_type, source_id=str(source_id)).order_by(
        "number"
    )


def entries_filtered(filters: dict[str, Any]) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.all()
    if filters.get("date_from"):
        entries = entries.filter(date__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(date__lte=filters["date_to"])
    if filters.get("source_type"):
        entries = entries.filter(source_type=filters["source_type"])
    for name in ("account", "fund"):
        if filters.get(name):
            entries = entries.filter(
                Exists(
                    JournalLine.objects.filter(
                        entry=OuterRef("pk"), **{f"{name}_id": filters[name]}
                    )
                )
            )
    query = (filters.get("q") or "").strip()
    if query:
        match = Q(memo__icontains=query) | Q(reference__icontains=query) | Q(source_id=query)
        number = query.upper().removeprefix("JE-")
        if number.isdigit() and len(number) < 10:
            match |= Q(number=int(number))
        entries = entries.filter(match)
    return entries.order_by("-date", "-number")


def role_line_totals(
    *, roles: Sequence[str], date_from: date, date_to: date
) -> list[dict[str, Any]]:
    """Lines on the accounts of these roles dated in the period, summed per fund and per source
    of their entry (and, for a reversal, the source of the entry it reverses): fund_id,
    fund__code, fund__name, source_type, reverses_source_type, net (credits less debits)."""
    rows = (
        JournalLine.objects.filter(
            account__role__in=list(roles), date__gte=date_from, date__lte=date_to
        )
        .values(
            "fund_id",
            "fund__code",
            "fund__name",
            "entry__source_type",
            "entry__reverses__source_type",
        )
        .annotate(net=Sum(F("credit") - F("debit")))
        .order_by("fund__code", "entry__source_type")
    )
    return [
        {
            "fund_id": row["fund_id"],
            "fund__code": row["fund__code"],
            "fund__name": row["fund__name"],
            "source_type": row["entry__source_type"],
            "reverses_source_type": row["entry__reverses__source_type"] or "",
            "net": Decimal(row["net"] or 0).quantize(CENT),
        }
        for row in rows
    ]


def role_line_entries(
    *,
    roles: Sequence[str],
    date_from: date,
    date_to: date,
    source_types: Sequence[str],
) -> list[dict[str, Any]]:
    """The entries of these sources with lines on the accounts of these roles in the period,
    each with its fund, account and net (credits less debits) there."""
    rows = (
        JournalLine.objects.filter(
            account__role__in=list(roles),
            date__gte=date_from,
            date__lte=date_to,
            entry__source_type__in=list(source_types),
        )
        .values(
            "entry_id",
            "entry__number",
            "entry__memo",
            "entry__source_type",
            "entry__reverses__source_type",
            "date",
            "fund_id",
            "account__number",
            "account__name",
        )
        .annotate(net=Sum(F("credit") - F("debit")))
        .order_by("date", "entry__number")
    )
    return [{**row, "net": Decimal(row["net"] or 0).quantize(CENT)} for row in rows]


def restricted_headroom(*, fund_id: int, on: date) -> Decimal:
    """The most that may be released from the fund on `on` without leaving it holding less than
    nothing with donor restrictions on any later date: its restricted balance on `on` (as
    `balances.selectors.restricted_balance` counts it), lowered by any later day on which that
    balance dips (a release dated after `on`, say)."""
    by_day = (
        JournalLine.objects.filter(fund_id=fund_id, account__net_asset_class=NetAssetClass.WITH)
        .values("date")
        .annotate(net=Sum(F("credit") - F("debit")))
        .order_by("date")
    )
    held = Decimal("0.00")
    lowest: Decimal | None = None
    for row in by_day:
        if lowest is None and row["date"] > on:
            lowest = held  # nothing posted on `on` itself: what was held the day before
        held += Decimal(row["net"] or 0).quantize(CENT)
        if row["date"] >= on:
            lowest = held if lowest is None else min(lowest, held)
    return max(held if lowest is None else lowest, Decimal("0.00"))
