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

from ifm.core.org_context import current_org_id
from ifm.ledger.balances.plain_sums import plain_batch, plain_sum
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


@dataclass(frozen=True)
class SumOf:
    """One sum for `summed_batch`: the arguments of `summed`."""

    group_by: Sequence[str]
    sums: Callable[[], dict[str, Any]]
    date_from: date | None = None
    date_to: date | None = None
    where: Q | None = None
    exclude_closing: bool = False


def _base(group_by: Sequence[str]) -> list[str]:
    """The ids the database groups by: those `group_by` names, or whose related fields it names."""
    return [
        f
        for f in _BASE_FIELDS
        if f in group_by or any(g.startswith(f[: -len("id")]) for g in group_by if "__" in g)
    ]


def _parts(one: SumOf) -> Split:
    if _lines_only.get():
        return Split(days=[(one.date_from, one.date_to)])
    return split(one.date_from, one.date_to)


def _through_orm(one: SumOf, parts: Split, base: list[str]) -> list[dict[str, Any]]:
    """A sum whose shape is not a plain one, built through the ORM: one dict per group of ids,
    with the related fields `group_by` names looked up afterwards."""
    where = one.where or Q()
    querysets = _stored(where, parts, one.exclude_closing)
    querysets += _lines(where, parts.days, one.exclude_closing)
    if base and querysets:
        # One round trip: each source grouped by the ids, the groups of all of them together.
        grouped = [q.values(*base).annotate(**one.sums()).order_by() for q in querysets]
        rows = list(grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0])
    else:
        rows = [queryset.aggregate(**one.sums()) for queryset in querysets]
    related = [f for f in one.group_by if "__" in f]
    if not related:
        return rows
    names = _names(one.group_by, rows)
    for row in rows:
        for field_name in related:
            relation, attribute = field_name.split("__", 1)
            found = names[relation].get(row[f"{relation}_id"])
            row[field_name] = None if found is None else found[attribute]
    return rows


def _grouped(one: SumOf, base: list[str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows (one or more per group of ids) added up per group of `group_by`, in its order."""
    names = list(one.sums())
    group_by = tuple(one.group_by)
    groups: dict[tuple[Any, ...], list[Decimal]] = {}
    for row in rows:
        key = tuple([row[f] for f in group_by])
        values = [_decimal(row[name]) for name in names]
        before = groups.get(key)
        groups[key] = (
            values if before is None else [a + b for a, b in zip(before, values, strict=True)]
        )
    if not group_by and not groups:
        return [dict.fromkeys(names, ZERO)]
    ordered = sorted(groups, key=lambda k: [(v is None, 0 if v is None else v) for v in k])
    return [
        dict(zip(group_by, key, strict=True)) | dict(zip(names, groups[key], strict=True))
        for key in ordered
    ]


def summed_batch(batch: Sequence[SumOf]) -> list[list[dict[str, Any]]]:
    """Each sum of the batch, as `summed` returns it. The plain ones (balances/plain_sums.py)
    go to the database together, as one statement with the names of their accounts, funds and
    programs: a statement that needs several sums (two periods, the net assets at the start of
    each) makes one round trip; the others go through the ORM, one each."""
    plans = []
    for one in batch:
        parts, base = _parts(one), _base(one.group_by)
        plain = None
        if current_org_id() is not None:
            plain = plain_sum(
                base=base,
                sums=one.sums(),
                parts=parts,
                where=one.where or Q(),
                exclude_closing=one.exclude_closing,
                related=[f for f in one.group_by if "__" in f],
            )
        plans.append((one, parts, base, plain))
    together = [plain for *_, plain in plans if plain is not None]
    fetched = iter(plain_batch(together) if together else [])
    results = []
    for one, parts, base, plain in plans:
        rows = next(fetched) if plain is not None else _through_orm(one, parts, base)
        results.append(_grouped(one, base, rows))
    return results


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
    quickly; the names a grouping asks for (account__number ...) are joined to the groups."""
    one = SumOf(group_by, sums, date_from, date_to, where, exclude_closing)
    return summed_batch([one])[0]
