"""Reads of the journal."""

from __future__ import annotations

from django.db.models import QuerySet

from ifm.ledger.models import (
    JournalEntry,
)


def entries_for_source(*, source_type: str, source_id: str | int) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(source_type=source_type, source_id=str(source_id)).order_by(
        "number"
    )
