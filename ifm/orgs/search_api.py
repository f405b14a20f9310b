"""/api/v1/search: the search across the organization, the same service as the search page."""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router, Schema

from ifm.accounts.http import OrgRequest, service_args
from ifm.orgs.search import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY, search_run

router = Router(tags=["search"])


class SearchHitOut(Schema):
    title: str
    detail: str
    url: str


class SearchGroupOut(Schema):
    type: str
    label: str
    items: list[SearchHitOut]
    has_more: bool
    more_url: str


class SearchOut(Schema):
    query: str
    groups: list[SearchGroupOut]


@router.get("", response=SearchOut, summary="Search donors, gifts, journal entries and expenses")
def search_everything(
    request: OrgRequest,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY * 10,
            description=f"The words to find (2 to {MAX_QUERY} characters).",
        ),
    ] = "",
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="At most this many records of each kind.")
    ] = DEFAULT_LIMIT,
) -> SearchOut:
    """Groups only of the kinds of records the caller's role may see; each record's `url` is
    its page."""
    groups = search_run(**service_args(request), q=q, limit=limit)
    return SearchOut(
        query=" ".join(q.split()),
        groups=[
            SearchGroupOut(
                type=g.key,
                label=g.label,
                items=[SearchHitOut(title=h.title, detail=h.detail, url=h.url) for h in g.hits],
                has_more=g.has_more,
                more_url=g.more_url,
            )
            for g in groups
        ],
    )
