"""What the ledger areas' API functions and schemas share: dates, paths, lookups, money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404
from ninja import Path, Query

from ifm.core.api import MAX_ID, ApiError
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE, ApiDate, DateText

# Dates the ledger accepts: fiscal years are computed from them, so keep them to sane years.
EARLIEST = EARLIEST_DATE
LATEST = LATEST_DATE
LedgerDate = ApiDate

IdPath = Path(..., ge=1, le=MAX_ID)
QueryDate = Annotated[date | None, Query(ge=EARLIEST, le=LATEST), DateText]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Search = Annotated[str, Query(max_length=200, description="Search in number/code and name.")]


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')):.2f}"


def get_or_404(model: Any, pk: int, **extra: Any) -> Any:
    obj = model.objects.filter(pk=pk, **extra).first()
    if obj is None:
        raise Http404
    return obj


def optional_fk(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ApiError(
            422,
            f"No such {model._meta.verbose_name}.",
            errors=[{"field": field, "message": f"No such {model._meta.verbose_name}."}],
        )
    return obj
