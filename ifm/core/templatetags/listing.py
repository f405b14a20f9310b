"""Template helpers of list pages (``{% load listing %}``): sortable column headers and whether
a filter form has a filter set (the filter bar then stays unfolded on phones)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from ifm.core.icons import icon
from ifm.core.sorting import SORT_PARAM, Sorting

register = template.Library()

_ARROWS = {
    "ascending": icon("caret-up-fill", css="ms-1"),
    "descending": icon("caret-down-fill", css="ms-1"),
    "": icon("chevron-expand", css="ms-1"),
}


@register.simple_tag(takes_context=True)
def sort_th(context: Any, sorting: Sorting | None, key: str, label: str, css: str = "") -> str:
    """A ``<th>`` whose link sorts the list by `key` (the other way when it already is),
    keeping the filters of the page and going back to its first page; ``aria-sort`` says how
    the list is sorted now. Without a `sorting` (or for an unknown key) a plain header."""
    klass = format_html(' class="{}"', css) if css else ""
    if sorting is None or key not in sorting.options.columns:
        return format_html('<th scope="col"{}>{}</th>', klass, label)
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    query = ""
    if params is not None:
        params.pop("page", None)
        params[SORT_PARAM] = sorting.next_param(key)
        query = params.urlencode()
    state = sorting.state(key)
    aria = format_html(' aria-sort="{}"', state) if state else ""
    hint = {"ascending": "sorted ascending", "descending": "sorted descending"}.get(state, "")
    return format_html(
        '<th scope="col"{}{}><a class="sort-link" href="?{}">{}{}{}</a></th>',
        klass,
        aria,
        query,
        label,
        _ARROWS[state],
        format_html('<span class="visually-hidden"> ({})</span>', hint) if hint else "",
    )


@register.filter
def filters_active(form: Any) -> bool:
    """True when a bound filter form has a value in any of its fields (or an error)."""
    if form is None or not getattr(form, "is_bound", False):
        return False
    if form.errors:
        return True
    data = form.data
    for name in form.fields:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        if any(v not in (None, "") for v in values):
            return True
    return False
