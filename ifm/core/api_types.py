"""Field types the /api/v1 schemas share: money, dates, ids and record versions.

Each is a pydantic annotated type whose constraints do the validation of the request and
are what the OpenAPI document says, so the published schema and the real check are the
same code. Where JSON Schema cannot say a rule (a date's range), the type also carries a
`pattern` that says the same thing and a description in words.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from ifm.core.lookups import MAX_ID
from ifm.core.models import MAX_VERSION

# --- Record versions -----------------------------------------------------------------------------

# The version column is a 32-bit integer and a save writes version + 1: the highest version a
# client can send is one below the column's limit (MAX_VERSION). Above is a 422 from the schema.
Version = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_VERSION,
        description="The version you read; a stale one is a 409.",
    ),
]

# --- Ids -----------------------------------------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# --- Dates ---------------------------------------------------------------------------------------

# The earliest date anything takes (the ledger computes fiscal years from dates); the rule and its
# wording come from the one date, so they cannot disagree.
EARLIEST_DATE = date(1901, 1, 1)
LATEST_DATE = date(2199, 12, 31)
EARLIEST_RULE = f"after {EARLIEST_DATE.year - 1}"
DATE_RANGE_MESSAGE = f"The date must be {EARLIEST_RULE} and before {LATEST_DATE.year + 1}."


def _in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_range", DATE_RANGE_MESSAGE)
    return value


# The same range as a pattern, for JSON Schema, which has no bounds for a `format: date`.
DATE_PATTERN = r"^(190[1-9]|19[1-9][0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: Any) -> Any:
    """Only YYYY-MM-DD text (or a date, from Python): pydantic alone would read 0 or "86400"
    as seconds since 1970, and "2024-01-01T00:00:00" as a date, none of which the schema allows.
    """
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        return value
    raise ValueError("Give the date as YYYY-MM-DD.")


# For query parameters and other dates: Annotated[date | None, DateText, Query(...)].
DateText = BeforeValidator(_date_text)

ApiDate = Annotated[
    date,
    DateText,
    AfterValidator(_in_range),
    Field(
        json_schema_extra={"pattern": DATE_PATTERN},
        description=f"A date (YYYY-MM-DD) from {EARLIEST_DATE} to {LATEST_DATE}.",
    ),
]

# --- Money ---------------------------------------------------------------------------------------

MAX_MONEY = Decimal("999999999999.99")
# Plain decimal strings, no sign, no exponent, no leading zeros, at most two decimals, at most
# twelve digits before the point (so at most MAX_MONEY).
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
POSITIVE_MONEY_PATTERN = r"^([1-9][0-9]{0,11}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?))$"
ZERO_MONEY_PATTERN = r"^0(\.0{1,2})?$"

Money = Annotated[
    str,
    Field(
        pattern=MONEY_PATTERN,
        max_length=15,
        description=(
            'A decimal string from "0" to "999999999999.99", at most two decimals, '
            'such as "1250.00".'
        ),
        examples=["1250.00"],
    ),
]
PositiveMoney = Annotated[
    str,
    Field(
        pattern=POSITIVE_MONEY_PATTERN,
        max_length=15,
        description=(
            'A decimal string above zero, at most "999999999999.99" with at most two '
            'decimals, such as "125.50".'
        ),
        examples=["125.50"],
    ),
]

__all__ = [
    "DATE_PATTERN",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_MONEY",
    "MAX_VERSION",
    "MONEY_PATTERN",
    "POSITIVE_MONEY_PATTERN",
    "ZERO_MONEY_PATTERN",
    "ApiDate",
    "DateText",
    "Id",
    "Money",
    "PositiveMoney",
    "Version",
]
