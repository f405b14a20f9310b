"""What the people area adds to the search across the organization (ifm/orgs/search.py):
volunteers by name, email or phone, through the list's selector."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from ifm.orgs.search import SearchHit, SearchQuery, register
from ifm.volunteers.people.selectors import volunteer_search


def volunteers_found(query: SearchQuery) -> list[SearchHit]:
    slug = query.organization.slug
    found = volunteer_search(query.text).order_by("last_name", "first_name", "id")
    return [
        SearchHit(
            title=v.sort_name or v.reference,
            detail=" · ".join(p for p in (v.email, v.phone, v.get_status_display()) if p),
            url=reverse(
                "volunteers:volunteer_detail", kwargs={"org_slug": slug, "volunteer_id": v.pk}
            ),
        )
        for v in found[: query.limit + 1]
    ]


def _more(query: SearchQuery) -> str:
    base = reverse("volunteers:volunteer_list", kwargs={"org_slug": query.organization.slug})
    return base + "?" + urlencode({"q": query.text})


def register_provider() -> None:
    register(
        "volunteers",
        label="Volunteers",
        perms=("volunteers.view",),
        find=volunteers_found,
        more_url=_more,
        order=30,
    )
