"""Reads of households and merging: the household list and its giving, a donor's probable
duplicates, and what a merge would move. In the current organization (tenant managers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from ifm.donors import selectors
from ifm.donors.models import Donor, DonorGivingSummary, Household

ZERO = Decimal("0.00")
MAX_QUERY = 200


def household_search(q: str = "") -> QuerySet[Household]:
    """Households whose name holds every word of `q`, with `member_count` (merged donors are
    not counted)."""
    qs = Household.objects.annotate(
        member_count=Count("members", filter=Q(members__merged_into__isnull=True))
    )
    for word in (q or "")[:MAX_QUERY].split()[:8]:
        qs = qs.filter(name__icontains=word)
    return qs.order_by("name", "id")


def household_members(household: Household) -> list[Donor]:
    """The household's donors (not the ones merged into another), by name."""
    return list(
        household.members.filter(merged_into__isnull=True)
        .select_related("giving_summary")
        .order_by("last_name", "first_name", "organization_name", "id")
    )


@dataclass
class HouseholdGiving:
    this_year_total: Decimal = ZERO
    last_year_total: Decimal = ZERO
    lifetime_total: Decimal = ZERO
    gift_count: int = 0
    by_member: dict[int, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)


def household_giving(members: list[Donor]) -> HouseholdGiving:
    """The sum of the members' giving summaries: this calendar year, last year, lifetime."""
    out = HouseholdGiving()
    summaries = {
        s.donor_id: s for s in DonorGivingSummary.objects.filter(donor__in=[m.pk for m in members])
    }
    for member in members:
        summary = summaries.get(member.pk)
        if summary is None:
            out.by_member[member.pk] = (ZERO, ZERO, ZERO)
            continue
        this_year, last_year = summary.current_totals()
        out.this_year_total += this_year
        out.last_year_total += last_year
        out.lifetime_total += summary.lifetime_total
        out.gift_count += summary.gift_count
        out.by_member[member.pk] = (this_year, last_year, summary.lifetime_total)
    return out


def duplicate_values(donor: Donor) -> dict[str, Any]:
    """The donor's fields as selectors.donor_duplicates takes them, with every email and phone."""
    return {
        "email": donor.email,
        "first_name": donor.first_name,
        "last_name": donor.last_name,
        "organization_name": donor.organization_name,
        "postal_code": donor.postal_code,
        "phone": donor.phone,
    }


def duplicates_of(donor: Donor) -> list[dict[str, Any]]:
    """Other (unmerged) donors that are probably the same as `donor`, each with why."""
    values = duplicate_values(donor)
    matches = selectors.donor_duplicates(
        organization=donor.organization_id,
        emails=list(donor.emails.values_list("email", flat=True)),
        phones=list(donor.phones.values_list("phone", flat=True)),
        exclude_id=donor.pk,
        **values,
    )
    return [
        {"donor": m, "reasons": selectors.duplicate_reasons(m, values) or ["same contact details"]}
        for m in matches
    ]


def merge_preview(keep: Donor, duplicate: Donor) -> dict[str, Any]:
    """What merging `duplicate` into `keep` moves: counts of rows, the tags and contact details
    `keep` gains, and the fields it takes because it has none."""
    contacts = {k: selectors.donor_contacts(d) for k, d in (("keep", keep), ("dup", duplicate))}

    def shown(plural: str, row: Any) -> str:
        if plural == "emails":
            return str(row.email).lower()
        if plural == "phones":
            return str(row.phone)
        return ", ".join(
            p for p in (row.address_line1, row.address_line2, row.city, row.postal_code) if p
        )

    new_contacts: dict[str, list[str]] = {}
    for plural in ("emails", "phones", "addresses"):
        have = {shown(plural, r) for r in contacts["keep"][plural]}
        new_contacts[plural] = [
            s for s in (shown(plural, r) for r in contacts["dup"][plural]) if s and s not in have
        ]
    keep_tags = set(keep.tags.values_list("name", flat=True))
    filled = [
        name
        for name in ("email", "phone", "address_line1", "city", "postal_code", "household")
        if not getattr(keep, name) and getattr(duplicate, name)
    ]
    return {
        "counts": [
            ("Gifts", duplicate.donations.count()),
            ("Soft credits", duplicate.soft_credits.count()),
            ("Receipts", duplicate.tax_receipts.count()),
            ("Pledges", duplicate.pledges.count()),
            ("Recurring gifts", duplicate.recurring_gifts.count()),
            ("Notes", duplicate.notes.count()),
        ],
        "tags": sorted(set(duplicate.tags.values_list("name", flat=True)) - keep_tags),
        "contacts": new_contacts,
        "filled": filled,
        "giving": {
            "keep": selectors.giving_summary(keep),
            "dup": selectors.giving_summary(duplicate),
        },
    }
