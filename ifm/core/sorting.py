"""Sortable list columns: the `sort` parameter of a list page, mapped to ``order_by`` through a
whitelist, and what its column headers need (the link that sorts by them, ``aria-sort``).

A list declares its columns once::

    DONOR_SORTS = SortOptions(
        {"name": ("last_name", "first_name"), "last_gift": ("giving_summary__last_gift_date",)},
        descending_first={"last_gift"},
    )

and its view (and its export, so the file comes in the order on screen) applies the request's
choice: ``sorting = DONOR_SORTS.read(request.GET)``, ``qs = sorting.apply(qs)``. ``?sort=name``
sorts ascending, ``?sort=-name`` descending; any other value is ignored and the list keeps its
own order. Empty values sort last either way, and the primary key breaks ties, so pages do not
shuffle rows between them. The template draws a header with ``{% sort_th sorting "name" "Name" %}``
(``{% load listing %}``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OrderBy, QuerySet

SORT_PARAM = "sort"
MAX_SORT_PARAM = 64


def _value(row: Any, path: str) -> Any:
    for part in path.split("."):
        row = row.get(part) if isinstance(row, Mapping) else getattr(row, part, None)
        if row is None:
            return None
    return row.lower() if isinstance(row, str) else row


@dataclass(frozen=True)
class Sorting:
    """The sort a request asked for, among a list's columns (key None: the list's own order)."""

    options: SortOptions
    key: str | None = None
    descending: bool = False

    @property
    def param(self) -> str:
        return f"{'-' if self.descending else ''}{self.key}" if self.key else ""

    def order_by(self) -> list[OrderBy]:
        if self.key is None:
            return []
        fields = [*self.options.columns[self.key], "pk"]
        if self.descending:
            return [F(f).desc(nulls_last=True) for f in fields]
        return [F(f).asc(nulls_last=True) for f in fields]

    def apply(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """`qs` in the asked order, or unchanged when none (or an unknown one) was asked."""
        return qs.order_by(*self.order_by()) if self.key else qs

    def sort_items(self, items: Iterable[Any]) -> list[Any]:
        """A list sorted in Python the same way (for rows a view computes): each field is a
        dotted path through dict keys and attributes ("campaign.name", "total")."""
        rows = list(items)
        if self.key is None:
            return rows
        for name in reversed(self.options.columns[self.key]):
            present = [r for r in rows if _value(r, name) is not None]
            empty = [r for r in rows if _value(r, name) is None]
            present.sort(key=lambda r: _value(r, name), reverse=self.descending)
            rows = present + empty  # empty values last, either way
        return rows

    def state(self, key: str) -> str:
        """The column's aria-sort value: "ascending", "descending" or "" (not sorted by it)."""
        if self.key is None:
            if key != self.options.default:
                return ""
            return "descending" if self.options.default_descending else "ascending"
        if key != self.key:
            return ""
        return "descending" if self.descending else "ascending"

    def next_param(self, key: str) -> str:
        """The `sort` value of the column's link: the other direction when it is the current
        column, else the column's first direction."""
        current = self.state(key)
        if current == "ascending":
            return f"-{key}"
        if current == "descending":
            return key
        return f"-{key}" if key in self.options.descending_first else key


class SortOptions:
    """The sortable columns of one list: key -> the fields it orders by."""

    def __init__(
        self,
        columns: Mapping[str, Sequence[str]],
        *,
        descending_first: Collection[str] = (),
        default: str | None = None,
        default_descending: bool = False,
    ) -> None:
        for key, fields in columns.items():
            if not fields or isinstance(fields, str):
                raise ValueError(f"Sort column {key!r}: give a tuple of field names.")
            if any(f.startswith("-") for f in fields):
                raise ValueError(f"Sort column {key!r}: fields are named without a direction.")
        unknown = (set(descending_first) | ({default} if default else set())) - set(columns)
        if unknown:
            raise ValueError(f"Unknown sort columns: {sorted(unknown)}")
        self.columns = {key: tuple(fields) for key, fields in columns.items()}
        self.descending_first = frozenset(descending_first)
        self.default = default  # the column the list's own order follows, for aria-sort
        self.default_descending = default_descending

    def read(self, params: Mapping[str, Any]) -> Sorting:
        """The sort named by `params` (a QueryDict or dict); unknown values mean none."""
        raw = params.get(SORT_PARAM) or ""
        if not isinstance(raw, str) or len(raw) > MAX_SORT_PARAM:
            return Sorting(self)
        key = raw.removeprefix("-")
        if key not in self.columns:
            return Sorting(self)
        return Sorting(self, key=key, descending=raw.startswith("-"))
