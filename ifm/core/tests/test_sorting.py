"""The sort helper of list pages: whitelisted keys to order_by, header links, aria-sort."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from ifm.core.sorting import SortOptions
from ifm.core.templatetags.listing import filters_active
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization

SORTS = SortOptions(
    {"name": ("name",), "slug": ("slug",), "ein": ("ein",)},
    descending_first={"ein"},
    default="name",
)


@pytest.mark.parametrize(
    ("param", "key", "descending"),
    [
        ("name", "name", False),
        ("-name", "name", True),
        ("", None, False),
        ("password", None, False),  # not a column: ignored
        ("-pk", None, False),
        ("name__startswith", None, False),
        ("--name", None, False),
        ("n" * 5000, None, False),
    ],
)
def test_only_a_listed_column_sorts(param: str, key: str | None, descending: bool) -> None:
    sorting = SORTS.read(QueryDict(f"sort={param}"))
    assert (sorting.key, sorting.descending) == (key, descending)


def test_an_unknown_column_keeps_the_lists_own_order(db: Any) -> None:
    organization_create(slug="b-org", name="Beta", ein="22-2222222")
    organization_create(slug="a-org", name="Alpha", ein="11-1111111")
    qs = Organization.objects.order_by("-slug")
    assert list(SORTS.read({"sort": "secret"}).apply(qs)) == list(qs)
    assert [o.slug for o in SORTS.read({"sort": "name"}).apply(qs)] == ["a-org", "b-org"]
    assert [o.slug for o in SORTS.read({"sort": "-name"}).apply(qs)] == ["b-org", "a-org"]


def test_empty_values_sort_last_both_ways() -> None:
    options = SortOptions({"total": ("total",), "name": ("row.name",)})
    rows = [{"total": 2, "row": {"name": "b"}}, {"total": None}, {"total": 5, "row": {"name": "A"}}]
    assert [r["total"] for r in options.read({"sort": "total"}).sort_items(rows)] == [2, 5, None]
    assert [r["total"] for r in options.read({"sort": "-total"}).sort_items(rows)] == [5, 2, None]
    # Text ignores case.
    assert [r["total"] for r in options.read({"sort": "name"}).sort_items(rows)] == [5, 2, None]


def test_options_refuse_a_direction_or_an_unknown_default() -> None:
    with pytest.raises(ValueError, match="without a direction"):
        SortOptions({"name": ("-name",)})
    with pytest.raises(ValueError, match="tuple"):
        SortOptions({"name": "name"})
    with pytest.raises(ValueError, match="Unknown"):
        SortOptions({"name": ("name",)}, default="date")


def _header(query: str, key: str, label: str = "Label") -> str:
    request = RequestFactory().get(f"/o/alpha/donors/?{query}")
    template = Template('{% load listing %}{% sort_th sorting key label "text-end" %}')
    context = {"request": request, "sorting": SORTS.read(request.GET), "key": key, "label": label}
    return template.render(Context(context))


def test_a_header_links_to_its_sort_keeping_the_filters_but_not_the_page() -> None:
    html = _header("q=ann&tag=7&page=3", "slug", "Slug")
    assert 'href="?q=ann&amp;tag=7&amp;sort=slug"' in html
    assert "page=" not in html
    assert "aria-sort" not in html
    assert 'class="text-end"' in html


def test_the_current_column_says_its_direction_and_links_to_the_other() -> None:
    ascending = _header("sort=slug", "slug")
    assert 'aria-sort="ascending"' in ascending
    assert "sort=-slug" in ascending
    descending = _header("sort=-slug", "slug")
    assert 'aria-sort="descending"' in descending
    assert 'href="?sort=slug"' in descending


def test_the_lists_own_order_is_announced_and_numbers_start_descending() -> None:
    assert 'aria-sort="ascending"' in _header("", "name")
    assert "sort=-ein" in _header("", "ein")
    assert "aria-sort" not in _header("sort=slug", "name")


def test_a_header_escapes_its_label_and_survives_an_unknown_key() -> None:
    assert "&lt;b&gt;" in _header("", "name", "<b>")
    plain = _header("", "nope", "Plain")
    assert plain == '<th scope="col" class="text-end">Plain</th>'


def test_a_hostile_sort_value_does_not_reach_the_links() -> None:
    html = _header('sort="><script>', "slug")
    assert "<script>" not in html
    assert 'href="?sort=slug"' in html


def test_filters_are_active_when_a_field_has_a_value() -> None:
    from django import forms

    class F(forms.Form):
        q = forms.CharField(required=False)
        status = forms.ChoiceField(choices=[("", "All"), ("a", "A")], required=False)

    assert not filters_active(F())
    assert not filters_active(F(QueryDict("q=&sort=name&page=2")))
    assert filters_active(F(QueryDict("status=a")))
    assert filters_active(F(QueryDict("status=zzz")))  # an error shows too
