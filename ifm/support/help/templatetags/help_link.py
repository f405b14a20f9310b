"""`{% help_link %}`: the "?" of the page header, to the help article of the page shown (by
its resolved URL name, through the articles' `pages`), or the help center's index."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ifm.support.help.selectors import article_for_page

register = template.Library()


def help_target(request: Any) -> tuple[str, str]:
    """The URL of the page's help and the label that says where it goes."""
    match = getattr(request, "resolver_match", None)
    found = None
    if match is not None and match.namespace != "help":
        found = article_for_page(
            namespace=match.namespace,
            view_name=match.view_name,
            org=getattr(request, "org", None),
        )
    if found is None:
        return reverse("help:index"), "Help center"
    return reverse("help:article", kwargs={"slug": found.slug}), f"Help: {found.title}"


@register.simple_tag(takes_context=True)
def help_link(context: dict[str, Any]) -> str:
    request = context.get("request")
    if request is None:
        return ""
    url, label = help_target(request)
    return format_html(
        '<a class="nav-link help-link" href="{}" id="help-link" aria-label="{}" title="{}">'
        '<span aria-hidden="true">?</span></a>',
        url,
        label,
        label,
    )
