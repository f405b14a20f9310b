"""Column-wise bulk inserts for large writes (imports), without building a model per row.

`insert_columns(Model, {"field": [values...] or a constant, ...}, count)` inserts `count` rows.
Fields not given take their model default. On PostgreSQL it is one
`INSERT ... SELECT * FROM unnest(%s::type[], ...)` per chunk (row-level security policies and
triggers apply as to any INSERT; COPY is not allowed on tables under row-level security);
elsewhere it falls back to `bulk_create`.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db import connection, models

CHUNK = 20_000


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, for rows that must be referred to before they are
    written (call inside the transaction that writes them)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        row = cursor.fetchone()
        start = int(row[0] if row else 0) + 1
        return list(range(start, start + count))


def insert_columns(model: type[models.Model], columns: dict[str, Any], count: int) -> None:
    if count == 0:
        return
    fields = list(model._meta.concrete_fields)
    values: dict[str, Any] = {}
    for field in fields:
        name = field.attname
        if name in columns:
            values[name] = columns[name]
        elif field.name in columns:
            values[name] = columns[field.name]
            if isinstance(field, models.ForeignKey) and values[name] is not None:
                values[name] = getattr(values[name], "pk", values[name])
        elif field.primary_key:
            continue
        else:
            values[name] = field.get_default()
    if connection.vendor != "postgresql":
        objs = []
        for i in range(count):
            objs.append(
                model(**{k: (v[i] if isinstance(v, list) else v) for k, v in values.items()})
            )
        model._default_manager.bulk_create(objs, batch_size=2000)
        return
    by_name = {f.attname: f for f in fields}
    names = list(values)
    types = [by_name[n].db_type(connection) for n in names]
    columns_sql = ", ".join(connection.ops.quote_name(by_name[n].column or n) for n in names)
    casts = ", ".join(f"%s::{t}[]" for t in types)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns_sql}) "  # noqa: S608
        f"SELECT * FROM unnest({casts})"
    )
    with connection.cursor() as cursor:
        for start in range(0, count, CHUNK):
            end = min(start + CHUNK, count)
            params = []
            for n in names:
                v = values[n]
                field = by_name[n]
                chunk = v[start:end] if isinstance(v, list) else [v] * (end - start)
                if isinstance(field, models.JSONField):
                    chunk = [None if x is None else json.dumps(x) for x in chunk]
                params.append(array_literal(chunk))
            cursor.execute(sql, params)


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # dates and aware datetimes, ISO 8601
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("insert_columns does not write binary columns")
    return _text(str(value))


def array_literal(values: list[Any]) -> str:
    """A PostgreSQL array literal ('{1,NULL,"a \\"b\\""}') of the values, cast by the caller.

    The driver would adapt a list element by element in Python; for the hundreds of thousands of
    values of an import, writing the literal here is several times faster. A column of one
    type (the usual case: ids, amounts, dates, text) is written without a call per value."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind is int or kind is Decimal:
            return "{" + ",".join(map(str, values)) + "}"
        if kind is datetime.date:
            return "{" + ",".join(map(datetime.date.isoformat, values)) + "}"
        if kind is str:
            return "{" + ",".join(map(_text, values)) + "}"
    return "{" + ",".join(map(_element, values)) + "}"


def _text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
