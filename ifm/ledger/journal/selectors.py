"""Reads of the journal."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ifm.ledger.models import JournalEntry, JournalLine


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
