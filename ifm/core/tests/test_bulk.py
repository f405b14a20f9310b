"""insert_columns writes every value back exactly, whatever characters a text holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.core.bulk import array_literal, insert_columns
from ifm.core.org_context import org_context

TRICKY = [
    'say "hello"',
    'back\\slash and \\" both',
    "{braces}, commas, and (parens)",
    "NULL",
    "",
    "  spaces kept  ",
    "ünïcödé ✓ 日本",
    "new\nline\ttab",
    "'single quotes'",
]


@pytest.mark.django_db
def test_texts_json_null_and_times_come_back_exactly(org_a: Any) -> None:
    now = timezone.now()
    count = len(TRICKY)
    with org_context(org_a):
        insert_columns(
            AuditEvent,
            {
                "organization_id": org_a.pk,
                "action": [f"bulk.{i}" for i in range(count)],
                "object_repr": TRICKY,
                "changes": [{"text": t, "n": i, "list": [t, None]} for i, t in enumerate(TRICKY)],
                "ip_address": [None if i % 2 else "192.0.2.1" for i in range(count)],
                "created_at": [now - timedelta(minutes=i) for i in range(count)],
            },
            count,
        )
        rows = list(AuditEvent.objects.filter(action__startswith="bulk.").order_by("action"))
    assert [r.object_repr for r in rows] == TRICKY
    assert [r.changes["text"] for r in rows] == TRICKY
    assert [r.changes["list"] for r in rows] == [[t, None] for t in TRICKY]
    assert [r.ip_address for r in rows] == [None if i % 2 else "192.0.2.1" for i in range(count)]
    assert [r.created_at for r in rows] == [now - timedelta(minutes=i) for i in range(count)]


def test_array_literal_quotes_texts_and_writes_null() -> None:
    assert array_literal([1, None, True, 'a"b', "c\\d"]) == '{1,NULL,t,"a\\"b","c\\\\d"}'
    with pytest.raises(TypeError):
        array_literal([b"bytes"])


def test_a_column_of_one_type_is_written_as_a_mixed_one_would_be() -> None:
    from datetime import date
    from decimal import Decimal

    from ifm.core.bulk import _element

    for column in (
        [1, 22, 333],
        [Decimal("12.50"), Decimal("0.01")],
        [date(2025, 1, 31), date(2024, 2, 29)],
        TRICKY,
        [True, False],
        [None, 1, "a", Decimal("2.5"), date(2025, 3, 1)],
    ):
        assert array_literal(column) == "{" + ",".join(map(_element, column)) + "}"
    assert array_literal([1, 22]) == "{1,22}"
    assert array_literal(['a "b"', "c\\d"]) == '{"a \\"b\\"","c\\\\d"}'
