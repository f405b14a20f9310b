"""API schema pieces the donor areas share: money amounts and short text."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Field

from ifm.core.api_types import PositiveMoney

# A gift's amount: above zero, at most two decimals (the schema says what the service checks).
Amount = PositiveMoney
Short = Annotated[str, Field(max_length=200)]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
