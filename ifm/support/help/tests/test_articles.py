"""The articles themselves: each renders, is complete, links only to what exists; the
renderer keeps nothing hostile; search finds what a person would type."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import get_resolver, resolve

from ifm.support.help.articles import (
    GENERAL,
    ArticleError,
    article_for_view,
    load_articles,
    parse_article,
)
from ifm.support.help.rendering import render_markdown, sanitize_html
from ifm.support.help.selectors import article_search
from ifm.tenancy.modules import module_keys

ARTICLES = load_articles()
SLUGS = {a.slug for a in ARTICLES}
_HREF = re.compile(r'href="([^"]+)"')
_SRC = re.compile(r'src="([^"]+)"')


def _view_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: tuple[str, ...]) -> None:
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                walk(entry.url_patterns, (*prefix, entry.namespace) if entry.namespace else prefix)
            elif entry.name:
                names.add(":".join((*prefix, entry.name)))

    walk(get_resolver().url_patterns, ())
    return names


def test_the_task_articles_the_issue_asks_for_are_there() -> None:
    assert {
        "getting-started",
        "record-a-donation",
        "issue-a-receipt",
        "year-end-statements",
        "submit-and-approve-an-expense",
        "reconcile-the-bank",
        "run-reports",
        "volunteers",
    } <= SLUGS


def test_every_module_has_an_article() -> None:
    assert set(module_keys()) <= {a.module for a in ARTICLES}


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_each_article_renders_with_title_summary_and_a_known_module(article: Any) -> None:
    assert article.title
    assert article.summary
    assert article.module == GENERAL or article.module in module_keys()
    assert article.html.count("<h2>") >= 1, "an article is organized in sections"
    assert "<script" not in article.html


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_links_inside_articles_resolve(article: Any) -> None:
    for href in _HREF.findall(article.html):
        if not href.startswith("/help/"):
            pytest.fail(f"{article.slug}: a link outside the help center: {href}")
        match = resolve(href.split("#")[0].split("?")[0])
        if match.view_name == "help:article":
            slug = match.kwargs["slug"]
            assert slug in SLUGS, f"{article.slug} links to a missing article {href}"
        else:
            assert match.view_name == "help:index", href


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_screenshots_exist_and_are_small(article: Any) -> None:
    for src in _SRC.findall(article.html):
        assert src.startswith("/static/help/screens/"), src
        found = finders.find(src.removeprefix("/static/"))
        assert found, f"{article.slug}: no static file {src}"
        assert Path(str(found)).stat().st_size < 100_000, f"{src} is over 100 KB"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_the_pages_an_article_names_exist(article: Any) -> None:
    names = _view_names()
    namespaces = {n.rpartition(":")[0].split(":")[0] for n in names if ":" in n}
    for pattern in article.pages:
        if ":" not in pattern and pattern not in names:
            assert pattern in namespaces, f"{article.slug}: no namespace {pattern!r}"
        elif "*" in pattern:
            prefix = pattern.split("*")[0]
            assert any(n.startswith(prefix) for n in names), f"{article.slug}: {pattern}"
        else:
            assert pattern in names, f"{article.slug}: no page {pattern!r}"


class _Unsafe(HTMLParser):
    """Collects what could run in a browser: script-like tags, event handlers, URLs with a
    scheme other than http(s) and mailto."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "style", "form", "svg", "math"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.found.append(f"{tag} {name}")
            if name in {"href", "src"} and value and ":" in value.split("/")[0]:
                scheme = value.split(":", 1)[0].strip().lower()
                if scheme not in {"http", "https", "mailto"}:
                    self.found.append(f"{tag} {name}={value}")


def unsafe_parts(html: str) -> list[str]:
    parser = _Unsafe()
    parser.feed(html)
    return parser.found


HOSTILE_HTML = "\n".join(
    [
        "<script>alert('raw')</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(3)" onclick="alert(4)">raw link</a>',
        '<a href="  JaVaScRiPt:alert(5)">spaced</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p style="background:url(javascript:alert(6))">styled</p>',
        "<svg><script>alert(7)</script></svg>",
        '<form action="https://evil.example">'
        '<button formaction="javascript:alert(8)">x</button></form>',
    ]
)


def test_the_test_sees_what_is_unsafe() -> None:
    assert len(unsafe_parts(HOSTILE_HTML)) >= 9


def test_the_sanitizer_removes_scripts_handlers_and_javascript_urls() -> None:
    cleaned = sanitize_html(HOSTILE_HTML + '<a href="https://example.org/">ok</a>')
    assert unsafe_parts(cleaned) == [], cleaned
    assert "alert('raw')" not in cleaned
    assert '<a href="https://example.org/" rel="noopener noreferrer">ok</a>' in cleaned


def test_markdown_with_hostile_parts_renders_safely() -> None:
    hostile = "\n\n".join(
        [
            "## Hello",
            HOSTILE_HTML,
            "[click](javascript:alert(1))",
            "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![img](javascript:alert(2))",
            "[ok](https://example.org/page) and [mail](mailto:help@example.org)",
        ]
    )
    html = render_markdown(hostile)
    assert unsafe_parts(html) == [], html
    assert "<script" not in html.lower()
    assert '<a href="https://example.org/page" rel="noopener noreferrer">ok</a>' in html
    assert 'href="mailto:help@example.org"' in html


def test_a_hostile_article_file_is_rendered_safely(tmp_path: Path) -> None:
    (tmp_path / "hostile.md").write_text(
        "---\ntitle: <script>alert(1)</script>\nmodule: general\nsummary: x\n---\n"
        "## Steps\n<img src=x onerror=alert(1)> [a](javascript:alert(1))\n"
    )
    (article,) = load_articles(tmp_path)
    assert unsafe_parts(article.html) == []
    assert "onerror" not in article.html
    assert "href=" not in article.html


def test_screenshot_paths_become_static_urls() -> None:
    html = render_markdown("![The form](screens/example.png)")
    assert 'src="/static/help/screens/example.png"' in html
    assert 'alt="The form"' in html


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter", "starts with a '---' line"),
        ("---\ntitle: T\nmodule: general\n", "no closing '---'"),
        ("---\ntitle: T\nsummary: S\n---\nbody", "needs module"),
        ("---\ntitle: T\nmodule: m\nsummary: S\ncolour: red\n---\n", "expected 'key: value'"),
        ("---\ntitle: T\nmodule: m\nsummary: S\norder: first\n---\n", "order is a whole number"),
    ],
)
def test_a_malformed_article_is_refused_naming_the_file(text: str, problem: str) -> None:
    with pytest.raises(ArticleError, match=re.escape(problem)) as caught:
        parse_article("broken", text)
    assert "broken.md" in str(caught.value)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("receipt", "issue-a-receipt"),
        ("year-end statements", "year-end-statements"),
        ("reconcile", "reconcile-the-bank"),
        ("approve expense", "submit-and-approve-an-expense"),
        ("kiosk", "volunteers"),
        ("LYBUNT", "run-reports"),
        ("two-factor", "getting-started"),
        ("budgets", "budgets"),
    ],
)
def test_search_finds_the_article_first(query: str, first: str) -> None:
    found = article_search(query=query)
    assert found, query
    assert found[0].slug == first, [a.slug for a in found]


def test_search_needs_every_word_and_ignores_punctuation() -> None:
    assert article_search(query="receipt zzyzx") == []
    assert article_search(query="  !!  ") == []
    assert article_search(query="<script>") == []


@pytest.mark.parametrize(
    ("view_name", "slug"),
    [
        ("donors:donation_new", "record-a-donation"),
        ("donors:donor_list", "record-a-donation"),
        ("donors:receipt_detail", "issue-a-receipt"),
        ("donors:receipt_year_end", "year-end-statements"),
        ("donors:receipt_run_detail", "year-end-statements"),
        ("donors:pledge_list", "record-a-donation"),
        ("expenses:expense_queue", "submit-and-approve-an-expense"),
        ("banking:reconciliation_detail", "reconcile-the-bank"),
        ("reports:budget_grid", "budgets"),
        ("reports:lybunt", "run-reports"),
        ("orgs:dashboard", "getting-started"),
        ("volunteers:kiosk", "volunteers"),
    ],
)
def test_a_page_maps_to_its_most_exact_article(view_name: str, slug: str) -> None:
    namespace = view_name.rpartition(":")[0]
    found = article_for_view(ARTICLES, namespace=namespace, view_name=view_name)
    assert found is not None
    assert found.slug == slug


def test_a_page_no_article_names_has_none() -> None:
    assert article_for_view(ARTICLES, namespace="audit", view_name="audit:audit_log") is None


def test_a_screenshot_missing_from_the_collected_files_breaks_no_page(settings: Any) -> None:
    # Production's manifest storage raises for a file collectstatic never saw; the header's
    # "?" reads every article, so that must cost a picture, not every page.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    }
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        static("help/screens/not-collected.png")
    html = render_markdown("![Gone](screens/not-collected.png)")
    assert 'src="/static/help/screens/not-collected.png"' in html
