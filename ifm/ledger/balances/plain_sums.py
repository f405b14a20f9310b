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
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.expressions import CombinedExpression

from ifm.core.org_context import current_org_id
from ifm.ledger.models import Account, Fund, Program

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
    # The lines are not filtered by account type one by one (a search of the account list for
    # each of thousands of lines): the groups are, by `_types_after`, the sum grouped by account.
    filters = [f for f in filters if f[0] != "account_type"]
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


@dataclass(frozen=True)
class PlainSum:
    """One sum of a batch (`plain_batch`): grouped by `base` (ids), its aggregates as
    (minuend, subtrahend) columns, over the pieces of `parts`, with `filters`; and the fields of
    the related rows to name its groups by (`account__number` ...)."""

    base: Sequence[str]
    amounts: dict[str, tuple[str, str]]
    parts: Split
    filters: list[Filter]
    exclude_closing: bool
    related: Sequence[str] = ()


def plain_sum(
    *,
    base: Sequence[str],
    sums: dict[str, Any],
    parts: Split,
    where: Q,
    exclude_closing: bool,
    related: Sequence[str] = (),
) -> PlainSum | None:
    """The sum as a PlainSum, or None when its shape is not a plain one (the caller then
    builds it through the ORM)."""
    filters = plain_filters(where)
    amounts = plain_amounts(sums)
    if filters is None or amounts is None or not base or set(base) - _GROUPS:
        return None
    if any(_related_column(field) is None for field in related):
        return None
    if _types(filters) is not None and parts.days and "account_id" not in base:
        base = ["account_id", *base]  # grouped by account, so its type can be told
    return PlainSum(base, amounts, parts, filters, exclude_closing, related)


def _types(filters: list[Filter]) -> list[str] | None:
    """The account types a sum keeps, if it keeps only some."""
    return next((value for column, value in filters if column == "account_type"), None)


def _types_after(one: PlainSum, org: int, params: list[Any]) -> str:
    """The HAVING clause that keeps the groups of the accounts of the sum's types, when some
    of its pieces are lines (which `_pieces` does not filter by type)."""
    types = _types(one.filters)
    if types is None or not one.parts.days:
        return ""
    # On MIN(account_id), the group's account: PostgreSQL would push a condition on the
    # grouping column itself down into every piece, and so filter each line again.
    kept = _filters([("account_type", types)], org, params).removeprefix(" AND ")
    return " HAVING " + kept.replace("account_id", "MIN(account_id)", 1)


# The related rows a group may be named by, joined to the grouped ids (a few hundred rows) by
# primary key alone, which PostgreSQL hashes: the ids are the organization's own, and row-level
# security keeps the join to the organization's rows. A join on (organization, id) made it loop
# over the organization's accounts for every group.
_RELATED_TABLES = {"account": Account, "fund": Fund, "program": Program}


def _related_column(field_name: str) -> tuple[str, str] | None:
    """`account__number` as (relation, column), or None for anything that is not a plain field
    of the account, fund or program."""
    relation, _, attribute = field_name.partition("__")
    model = _RELATED_TABLES.get(relation)
    if model is None or not attribute or "__" in attribute:
        return None
    try:
        found = model._meta.get_field(attribute)
    except FieldDoesNotExist:
        return None
    column = getattr(found, "column", None)
    if column is None or found.is_relation:
        return None
    return relation, column


_TYPES = {"account_id": "bigint", "fund_id": "bigint", "program_id": "bigint", "function": "text"}


def plain_batch(batch: Sequence[PlainSum]) -> list[list[dict[str, Any]]]:
    """Each sum of the batch as its groups (dicts of its `base` ids, its aggregates and its
    `related` fields), all in one statement: one round trip for every sum a statement needs
    (both periods of a comparison, the net assets at their starts), and the names of the
    accounts, funds and programs in the same statement rather than a query each."""
    org = current_org_id()
    if org is None:
        raise ValueError("A plain sum needs the organization in context.")
    params: list[Any] = []
    columns = [c for c in _BASE_ORDER if any(c in one.base for one in batch)]
    width = max(len(one.amounts) for one in batch)
    selects = []
    for tag, one in enumerate(batch):
        pieces = _pieces(one.parts, org, one.filters, one.exclude_closing, params)
        if not pieces:
            continue
        keys = ", ".join(one.base)
        # Every branch has the same columns, named (the first branch names a UNION's).
        shown = [c if c in one.base else f"CAST(NULL AS {_TYPES[c]}) AS {c}" for c in columns]
        totals = [f"SUM({a} - {b}) AS g{i}" for i, (a, b) in enumerate(one.amounts.values())]
        totals += [f"CAST(NULL AS numeric) AS g{i}" for i in range(len(totals), width)]
        selects.append(
            f"SELECT {tag} AS tag, {', '.join(shown + totals)} FROM ("  # noqa: S608
            + " UNION ALL ".join(pieces)
            + f") pieces GROUP BY {keys}"
            + _types_after(one, org, params)
        )
    found: list[list[dict[str, Any]]] = [[] for _ in batch]
    if not selects:
        return found
    related = sorted({f for one in batch for f in one.related})
    joins = []
    for relation in sorted({f.split("__", 1)[0] for f in related}):
        table = _RELATED_TABLES[relation]._meta.db_table
        joins.append(f" LEFT JOIN {table} r_{relation} ON r_{relation}.id = g.{relation}_id")
    wanted = ["r_" + ".".join(_related_column(f) or ("", "")) for f in related]
    sql = (
        f"SELECT g.tag, {', '.join(f'g.{c}' for c in columns)}, "  # noqa: S608 (our names)
        + ", ".join(f"g.g{i}" for i in range(width))
        + "".join(f", {w}" for w in wanted)
        + f" FROM ({' UNION ALL '.join(selects)}) g"
        + "".join(joins)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    layout = ["tag", *columns, *(f"g{i}" for i in range(width)), *related]
    # Where each sum's fields are in a fetched row.
    places = [
        [(c, layout.index(c)) for c in one.base]
        + [(name, layout.index(f"g{i}")) for i, name in enumerate(one.amounts)]
        + [(f, layout.index(f)) for f in one.related]
        for one in batch
    ]
    for row in fetched:
        tag = row[0]
        found[tag].append({name: row[place] for name, place in places[tag]})
    return found


_BASE_ORDER = ("account_id", "fund_id", "program_id", "function")


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
    if current_org_id() is None:
        return None
    one = plain_sum(base=base, sums=sums, parts=parts, where=where, exclude_closing=exclude_closing)
    return None if one is None else plain_batch([one])[0]
