"""The common shape of a sum over the stored balances and the lines, written as one SQL
statement rather than built through the ORM.

A statement sums a range a few times, each time over up to five pieces (years, quarters and
months stored, days at either edge from the lines: balances/monthly.py). Built and compiled by
the ORM, each piece costs about a millisecond of Python, more than the database takes to read
it from its index. Most sums have a plain shape: grouped by ids, `Sum(F(a) - F(b))` of debits
and credits, filtered by account ids, a fund or a program. Those are written here directly;
anything else (a filter through a related table, an aggregate with its own filter) returns None
and goes through the ORM as before. Both ways give the same rows, which the tests check.

The organization is always named in the statement (and row-level security applies on
PostgreSQL as to any other query).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.expressions import CombinedExpression

from ifm.core.org_context import current_org_id

Range = tuple[date | None, date | None]


class Split(Protocol):
    """The pieces of a date range (balances.monthly.Split)."""

    @property
    def years(self) -> list[Range]: ...
    @property
    def quarters(self) -> list[Range]: ...
    @property
    def months(self) -> list[Range]: ...
    @property
    def days(self) -> list[Range]: ...


# Filters written as they are: lookup -> column ("account_type": the accounts of those types,
# read once by the statement, not joined to each piece).
_FILTERS = {
    "account_id": "account_id",
    "account_id__in": "account_id",
    "account__type__in": "account_type",
    "fund_id": "fund_id",
    "program_id": "program_id",
}
_AMOUNTS = {"debit", "credit"}
_GROUPS = {"account_id", "fund_id", "program_id", "function"}
Filter = tuple[str, Any]  # column, value (a list for IN)


def plain_filters(where: Q) -> list[Filter] | None:
    """`where` as (column, value) pairs if it is only ANDs of the plain lookups; else None."""
    if where.negated or (where.connector != Q.AND and len(where.children) > 1):
        return None
    found: list[Filter] = []
    for child in where.children:
        if isinstance(child, Q):
            inner = plain_filters(child)
            if inner is None:
                return None
            found += inner
            continue
        lookup, value = child  # type: ignore[misc]  # a Q's leaves are (lookup, value)
        if lookup not in _FILTERS:
            return None
        if lookup.endswith("__in"):
            if not isinstance(value, list | tuple | set | frozenset):
                return None  # a subquery
            value = list(value)
            if lookup == "account__type__in" and not all(isinstance(v, str) for v in value):
                return None
        elif value is None or not isinstance(value, int):
            return None
        found.append((_FILTERS[lookup], value))
    return found


def plain_amounts(sums: dict[str, Any]) -> dict[str, tuple[str, str]] | None:
    """Each aggregate as (minuend, subtrahend) if it is `Sum(F(a) - F(b))` of debit and credit
    with no filter of its own; else None."""
    found = {}
    for name, aggregate in sums.items():
        if type(aggregate) is not Sum or aggregate.filter is not None:
            return None
        (expression,) = aggregate.source_expressions
        if not isinstance(expression, CombinedExpression) or expression.connector != "-":
            return None
        lhs, rhs = expression.lhs, expression.rhs
        if not (isinstance(lhs, F) and isinstance(rhs, F)):
            return None
        minuend, subtrahend = str(lhs.name), str(rhs.name)  # type: ignore[attr-defined]
        if minuend not in _AMOUNTS or subtrahend not in _AMOUNTS:
            return None
        found[name] = (minuend, subtrahend)
    return found


def _date(value: Any) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _range(column: str, ranges: Sequence[Range], params: list[Any]) -> str:
    """`(column between one range) OR (...)` for the ranges (at most two); open ends left out."""
    parts = []
    for low, high in ranges:
        conditions = []
        if low is not None:
            conditions.append(f"{column} >= %s")
            params.append(_date(low))
        if high is not None:
            conditions.append(f"{column} <= %s")
            params.append(_date(high))
        parts.append(" AND ".join(conditions) or "1 = 1")
    return "(" + " OR ".join(f"({part})" for part in parts) + ")"


def _in_list(column: str, values: list[Any], params: list[Any]) -> str:
    if connection.vendor == "postgresql":
        params.append(values)  # one array: no list of placeholders to parse
        return f"{column} = ANY(%s)"
    params += values
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _filters(filters: list[Filter], org: int, params: list[Any]) -> str:
    sql = ""
    for column, value in filters:
        if column == "account_type":
            # Evaluated once (an InitPlan on PostgreSQL), then a filter of the index-only scan;
            # a join would read the accounts of every organization under row-level security.
            # "+ 0" keeps the planner, which cannot know how many accounts the list will hold,
            # from taking the unique key (organization, account, ...) and reading the table.
            params.append(org)
            types = _in_list("type", value, params)  # placeholders only: values are params
            accounts = f"SELECT id FROM ledger_account WHERE organization_id = %s AND {types}"  # noqa: S608
            if connection.vendor == "postgresql":
                sql += f" AND account_id + 0 = ANY(ARRAY({accounts}))"
            else:
                sql += f" AND account_id IN ({accounts})"
            continue
        if isinstance(value, list):
            if not value:
                return " AND 1 = 0"
            sql += " AND " + _in_list(column, value, params)
        else:
            sql += f" AND {column} = %s"
            params.append(value)
    return sql


_SELECT = "SELECT account_id, fund_id, program_id, function, debit, credit FROM "


def _pieces(
    parts: Split, org: int, filters: list[Filter], exclude_closing: bool, params: list[Any]
) -> list[str]:
    """One SELECT per piece of the split, each a plain range of its covering index."""
    closing = " AND NOT closing" if exclude_closing else ""
    pieces = []
    if parts.months:
        sql = f"{_SELECT}ledger_monthlybalance WHERE organization_id = %s"
        params.append(org)
        sql += " AND " + _range("month", parts.months, params) + closing
        pieces.append(sql + _filters(filters, org, params))
    for span, ranges in (("year", parts.years), ("quarter", parts.quarters)):
        if ranges:
            sql = f"{_SELECT}ledger_periodbalance WHERE organization_id = %s AND span = %s"
            params += [org, span]
            sql += " AND " + _range("start", ranges, params) + closing
            pieces.append(sql + _filters(filters, org, params))
    for days in parts.days:
        sql = f"{_SELECT}ledger_journalline WHERE organization_id = %s"
        params.append(org)
        sql += " AND " + _range("date", [days], params)
        if exclude_closing:
            sql += (
                " AND entry_id NOT IN (SELECT id FROM ledger_journalentry"
                " WHERE organization_id = %s AND source_type = 'closing')"
            )
            params.append(org)
        pieces.append(sql + _filters(filters, org, params))
    return pieces


def plain_rows(
    *,
    base: Sequence[str],
    sums: dict[str, Any],
    parts: Split,
    where: Q,
    exclude_closing: bool,
) -> list[dict[str, Any]] | None:
    """The sums grouped by `base` (ids) over the pieces of `parts`, one dict per group, or None
    when the shape is not a plain one (the caller then builds it through the ORM)."""
    org = current_org_id()
    filters = plain_filters(where)
    amounts = plain_amounts(sums)
    if org is None or filters is None or amounts is None or not base or set(base) - _GROUPS:
        return None
    params: list[Any] = []
    pieces = _pieces(parts, org, filters, exclude_closing, params)
    if not pieces:
        return []
    columns = ", ".join(base)
    totals = ", ".join(f"SUM({a} - {b})" for a, b in amounts.values())
    sql = (
        f"SELECT {columns}, {totals} FROM ("  # noqa: S608 (column names are our own)
        + " UNION ALL ".join(pieces)
        + f") pieces GROUP BY {columns}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    names = [*base, *amounts]
    return [dict(zip(names, row, strict=True)) for row in fetched]
