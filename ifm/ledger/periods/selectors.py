"""Reads of periods."""

from __future__ import annotations

from datetime import date

from ifm.ledger.models import Period


def period_for(on: date) -> Period | None:
    return Period.objects.filter(start_date__lte=on, end_date__gte=on).first()
