"""Search across the organization: one box in the top bar, results grouped by kind of record.

The apps contribute: each registers a provider in its AppConfig.ready() that finds its own
records with its own selectors (donors by name, email and phone; gifts by their donor; journal
entries by number, memo and reference; expenses by payee and description)::

    register("donors", label="Donors", perms=("donors.view",), find=donors_found)

A provider runs only in an organization that has enabled its module (the module of the app
that holds its `find`), for a person whose role has one of its permissions, inside the
organization's context (the tenant manager and row-level security scope every query), and is
asked for at most `limit` records plus one, so a search costs a few queries however many
records match. The page (``/o/<org>/search/?q=``), its typeahead fragment and the API
(``GET /api/v1/search?q=``) all call `search_run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ifm.core.errors import ServiceError
from ifm.tenancy import modules
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, has_perm, org_service

MIN_QUERY = 2
MAX_QUERY = 100
DEFAULT_LIMIT = 5
MAX_LIMIT = 20


@dataclass(frozen=True)
class SearchHit:
    """One record found: what to call it, a line about it, and the page that shows it."""

    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchQuery:
    """What a provider is given: the cleaned text and who is asking, in which organization."""

    text: str
    organization: Organization
    user: Any
    access: Access
    limit: int


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str
    perms: tuple[str, ...]  # any one of them lets a person search these records
    # At most query.limit + 1 hits (one more tells that there are more).
    find: Callable[[SearchQuery], list[SearchHit]]
    # The app's own list filtered by the same words, for "all results".
    more_url: Callable[[SearchQuery], str] | None = None
    order: int = 100


@dataclass
class SearchGroup:
    key: str
    label: str
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False
    more_url: str = ""


_PROVIDERS: dict[str, SearchProvider] = {}


def register(
    key: str,
    *,
    label: str,
    perms: tuple[str, ...],
    find: Callable[[SearchQuery], list[SearchHit]],
    more_url: Callable[[SearchQuery], str] | None = None,
    order: int = 100,
) -> None:
    """Add (or replace) the provider of one kind of record."""
    if not perms:
        raise ValueError(f"Search provider {key!r} must name the permissions that may use it.")
    _PROVIDERS[key] = SearchProvider(
        key=key, label=label, perms=tuple(perms), find=find, more_url=more_url, order=order
    )


def providers() -> list[SearchProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))


def providers_for(access: Access | None) -> list[SearchProvider]:
    """The providers this person's role may use."""
    return [p for p in providers() if any(has_perm(access, perm) for perm in p.perms)]


def search_text(q: str | None) -> str:
    """The words to search for, or a ServiceError saying what is wrong with them."""
    text = " ".join((q or "").split())
    if len(text) > MAX_QUERY:
        raise ServiceError(
            f"Search for at most {MAX_QUERY} characters (this was {len(text)}).", field="q"
        )
    if len(text) < MIN_QUERY:
        raise ServiceError(f"Type at least {MIN_QUERY} characters to search.", field="q")
    return text


@org_service("org.view", atomic=False)
def search_run(
    *,
    organization: Organization,
    actor: Any,
    access: Access,
    q: str | None,
    limit: int = DEFAULT_LIMIT,
) -> list[SearchGroup]:
    """The records matching `q` that this person may see, grouped by kind (empty groups too,
    so a page can say where it looked)."""
    text = search_text(q)
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = SearchQuery(
        text=text, organization=organization, user=actor, access=access, limit=limit
    )
    groups = []
    for provider in providers_for(access):
        if not modules.is_code_enabled(organization, provider.find):
            continue  # records of a module the organization has not enabled
        hits = provider.find(query)
        groups.append(
            SearchGroup(
                key=provider.key,
                label=provider.label,
                hits=hits[:limit],
                has_more=len(hits) > limit,
                more_url=provider.more_url(query) if provider.more_url else "",
            )
        )
    return groups
