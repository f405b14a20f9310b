"""Donor search by words: each one must appear, literally, in the donor's search text.

On PostgreSQL the words go first to ``ifm_donor_search(terms, max_rows)`` (migration
donors.0011), a SECURITY DEFINER function over the trigram-indexed search table
``ifm_search.donor``: it reads ``ifm.org_id`` / ``ifm.all_orgs`` itself and returns only ids the
tenant policy would show, so the index serves under row-level security with no function
marked LEAKPROOF (docs/adr/0006-donor-search.md). The donors are then those ids, passed as one
array the planner can see: it looks a few up by key, or walks the organization's donors in
display order checking each against the (hashed) array, whichever is cheaper for a page.

Words too common for that (more than MAX_IDS donors match) filter ``Donor.search_text`` with
``strpos``: walking the donors in display order finds a page of such matches soon, and the
planner, which cannot guess how many rows ``strpos`` keeps, does walk (it takes a long LIKE
pattern for rare and reads every donor of the organization instead). Words with nothing a
trigram index can use (no three letters or digits in a row) filter ``search_text`` with a
``contains`` lookup, as SQLite always does.
Either way a ``%`` or ``_`` in a word matches itself, and case does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, F, Func, Model, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

M = TypeVar("M", bound=Model)

MAX_IDS = 500
# pg_trgm splits words at anything but letters and digits, and needs three in a row.
INDEXABLE = re.compile(r"[^\W_]{3}")


class _IdIn(Func):
    """``<pk> = ANY(<ids>::bigint[])``: one parameter however many ids, and a constant array
    the planner counts (and hashes when it filters rows by it)."""

    output_field = BooleanField()

    def __init__(self, ids: list[int]) -> None:
        super().__init__(F("pk"), Value(ids, output_field=ArrayField(BigIntegerField())))

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        pk, ids = self.get_source_expressions()
        pk_sql, pk_params = compiler.compile(pk)
        ids_sql, ids_params = compiler.compile(ids)
        return f"{pk_sql} = ANY(({ids_sql})::bigint[])", (*pk_params, *ids_params)


def matching_ids(terms: Sequence[str], *, using: str, max_rows: int) -> list[int]:
    """Ids of the donors (in the organization in context) whose search text has every term."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT public.ifm_donor_search(%s::text[], %s::integer)", [list(terms), max_rows]
        )
        return [row[0] for row in cursor.fetchall()]


def matching(qs: QuerySet[M], words: Sequence[str], *, max_ids: int = MAX_IDS) -> QuerySet[M]:
    """`qs` (donors) narrowed to those whose search text contains every word, ignoring case.

    On PostgreSQL this asks the search function for the ids there and then (one query); with
    more than `max_ids` of them the words filter search_text instead.
    """
    terms = [w.lower() for w in words if w]
    if not terms:
        return qs
    if connections[qs.db].vendor == "postgresql" and any(INDEXABLE.search(t) for t in terms):
        ids = matching_ids(terms, using=qs.db, max_rows=max_ids + 1)
        if not ids:
            return qs.none()
        if len(ids) <= max_ids:
            return qs.filter(_IdIn(ids))
        # Many match: a literal substring test the planner cannot see through (so it does not
        # take the words for rare, as it does a long LIKE pattern) lets it walk the donors in
        # display order and stop at a page.
        for term in terms:
            qs = qs.filter(GreaterThan(StrIndex("search_text", Value(term)), 0))
        return qs
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    return qs
