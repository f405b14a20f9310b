"""Sums over a date range read from the stored balances for the whole calendar years, quarters
and months in it, and from the journal lines only for the days at its edges.

A range of 2026-01-01..2026-12-15 reads the rows of the first three quarters from
ledger.PeriodBalance, of October and November from ledger.MonthlyBalance, and the lines of 1-15
December; a balance on that day (no first day) adds the rows of every year before 2026. The
tables carry the same account, fund, program and function columns, so one grouping and one
filter apply to each; the results are added per group. The stored rows are kept by the
database with every line posted (balances/stored.py), so the sum is the same as summing every
line, which the tests check.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from ifm.ledger.balances.plain_sums import plain_rows
from ifm.ledger.models import (
    Account,
    Fund,
    JournalEntry,
    JournalLine,
    MonthlyBalance,
    PeriodBalance,
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


Range = tuple[date | None, date | None]  # inclusive; None is open-ended
Days = list[tuple[date | None, date | None]]


# Each span's first day on or after a date, and the day after a span that starts on a day.
def _year_on_or_after(day: date) -> date:
    return day if (day.month, day.day) == (1, 1) else date(day.year + 1, 1, 1)


def _quarter_on_or_after(day: date) -> date:
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day if start == day else _after_quarter(start)


def _month_on_or_after(day: date) -> date:
    return day if day.day == 1 else _next_month(day)


def _after_year(start: date) -> date:
    return date(start.year + 1, 1, 1)


def _after_quarter(start: date) -> date:
    return date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)


def _year_before(day: date) -> date:
    """The first day of the last year that ends on or before `day`."""
    return date(day.year if (day.month, day.day) == (12, 31) else day.year - 1, 1, 1)


def _quarter_before(day: date) -> date:
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if _after_quarter(start) - timedelta(days=1) == day:
        return start
    return date(start.year - (start.month == 1), (start.month - 4) % 12 + 1, 1)


def _month_before(day: date) -> date:
    month = day.replace(day=1)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return month
    return (month - timedelta(days=1)).replace(day=1)


_SPANS = (
    ("year", _year_on_or_after, _year_before, _after_year),
    ("quarter", _quarter_on_or_after, _quarter_before, _after_quarter),
    ("month", _month_on_or_after, _month_before, _next_month),
)


@dataclass(frozen=True)
class Split:
    """Where a date range is read: the first days of the whole calendar years, quarters and
    months in it, as inclusive ranges (`years`, `quarters`, `months`; None is open-ended; at
    most two ranges each, before and after the larger spans), read from the stored balances,
    and the other days (`days`) from the lines."""

    years: list[Range] = field(default_factory=list)
    quarters: list[Range] = field(default_factory=list)
    months: list[Range] = field(default_factory=list)
    days: Days = field(default_factory=list)

    @property
    def stored(self) -> bool:
        return bool(self.years or self.quarters or self.months)


def split(date_from: date | None, date_to: date | None) -> Split:
    """Cut `date_from`..`date_to` into whole years, then whole quarters and months at its
    edges, then days: 2024-02-10..2026-05-20 reads 10-29 February 2024 from the lines, March
    2024, the last three quarters of 2024, the year 2025, the first quarter of 2026, April 2026,
    and 1-20 May 2026 from the lines."""
    if date_from is not None and date_to is not None and date_from > date_to:
        return Split(days=[(date_from, date_to)])
    found: dict[str, list[Range]] = {"year": [], "quarter": [], "month": []}
    pending: list[Range] = [(date_from, date_to)]
    for span, on_or_after, before, after in _SPANS:
        left: list[Range] = []
        for low, high in pending:
            first = None if low is None else on_or_after(low)
            last = None if high is None else before(high)
            if first is not None and last is not None and first > last:
                left.append((low, high))
                continue
            found[span].append((first, last))
            if low is not None and first is not None and low < first:
                left.append((low, first - timedelta(days=1)))
            if high is not None and last is not None and high >= after(last):
                left.append((after(last), high))
        pending = left
    return Split(found["year"], found["quarter"], found["month"], sorted(pending, key=_first))


def _first(day_range: Range) -> date:
    return day_range[0] or date.min


def _in(field_name: str, ranges: list[Range]) -> Q:
    q = Q()
    for low, high in ranges:
        one = Q()
        if low is not None:
            one &= Q(**{f"{field_name}__gte": low})
        if high is not None:
            one &= Q(**{f"{field_name}__lte": high})
        q |= one
    return q


def _stored(where: Q, parts: Split, exclude_closing: bool) -> list[QuerySet]:
    """The stored rows of the split's whole months, quarters and years: a queryset per span,
    each a plain range of its index (organization, span, first day), which PostgreSQL reads
    from the index alone."""
    kept = where & Q(closing=False) if exclude_closing else where
    querysets: list[QuerySet] = []
    if parts.months:
        querysets.append(MonthlyBalance.objects.filter(kept, _in("month", parts.months)))
    for span, ranges in (("year", parts.years), ("quarter", parts.quarters)):
        if ranges:
            querysets.append(PeriodBalance.objects.filter(kept, Q(span=span), _in("start", ranges)))
    return querysets


def _lines(where: Q, days: Days, exclude_closing: bool) -> list[QuerySet]:
    """The lines of each range of days: a queryset each, a plain range of the index on
    (organization, date), which covers what is summed (PostgreSQL)."""
    if exclude_closing:
        closing = JournalEntry.objects.filter(source_type=SourceType.CLOSING).values("pk")
        where = where & ~Q(entry_id__in=closing)
    return [JournalLine.objects.filter(where, _in("date", [days_range])) for days_range in days]


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


def _reader(field: str, base: list[str], names: dict[str, dict[Any, dict]]) -> Callable:
    """How to read `field` from a group's ids (a tuple in `base` order): the id itself, or a
    field of the related row looked up by `_names`."""
    if "__" not in field:
        position = base.index(field)
        return lambda ids: ids[position]
    relation, attribute = field.split("__", 1)
    position, rows = base.index(f"{relation}_id"), names[relation]

    def related(ids: tuple[Any, ...]) -> Any:
        row = rows.get(ids[position])
        return None if row is None else row[attribute]

    return related


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
        parts = Split(days=[(date_from, date_to)])
    names = list(sums())
    base = [
        f
        for f in _BASE_FIELDS
        if f in group_by or any(g.startswith(f[: -len("id")]) for g in group_by if "__" in g)
    ]
    plain = plain_rows(
        base=base, sums=sums(), parts=parts, where=where, exclude_closing=exclude_closing
    )
    querysets = []
    if plain is None:
        querysets = _stored(where, parts, exclude_closing)
        querysets += _lines(where, parts.days, exclude_closing)
    if plain is not None:
        rows = plain  # the common shape, as one SQL statement (balances/plain_sums.py)
    elif base and querysets:
        # One round trip: each source grouped by the ids, the groups of all of them together.
        grouped = [queryset.values(*base).annotate(**sums()).order_by() for queryset in querysets]
        rows = list(grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0])
    else:
        rows = [queryset.aggregate(**sums()) for queryset in querysets]
    # Added up per ids first (a few hundred rows), then named once per distinct ids.
    by_ids: dict[tuple[Any, ...], list[Decimal]] = {}
    for row in rows:
        ids = tuple(row[f] for f in base)
        values = [_decimal(row[name]) for name in names]
        if ids in by_ids:
            by_ids[ids] = [a + b for a, b in zip(by_ids[ids], values, strict=True)]
        else:
            by_ids[ids] = values
    related = _names(group_by, [dict(zip(base, ids, strict=True)) for ids in by_ids])
    readers = [_reader(field, base, related) for field in group_by]
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for ids, values in by_ids.items():
        key = tuple(read(ids) for read in readers)
        if key in groups:
            for name, value in zip(names, values, strict=True):
                groups[key][name] += value
        else:
            groups[key] = dict(zip(group_by, key, strict=True)) | dict(
                zip(names, values, strict=True)
            )
    if not group_by and not groups:
        return [dict.fromkeys(names, ZERO)]
    return [groups[key] for key in sorted(groups, key=lambda k: tuple(_order(v) for v in k))]
