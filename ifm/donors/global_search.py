"""What the donors app adds to the search across the organization (ifm.orgs.search): donors
by name, email, phone or postal code, and gifts by their donor, through the same selectors as
the donor and donation lists."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse

from ifm.donors.gifts.selectors import donation_list
from ifm.donors.models import DonationStatus
from ifm.donors.people.selectors import donor_search
from ifm.orgs.search import SearchHit, SearchQuery, register


def _url(query: SearchQuery, name: str, **kwargs: int) -> str:
    return reverse(name, kwargs={"org_slug": query.organization.slug, **kwargs})


def donors_found(query: SearchQuery) -> list[SearchHit]:
    donors = donor_search(query.text).order_by("last_name", "first_name", "organization_name", "id")
    return [
        SearchHit(
            title=donor.sort_name or f"Donor {donor.pk}",
            detail=" · ".join(p for p in (donor.email, donor.phone, donor.city) if p),
            url=_url(query, "donors:donor_detail", donor_id=donor.pk),
        )
        for donor in donors[: query.limit + 1]
    ]


def donations_found(query: SearchQuery) -> list[SearchHit]:
    hits = []
    for gift in donation_list(q=query.text)[: query.limit + 1]:
        parts = [f"{gift.date:%Y-%m-%d}", gift.get_method_display(), gift.fund.name]
        if gift.status != DonationStatus.ACTIVE:
            parts.append(gift.get_status_display())
        hits.append(
            SearchHit(
                title=f"{gift.amount:,.2f} from {gift.donor.sort_name}",
                detail=" · ".join(p for p in parts if p),
                url=_url(query, "donors:donation_detail", donation_id=gift.pk),
            )
        )
    return hits


def _list_url(name: str) -> Callable[[SearchQuery], str]:
    def more(query: SearchQuery) -> str:
        return _url(query, name) + "?" + urlencode({"q": query.text})

    return more


def register_providers() -> None:
    register(
        "donors",
        label="Donors",
        perms=("donors.view",),
        find=donors_found,
        more_url=_list_url("donors:donor_list"),
        order=10,
    )
    register(
        "donations",
        label="Gifts",
        perms=("donors.view",),
        find=donations_found,
        more_url=_list_url("donors:donation_list"),
        order=20,
    )
