"""Field checks the donor, gift and pledge services share: each cleans one value or raises a
ServiceError naming the field, and Checker collects every field's error before raising."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date as date_type
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.money import clean_money
from ifm.ledger.periods.fiscal_years import EARLIEST_DATE, EARLIEST_RULE

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount with at most two decimals (the rules are ifm.core.money's)."""
    return clean_money(value, field, allow_zero=allow_zero)


def clean_date(value: Any, field: str) -> date_type:
    if not isinstance(value, date_type):
        raise ServiceError("Give a date as YYYY-MM-DD.", field=field)
    today = timezone.localdate()
    if value < EARLIEST_DATE or value > today + timedelta(days=366):
        raise ServiceError(
            f"The date must be {EARLIEST_RULE} and at most a year ahead.", field=field
        )
    return value


def clean_text(value: Any, field: str, limit: int) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def clean_long_text(value: Any, field: str, limit: int) -> str:
    text = str(value if value is not None else "").strip()
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field)
    return text


def clean_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("Give true or false.", field=field)
    return value


class Checker:
    """Runs field checks and collects every error, each naming its field."""

    def __init__(self, values: dict[str, Any]):
        self.values = values
        self.cleaned: dict[str, Any] = {}
        self.errors: list[dict[str, str]] = []

    def check(self, field: str, fn: Any, *, error_field: str | None = None) -> None:
        if field not in self.values:
            return
        try:
            self.cleaned[field] = fn(self.values[field])
        except ServiceError as exc:
            self.errors.extend(
                exc.errors or [{"field": error_field or field, "message": exc.message}]
            )

    def add(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ServiceError(
                "; ".join(f"{e['field']}: {e['message']}" for e in self.errors),
                errors=self.errors,
            )


def reject_unknown(values: dict[str, Any], allowed: Iterable[str]) -> None:
    extra = sorted(set(values) - set(allowed))
    if extra:
        raise ServiceError(f"Unknown field {extra[0]!r}.", field=extra[0])
