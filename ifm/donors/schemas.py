"""API schema pieces the donor areas share: money amounts and short text."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated

from ninja import Field

from ifm.core.api_types import PositiveMoney
from ifm.donors.models import DonationStatus, Method

# A gift's amount: above zero, at most two decimals (the schema says what the service checks).
Amount = PositiveMoney
Short = Annotated[str, Field(max_length=200)]

# Query filters of the donation lists: the stored values, as enums so the schema lists them.
DonationStatusIn = Enum(  # type: ignore[misc]
    "DonationStatusIn", {s.upper(): s for s in DonationStatus.values}, type=str
)
MethodIn = Enum("MethodIn", {m.upper(): m for m in Method.values}, type=str)  # type: ignore[misc]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
