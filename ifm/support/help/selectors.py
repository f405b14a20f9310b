"""Reads of the help center: the articles a person may see, search, the article of a page,
and the feedback counts for platform staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q

from ifm.core.org_context import all_organizations
from ifm.support.help.articles import GENERAL, Article, article_for_view, load_articles, words_of
from ifm.support.help.models import ArticleFeedback
from ifm.tenancy.modules import all_modules, is_module_enabled, module_keys

# Where a term is found and what it weighs; a term must be found somewhere in an article.
FIELD_WEIGHTS = {"title": 10, "keywords": 6, "summary": 3, "body": 1}
BODY_HITS_COUNTED = 5
QUERY_MAX_TERMS = 12
SUGGESTIONS = ("donation", "receipt", "expense", "bank", "report", "volunteer")


def _shown(article: Article, org: Any) -> bool:
    """An article of a module the organization has turned off is hidden; outside an
    organization (or for a module not in the registry) every article shows."""
    if org is None or article.module == GENERAL or article.module not in module_keys():
        return True
    return is_module_enabled(org, article.module)


def article_list(*, org: Any = None) -> list[Article]:
    return [a for a in load_articles() if _shown(a, org)]


def article_get(*, slug: str, org: Any = None) -> Article | None:
    """The article, or None when there is none of that name or it is hidden."""
    return next((a for a in article_list(org=org) if a.slug == slug), None)


@dataclass(frozen=True)
class ModuleSection:
    key: str
    name: str
    articles: list[Article]


def article_sections(*, org: Any = None) -> list[ModuleSection]:
    """The articles grouped by module, "general" first, then the registry's order."""
    names = {GENERAL: "Getting started"} | {m.key: m.name for m in all_modules()}
    order = [GENERAL, *[m.key for m in all_modules()]]
    grouped: dict[str, list[Article]] = {}
    for article in article_list(org=org):
        grouped.setdefault(article.module, []).append(article)
    keys = [k for k in order if k in grouped] + sorted(set(grouped) - set(order))
    return [ModuleSection(k, names.get(k, k.title()), grouped[k]) for k in keys]


def _term_score(article: Article, term: str) -> int:
    score = 0
    for name, weight in FIELD_WEIGHTS.items():
        hits = sum(1 for word in article.words.get(name, ()) if word.startswith(term))
        if name == "body":
            hits = min(hits, BODY_HITS_COUNTED)
        elif hits:
            hits = 1
        score += weight * hits
    return score


def article_search(*, query: str, org: Any = None) -> list[Article]:
    """Articles with every word of the query in their title, keywords, summary or body (a
    word matches the words it begins: "receipt" finds "receipts"), best first."""
    terms = list(dict.fromkeys(words_of(query)))[:QUERY_MAX_TERMS]
    if not terms:
        return []
    scored = []
    for article in article_list(org=org):
        scores = [_term_score(article, term) for term in terms]
        if all(scores):
            scored.append((sum(scores), article))
    scored.sort(key=lambda pair: (-pair[0], pair[1].order, pair[1].title))
    return [article for _, article in scored]


def article_for_page(*, namespace: str, view_name: str, org: Any = None) -> Article | None:
    """The article that is the help of a page (by its resolved URL name), if any."""
    return article_for_view(article_list(org=org), namespace=namespace, view_name=view_name)


def feedback_get(*, slug: str, user: Any) -> ArticleFeedback | None:
    if not getattr(user, "is_authenticated", False):
        return None
    with all_organizations():
        return ArticleFeedback.objects.filter(article_slug=slug, user=user).first()


@dataclass(frozen=True)
class FeedbackSummary:
    slug: str
    title: str
    helpful: int
    not_helpful: int
    last_at: Any
    comments: list[ArticleFeedback]

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


def feedback_summary(*, comments_per_article: int = 5) -> list[FeedbackSummary]:
    """Every article with its yes and no counts and its latest comments (platform staff, all
    organizations); articles nobody answered yet are listed with zeros. Most "no" first."""
    with all_organizations():
        counts: dict[str, dict[str, Any]] = {
            row["article_slug"]: dict(row)
            for row in ArticleFeedback.objects.values("article_slug").annotate(
                yes=Count("id", filter=Q(helpful=True)),
                no=Count("id", filter=Q(helpful=False)),
                last=Max("updated_at"),
            )
        }
        commented = list(
            ArticleFeedback.objects.exclude(comment="")
            .select_related("user", "organization")
            .order_by("-updated_at")
        )
    titles = {a.slug: a.title for a in load_articles()}
    slugs = list(titles) + sorted(set(counts) - set(titles))
    summaries = []
    for slug in slugs:
        row = counts.get(slug, {})
        summaries.append(
            FeedbackSummary(
                slug=slug,
                title=titles.get(slug, f"{slug} (no longer an article)"),
                helpful=row.get("yes", 0),
                not_helpful=row.get("no", 0),
                last_at=row.get("last"),
                comments=[c for c in commented if c.article_slug == slug][:comments_per_article],
            )
        )
    summaries.sort(key=lambda s: (-s.not_helpful, -s.total, s.title))
    return summaries
