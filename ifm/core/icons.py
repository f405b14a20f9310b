"""Bootstrap Icons drawn as inline SVG (``{% load icons %}{% icon "check-circle" %}`` in
templates, `icon` in Python). The pages load no icon font: each icon is a few hundred bytes of
markup in the page itself, painted with the text and in its colour (``fill="currentColor"``).

The paths come from ``icon_data``, a file generated from the ``bootstrap-icons`` npm package
holding only the icons the code names (``scripts/build-icons.py``). An unknown name raises
`UnknownIcon`: a template names its icon literally and the template fails to load, so any test
that renders it fails, and ``ifm/core/tests/test_icons.py`` checks that the file matches what
the templates and Python name."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ifm.core.icon_data import ICONS


class UnknownIcon(LookupError):
    """A name that is not in ``icon_data`` (misspelt, or the file not regenerated)."""


def icon_paths(name: str) -> SafeString:
    """The inner markup (paths) of the icon `name`; `UnknownIcon` when there is none."""
    try:
        markup = ICONS[name]
    except KeyError:
        raise UnknownIcon(
            f"No icon {name!r} in ifm/core/icon_data.py: check the name on "
            "https://icons.getbootstrap.com/ and run scripts/build-icons.py."
        ) from None
    # The markup is our own generated file, read from the npm package, never user input.
    return mark_safe(markup)


def icon(name: str, *, css: str = "", label: str = "") -> SafeString:
    """An ``<svg>`` of the icon `name`, 1em square, in the colour of the text around it, with
    the extra classes `css`. Decorative (hidden from screen readers) unless it carries a
    `label`: then it is an image with that name, for an icon that means something on its own."""
    paths = icon_paths(name)
    classes = f"bi bi-{name} {css}".strip()
    if label:
        return format_html(
            '<svg class="{}" width="1em" height="1em" fill="currentColor" viewBox="0 0 16 16" '
            'role="img" aria-label="{}" focusable="false">{}</svg>',
            classes,
            label,
            paths,
        )
    return format_html(
        '<svg class="{}" width="1em" height="1em" fill="currentColor" viewBox="0 0 16 16" '
        'aria-hidden="true" focusable="false">{}</svg>',
        classes,
        paths,
    )
