"""Finding a row a caller named by object or id: "missing" and "not yours" look the same."""

from __future__ import annotations

from typing import Any

from django.db import models

from ifm.core.errors import ServiceError

MAX_ID = 2**63 - 1  # the largest primary key: bigger ids are a 422, not a database error


def as_id(value: Any) -> int | None:
    """An id from an object or an int; None when it cannot be an id."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        value = value.pk
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return value


def resolve(qs: Any, value: Any, field: str, message: str) -> Any:
    """The row of `qs` (already scoped) that `value` names, or a ServiceError on `field`."""
    pk = as_id(value)
    row = qs.filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise ServiceError(message, field=field)
    return row
