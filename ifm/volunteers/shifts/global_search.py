"""What the shifts area adds to the search across the organization (ifm.orgs.search):
opportunities by title, location or description, through the opportunity list's selector."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from ifm.orgs.search import SearchHit, SearchQuery, register
from ifm.volunteers.shifts.selectors import opportunity_list


def _upcoming(n: int) -> str:
    return f"{n} upcoming shift{'' if n == 1 else 's'}"


def opportunities_found(query: SearchQuery) -> list[SearchHit]:
    rows = opportunity_list(q=query.text, archived=None)[: query.limit + 1]
    return [
        SearchHit(
            title=opp.title,
            detail=" · ".join(
                p
                for p in (
                    opp.location,
                    _upcoming(getattr(opp, "upcoming_shifts", 0)),
                    "archived" if opp.is_archived else "",
                )
                if p
            ),
            url=reverse(
                "volunteers:opportunity_detail",
                kwargs={"org_slug": query.organization.slug, "opportunity_id": opp.pk},
            ),
        )
        for opp in rows
    ]


def _more(query: SearchQuery) -> str:
    base = reverse("volunteers:opportunity_list", kwargs={"org_slug": query.organization.slug})
    return f"{base}?{urlencode({'q': query.text, 'archived': 'all'})}"


def register_provider() -> None:
    register(
        "volunteer_opportunities",
        label="Volunteer opportunities",
        perms=("volunteers.view",),
        find=opportunities_found,
        more_url=_more,
        order=35,
    )
