"""Markdown to safe HTML: markdown-it-py renders (inline HTML such as `<kbd>` included), then
nh3 keeps only the tags, attributes and URL schemes an article needs. The second step is the
wall: whatever an article holds or a renderer bug lets through, a script, an event handler or
a `javascript:` link does not survive it."""

from __future__ import annotations

import nh3
from django.conf import settings
from django.templatetags.static import static
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Images an article shows are screenshots in this app's static files: `![...](screens/x.png)`.
SCREENS_PREFIX = "screens/"
SCREENS_STATIC_DIR = "help/screens/"

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "img", "kbd", "li", "ol",
    "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
}
# No style attribute: the Content-Security-Policy refuses inline styles anyway.
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    "table"
)


def _image_source(src: str) -> str:
    if not src.startswith(SCREENS_PREFIX):
        return src
    name = SCREENS_STATIC_DIR + src.removeprefix(SCREENS_PREFIX)
    try:
        return static(name)
    except ValueError:
        # Not in the collected files' manifest (a screenshot added without collectstatic):
        # a missing picture, never a failing page (the header's "?" reads every article).
        return settings.STATIC_URL + name


def _rewrite_images(tokens: list[Token]) -> None:
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                child.attrSet("src", _image_source(str(child.attrGet("src") or "")))
                child.attrSet("loading", "lazy")


def render_markdown(text: str) -> str:
    """The article's body as HTML that is safe to put in a page as it is."""
    tokens = _md.parse(text)
    _rewrite_images(tokens)
    return sanitize_html(_md.renderer.render(tokens, _md.options, {}))


def sanitize_html(html: str) -> str:
    """Only the allowed tags, attributes and URL schemes of `html`; scripts and styles go
    with their content."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
