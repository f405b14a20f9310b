"""Reads of donors: search, duplicate candidates, contacts, the stored giving summary, and
households with their members and giving."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from ifm.core.org_context import org_context
from ifm.donors import normalize
from ifm.donors.models import (
    Donor,
    DonorAddress,
    DonorEmail,
    DonorGivingSummary,
    DonorPhone,
    Household,
)
from ifm.donors.people import search
from ifm.donors.validation import ZERO

MAX_QUERY = 200
PHONE_LIKE = re.compile(r"[0-9()+.\- ]+")


# --- Donors ------------------------------------------------------------------------------------


def donor_search(q: str = "", *, include_inactive: bool = False) -> QuerySet[Donor]:
    """Donors whose name, email, phone or postal code contains `q` (each word must match).

    Words match literally and ignoring case (ifm.donors.people.search: on PostgreSQL the
    indexed search table, on SQLite search_text). Merged donors never show; inactive ones
    only when asked.
    """
    qs = Donor.objects.filter(merged_into__isnull=True)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    text = (q or "")[:MAX_QUERY].strip()
    if PHONE_LIKE.fullmatch(text) and sum(c.isdigit() for c in text) >= 3:
        # A phone number however it is typed: match its digits (a leading 1 is the country).
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return search.matching(qs, [digits])
    return search.matching(qs, text.split()[:8])


def donor_duplicates(
    *,
    organization: Any,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    organization_name: str = "",
    postal_code: str = "",
    phone: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    exclude_id: int | None = None,
) -> list[Donor]:
    """Existing (unmerged) donors that are probably the same: the same normalized email, the
    same normalized name and postal code, or the same normalized phone number. Emails and
    phones are compared with every one an existing donor has (primary or not); `emails` and
    `phones` are more of the new donor's own."""
    e = {x for x in (normalize.email(v) for v in (email, *emails)) if x}
    p = {x for x in (normalize.phone(v) for v in (phone, *phones)) if x}
    z = normalize.postal(postal_code)
    names = {
        n for n in (normalize.name(first_name, last_name), normalize.name(organization_name)) if n
    }
    with org_context(organization):
        cond = Q()
        if e:
            cond |= Q(email_norm__in=e)
            cond |= Q(pk__in=DonorEmail.objects.filter(email_norm__in=e).values("donor_id"))
        if p:
            cond |= Q(phone_norm__in=p)
            cond |= Q(pk__in=DonorPhone.objects.filter(phone_norm__in=p).values("donor_id"))
        if names and z:
            cond |= Q(name_norm__in=names, postal_norm=z)
        if not cond:
            return []
        qs = Donor.objects.filter(cond, merged_into__isnull=True)
        if exclude_id is not None:
            qs = qs.exclude(pk=exclude_id)
        return list(qs.order_by("pk")[:20])


def duplicate_reasons(donor: Donor, values: dict[str, Any]) -> list[str]:
    """Why `donor` matched the given field values, for showing beside the match."""
    norm = normalize.donor_fields(values)
    reasons = []
    if norm["email_norm"] and (
        donor.email_norm == norm["email_norm"]
        or DonorEmail.objects.filter(donor=donor, email_norm=norm["email_norm"]).exists()
    ):
        reasons.append("same email")
    if norm["phone_norm"] and (
        donor.phone_norm == norm["phone_norm"]
        or DonorPhone.objects.filter(donor=donor, phone_norm=norm["phone_norm"]).exists()
    ):
        reasons.append("same phone")
    if (
        norm["postal_norm"]
        and donor.postal_norm == norm["postal_norm"]
        and donor.name_norm
        and donor.name_norm
        in {
            normalize.name(values.get("first_name", ""), values.get("last_name", "")),
            normalize.name(values.get("organization_name", "")),
        }
    ):
        reasons.append("same name and postal code")
    return reasons


def donor_contacts(donor: Donor) -> dict[str, list[Any]]:
    """The donor's emails, phones and addresses, the primary first. A donor written outside
    the services (no rows yet) shows its columns as an unsaved primary row."""
    out: dict[str, list[Any]] = {}
    for plural, model, value_fields in (
        ("emails", DonorEmail, ("email",)),
        ("phones", DonorPhone, ("phone",)),
        (
            "addresses",
            DonorAddress,
            ("address_line1", "address_line2", "city", "state", "postal_code"),
        ),
    ):
        cache = getattr(donor, "_prefetched_objects_cache", {})
        rows = list(cache[plural]) if plural in cache else list(getattr(donor, plural).all())
        rows.sort(key=lambda r: (not r.is_primary, r.pk or 0))
        if not any(r.is_primary for r in rows) and any(getattr(donor, f) for f in value_fields):
            columns = {f: getattr(donor, f) for f in value_fields}
            if plural == "addresses":
                columns["country"] = donor.country
            rows.insert(
                0,
                model(
                    organization_id=donor.organization_id,
                    donor=donor,
                    is_primary=True,
                    **columns,
                ),
            )
        out[plural] = rows
    return out


def giving_summary(donor: Donor) -> DonorGivingSummary:
    """The donor's stored summary, or an empty (unsaved) one before the first gift."""
    row = DonorGivingSummary.objects.filter(donor=donor).first()
    return row or DonorGivingSummary(donor=donor, organization_id=donor.organization_id)


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
