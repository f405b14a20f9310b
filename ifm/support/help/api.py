"""/api/v1/help: the help center's twin: search and read articles, answer "Was this
helpful?". The same selectors and service as the pages; articles of a module the token's
organization has turned off are not there."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404
from django.urls import reverse
from ninja import Path, Query, Router

from ifm.accounts.http import OrgRequest
from ifm.core.api import MAX_PAGE_SIZE, ApiError
from ifm.support.help import selectors, services
from ifm.support.help.articles import Article
from ifm.support.help.schemas import (
    HelpArticleOut,
    HelpArticlePageOut,
    HelpFeedbackIn,
    HelpFeedbackOut,
)

router = Router(tags=["help"])

Slug = Annotated[str, Path(..., min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")]
DEFAULT_LIMIT = 50


def _summary(article: Article) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "title": article.title,
        "module": article.module,
        "summary": article.summary,
        "url": reverse("help:article", kwargs={"slug": article.slug}),
    }


def _article(request: OrgRequest, slug: str) -> Article:
    found = selectors.article_get(slug=slug, org=request.org)
    if found is None:
        raise Http404("No such help article.")
    return found


def _offset(cursor: str) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 6:
        raise ApiError(
            400,
            "The cursor is not one this API gave.",
            errors=[{"field": "cursor", "message": "Pass the `next` of the previous page."}],
        )
    return int(cursor)


@router.get(
    "/help/articles",
    response=HelpArticlePageOut,
    summary="List or search the help articles",
)
def help_article_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Words to find, best match first")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_LIMIT,
    cursor: Annotated[str, Query(max_length=20)] = "",
) -> Any:
    """Without `q`, every article in reading order; with it, the articles that have every
    word (in title, keywords, summary or body), best first."""
    start = _offset(cursor)
    if q.strip():
        found = selectors.article_search(query=q, org=request.org)
    else:
        found = selectors.article_list(org=request.org)
    page = found[start : start + limit]
    more = start + limit < len(found)
    return {"items": [_summary(a) for a in page], "next": str(start + limit) if more else None}


@router.get("/help/articles/{slug}", response=HelpArticleOut, summary="Get a help article")
def help_article_get(request: OrgRequest, slug: Slug) -> Any:
    article = _article(request, slug)
    return _summary(article) | {"keywords": list(article.keywords), "html": article.html}


@router.post(
    "/help/articles/{slug}/feedback",
    response=HelpFeedbackOut,
    summary="Say whether an article helped (one answer per person; a new one replaces it)",
)
def help_article_feedback(request: OrgRequest, slug: Slug, payload: HelpFeedbackIn) -> Any:
    article = _article(request, slug)
    feedback = services.article_feedback_set(
        slug=article.slug,
        actor=request.user,
        helpful=payload.helpful,
        comment=payload.comment,
        organization=request.org,
    )
    return {
        "article": feedback.article_slug,
        "helpful": feedback.helpful,
        "comment": feedback.comment,
        "updated_at": feedback.updated_at,
    }
