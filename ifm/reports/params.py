"""The query parameters every report's API reads the same way: a period as `from` and `to`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.utils import timezone
from ninja import Query

from ifm.accounts.http import OrgRequest
from ifm.core.api import ApiError
from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE, DateText
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds

OptionalDate = Annotated[date | None, DateText]


def date_param(alias: str, description: str) -> Any:
    return Query(None, alias=alias, ge=EARLIEST_DATE, le=LATEST_DATE, description=description)


# Ninja reads an alias (`from` is a Python keyword) only from the default, not from Annotated.
FROM = date_param("from", "First day (YYYY-MM-DD).")
TO = date_param("to", "Last day (YYYY-MM-DD).")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, errors=[{"field": field, "message": message}])


def period(request: OrgRequest, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period asked for; by default the fiscal year to date."""
    end = date_to or timezone.localdate()
    start = date_from or fiscal_year_bounds(request.org, end)[0]
    if start > end:
        raise invalid("from", "The period must start on or before its last day (`to`).")
    return start, end
