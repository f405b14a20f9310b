"""What the ledger adds to the search across the organization (ifm.orgs.search): journal
entries by number ("JE-12" or "12"), memo, reference or source, through the journal list's
own selector."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse

from ifm.ledger.journal.selectors import entries_filtered
from ifm.orgs.search import SearchHit, SearchQuery, register


def entries_found(query: SearchQuery) -> list[SearchHit]:
    slug = query.organization.slug
    entries = entries_filtered({"q": query.text}).annotate(total=Sum("lines__debit"))
    hits = []
    for entry in entries[: query.limit + 1]:
        parts = [f"{entry.date:%Y-%m-%d}", f"{entry.total or 0:,.2f}", entry.reference]
        title = f"{entry} {entry.memo}".strip() if entry.memo else str(entry)
        hits.append(
            SearchHit(
                title=title,
                detail=" · ".join(p for p in parts if p),
                url=reverse(
                    "ledger:ledger_entry_detail", kwargs={"org_slug": slug, "entry_id": entry.pk}
                ),
            )
        )
    return hits


def entries_url(query: SearchQuery) -> str:
    path = reverse("ledger:ledger_entries", kwargs={"org_slug": query.organization.slug})
    return path + "?" + urlencode({"q": query.text})


def register_providers() -> None:
    register(
        "journal",
        label="Journal entries",
        perms=("ledger.view",),
        find=entries_found,
        more_url=entries_url,
        order=30,
    )
