"""The articles: Markdown files in `articles/` with a small front matter, read and rendered
once per process (they are files of the release, so they change only with a deploy).

A file looks like this (docs/help-center.md):

    ---
    title: Record a donation
    module: donors
    summary: Enter a gift by check, cash, card or transfer; it posts to the ledger.
    keywords: gift, check, cash, donation
    pages: donors:donation_new, donors:donation_edit
    order: 20
    ---
    Markdown body...

`module` is a key of the module registry (`ifm.tenancy.modules`), or `general` for articles
about the platform as a whole. `pages` names the pages the article is the help of: a URL
name with its namespace (`donors:donation_new`), a pattern (`donors:receipt_*`) or a whole
namespace (`banking`); the "?" link of a page goes to the article that names it most exactly.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from ifm.support.help.rendering import render_markdown

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
GENERAL = "general"
REQUIRED = ("title", "module", "summary")
KNOWN_KEYS = {"title", "module", "summary", "keywords", "pages", "order"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ArticleError(ValueError):
    """An article file is malformed: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    module: str
    summary: str
    body: str
    html: str
    keywords: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    order: int = 100
    words: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)


_WORD = re.compile(r"[a-z0-9]+")


def words_of(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def _split_front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleError(f"{name}: an article starts with a '---' line and its front matter.")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ArticleError(f"{name}: the front matter has no closing '---' line.") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in KNOWN_KEYS:
            raise ArticleError(
                f"{name}, line {number}: expected 'key: value' with a key among "
                f"{', '.join(sorted(KNOWN_KEYS))}."
            )
        meta[key] = value.strip()
    return meta, "\n".join(lines[end + 1 :]).strip() + "\n"


def _listed(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_article(slug: str, text: str) -> Article:
    """An article from its file's text; ArticleError when the front matter is incomplete."""
    name = f"{slug}.md"
    if not SLUG.match(slug):
        raise ArticleError(f"{name}: a file name is lowercase words joined by hyphens.")
    meta, body = _split_front_matter(text, name)
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        raise ArticleError(f"{name}: the front matter needs {', '.join(missing)}.")
    try:
        order = int(meta.get("order") or 100)
    except ValueError:
        raise ArticleError(f"{name}: order is a whole number.") from None
    keywords = _listed(meta.get("keywords", ""))
    return Article(
        slug=slug,
        title=meta["title"],
        module=meta["module"],
        summary=meta["summary"],
        body=body,
        html=render_markdown(body),
        keywords=keywords,
        pages=_listed(meta.get("pages", "")),
        order=order,
        words={
            "title": words_of(meta["title"]),
            "keywords": words_of(" ".join(keywords)),
            "summary": words_of(meta["summary"]),
            "body": words_of(body),
        },
    )


@functools.cache
def load_articles(directory: Path = ARTICLES_DIR) -> tuple[Article, ...]:
    """Every article of a directory, in reading order (order, then title); read once."""
    found = [
        parse_article(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.md"))
    ]
    return tuple(sorted(found, key=lambda a: (a.order, a.title)))


def _route_score(pattern: str, namespace: str, view_name: str) -> int:
    """How exactly a `pages` entry names a page: 3 its URL name, 2 a pattern matching it
    (a longer pattern is more exact), 1 its namespace; 0 not at all."""
    if ":" not in pattern:
        return 1 if namespace and namespace.split(":")[0] == pattern else 0
    if pattern == view_name:
        return 3_000
    if any(c in pattern for c in "*?[") and fnmatchcase(view_name, pattern):
        return 2_000 + len(pattern)
    return 0


def article_for_view(
    articles: tuple[Article, ...] | list[Article], *, namespace: str, view_name: str
) -> Article | None:
    best: tuple[int, int] | None = None
    chosen = None
    for article in articles:
        score = max((_route_score(p, namespace, view_name) for p in article.pages), default=0)
        if score and (best is None or (score, -article.order) > best):
            best, chosen = (score, -article.order), article
    return chosen
