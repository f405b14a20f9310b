"""Sums over a date range read from the stored monthly balances for the whole months in it and
from the journal lines only for the partial months at its edges.

A range of 2026-01-01..2026-12-15 reads the rows of January to November from
ledger.MonthlyBalance and the lines of 1-15 December. Both tables carry the same account, fund,
program and function columns, so one grouping and one filter apply to either; the two results
are added per group. The stored rows are kept by the database with every line posted
(balances/stored.py), so the sum is the same as summing every line, which the tests check.
"""

from __future__ import annotations

import calendar
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet

from ifm.ledger.models import (
    Account,
    Fund,
    JournalEntry,
    JournalLine,
    MonthlyBalance,
    Program,
    SourceType,
)

ZERO = Decimal("0")
_lines_only: ContextVar[bool] = ContextVar("ifm_ledger_lines_only", default=False)


@contextmanager
def summing_lines() -> Iterator[None]:
    """Within the block, sums read every line and no stored balance: the way before the
    balances were stored, for the tests and the benchmark to compare with."""
    token = _lines_only.set(True)
    try:
        yield
    finally:
        _lines_only.reset(token)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Split:
    """Where a date range is read: whole months from the stored balances (`months`, first and
    last month, either open-ended as None; None when there is no whole month) and the other
    days from the lines (`days`, inclusive ranges)."""

    months: tuple[date | None, date | None] | None
    days: list[tuple[date | None, date | None]] = field(default_factory=list)


def split(date_from: date | None, date_to: date | None) -> Split:
    first = None
    if date_from is not None:
        first = date_from if date_from.day == 1 else _next_month(date_from)
    last = None
    if date_to is not None:
        month = date_to.replace(day=1)
        if date_to.day == calendar.monthrange(date_to.year, date_to.month)[1]:
            last = month
        else:
            last = (month - timedelta(days=1)).replace(day=1)
    if first is not None and last is not None and first > last:
        return Split(None, [(date_from, date_to)])
    days: list[tuple[date | None, date | None]] = []
    if date_from is not None and first is not None and date_from < first:
        days.append((date_from, first - timedelta(days=1)))
    if date_to is not None and last is not None and date_to >= _next_month(last):
        days.append((_next_month(last), date_to))
    return Split((first, last), days)


def _stored(where: Q, months: tuple[date | None, date | None], exclude_closing: bool) -> QuerySet:
    rows = MonthlyBalance.objects.filter(where)
    if months[0] is not None:
        rows = rows.filter(month__gte=months[0])
    if months[1] is not None:
        rows = rows.filter(month__lte=months[1])
    return rows.filter(closing=False) if exclude_closing else rows


Days = list[tuple[date | None, date | None]]


def _lines(where: Q, days: Days, exclude_closing: bool) -> QuerySet:
    ranges = []
    for start, end in days:
        q = Q()
        if start is not None:
            q &= Q(date__gte=start)
        if end is not None:
            q &= Q(date__lte=end)
        ranges.append(q)
    lines = JournalLine.objects.filter(where).filter(reduce(operator.or_, ranges))
    if exclude_closing:
        closing = JournalEntry.objects.filter(source_type=SourceType.CLOSING).values("pk")
        lines = lines.exclude(entry_id__in=closing)
    return lines


def _decimal(value: Any) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _order(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


# The columns both tables share, and the related models whose fields a grouping may name.
_BASE_FIELDS = ("account_id", "fund_id", "program_id", "function")
_RELATED = {"account": Account, "fund": Fund, "program": Program}


def _names(group_by: Sequence[str], rows: list[dict[str, Any]]) -> dict[str, dict[Any, dict]]:
    """The fields of related rows that `group_by` names (account__number, fund__code ...),
    read once per model for the ids found: a few dozen small rows."""
    found: dict[str, dict[Any, dict]] = {}
    for relation, model in _RELATED.items():
        wanted = [f.split("__", 1)[1] for f in group_by if f.startswith(f"{relation}__")]
        if not wanted:
            continue
        ids = {row[f"{relation}_id"] for row in rows} - {None}
        found[relation] = {
            row["id"]: row for row in model.objects.filter(pk__in=ids).values("id", *wanted)
        }
    return found


def _value(field: str, row: dict[str, Any], names: dict[str, dict[Any, dict]]) -> Any:
    if "__" not in field:
        return row[field]
    relation, attribute = field.split("__", 1)
    related = names[relation].get(row[f"{relation}_id"])
    return None if related is None else related[attribute]


def summed(
    *,
    group_by: Sequence[str],
    sums: Callable[[], dict[str, Any]],
    date_from: date | None = None,
    date_to: date | None = None,
    where: Q | None = None,
    exclude_closing: bool = False,
) -> list[dict[str, Any]]:
    """The aggregates `sums()` (sums of `debit` and `credit` expressions, filters allowed on
    account, fund, program and function) over the lines dated `date_from`..`date_to`, grouped
    by `group_by`, with `where` applied: one dict per group, in `group_by` order (no group
    makes one dict). Closing entries are left out with `exclude_closing`. Values are Decimal,
    not yet rounded (SQLite sums loosely: callers quantize).

    The database groups by ids only (account, fund, program, function), which it hashes
    quickly; the names a grouping asks for (account__number ...) are looked up afterwards."""
    where = where or Q()
    parts = split(date_from, date_to)
    if _lines_only.get():
        parts = Split(None, [(date_from, date_to)])
    querysets = []
    if parts.months is not None:
        querysets.append(_stored(where, parts.months, exclude_closing))
    if parts.days:
        querysets.append(_lines(where, parts.days, exclude_closing))
    names = list(sums())
    base = [
        f
        for f in _BASE_FIELDS
        if f in group_by or any(g.startswith(f[: -len("id")]) for g in group_by if "__" in g)
    ]
    rows: list[dict[str, Any]] = []
    for queryset in querysets:
        if base:
            rows += queryset.values(*base).annotate(**sums()).order_by()
        else:
            rows.append(queryset.aggregate(**sums()))
    related = _names(group_by, rows)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(_value(field, row, related) for field in group_by)
        if key in groups:
            for name in names:
                groups[key][name] += _decimal(row[name])
        else:
            groups[key] = dict(zip(group_by, key, strict=True)) | {
                name: _decimal(row[name]) for name in names
            }
    if not group_by and not groups:
        return [dict.fromkeys(names, ZERO)]
    return [groups[key] for key in sorted(groups, key=lambda k: tuple(_order(v) for v in k))]
