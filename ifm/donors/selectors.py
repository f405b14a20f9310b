"""Reads of the donors app: search, duplicate matching, giving, choices for forms.

Every query runs in the current organization (tenant managers), except `donor_duplicates`,
which takes the organization explicitly so imports can call it from a job.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from ifm.donors import normalize
from ifm.donors.models import (
    Appeal,
    BatchStatus,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    DonorGivingSummary,
    GiftBatch,
    Pledge,
)
from ifm.ledger import selectors as ledger_selectors
from ifm.tenancy.context import org_context

ZERO = Decimal("0.00")
MAX_QUERY = 200
PHONE_LIKE = re.compile(r"[0-9()+.\- ]+")


# --- Donors ------------------------------------------------------------------------------------


def donor_search(q: str = "", *, include_inactive: bool = False) -> QuerySet[Donor]:
    """Donors whose name, email, phone or postal code contains `q` (each word must match).

    search_text is lower-case, so a `contains` on the lower-cased word is a case-insensitive
    match; on PostgreSQL it uses the trigram index on search_text (migration 0001).
    Merged donors never show; inactive ones only when asked.
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
        return qs.filter(search_text__contains=digits)
    for word in text.split()[:8]:
        qs = qs.filter(search_text__contains=word.lower())
    return qs


def donor_duplicates(
    *,
    organization: Any,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    organization_name: str = "",
    postal_code: str = "",
    phone: str = "",
    exclude_id: int | None = None,
) -> list[Donor]:
    """Existing (unmerged) donors that are probably the same: the same normalized email, the
    same normalized name and postal code, or the same normalized phone number."""
    e = normalize.email(email)
    p = normalize.phone(phone)
    z = normalize.postal(postal_code)
    names = {
        n for n in (normalize.name(first_name, last_name), normalize.name(organization_name)) if n
    }
    cond = Q()
    if e:
        cond |= Q(email_norm=e)
    if p:
        cond |= Q(phone_norm=p)
    if names and z:
        cond |= Q(name_norm__in=names, postal_norm=z)
    if not cond:
        return []
    with org_context(organization):
        qs = Donor.objects.filter(cond, merged_into__isnull=True)
        if exclude_id is not None:
            qs = qs.exclude(pk=exclude_id)
        return list(qs.order_by("pk")[:20])


def duplicate_reasons(donor: Donor, values: dict[str, Any]) -> list[str]:
    """Why `donor` matched the given field values, for showing beside the match."""
    norm = normalize.donor_fields(values)
    reasons = []
    if norm["email_norm"] and donor.email_norm == norm["email_norm"]:
        reasons.append("same email")
    if norm["phone_norm"] and donor.phone_norm == norm["phone_norm"]:
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


def giving_summary(donor: Donor) -> DonorGivingSummary:
    """The donor's stored summary, or an empty (unsaved) one before the first gift."""
    row = DonorGivingSummary.objects.filter(donor=donor).first()
    return row or DonorGivingSummary(donor=donor, organization_id=donor.organization_id)


def giving_aggregate(donor_id: int, *, year: int) -> dict[str, Any]:
    """The giving summary computed afresh from the donations (what the stored row must equal)."""
    active = Donation.objects.filter(donor_id=donor_id, status=DonationStatus.ACTIVE)
    row = active.aggregate(
        first_gift_date=Min("date"),
        last_gift_date=Max("date"),
        largest_gift=Max("amount"),
        lifetime_total=Sum("amount"),
        gift_count=Count("pk"),
        this_year_total=Sum("amount", filter=Q(date__year=year)),
        last_year_total=Sum("amount", filter=Q(date__year=year - 1)),
    )
    for key in ("largest_gift", "lifetime_total", "this_year_total", "last_year_total"):
        row[key] = row[key] or ZERO
    return row


def donations_for(donor: Donor) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(donor=donor)
        .select_related("fund", "campaign", "appeal")
        .order_by("-date", "-id")
    )


def donation_list(
    *,
    q: str = "",
    status: str = "",
    method: str = "",
    fund_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Donation]:
    qs = Donation.objects.select_related("donor", "fund")
    if q:
        qs = qs.filter(donor__in=donor_search(q, include_inactive=True))
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    if fund_id:
        qs = qs.filter(fund_id=fund_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "-id")


def pledge_balance(pledge: Pledge) -> Decimal:
    return pledge.balance_due


def batch_totals(batch: GiftBatch) -> tuple[int, Decimal]:
    """(count, total) of the live donations entered into the batch."""
    row = batch.donations.exclude(status=DonationStatus.VOIDED).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    return int(row["n"] or 0), row["total"] or ZERO


def open_batches() -> QuerySet[GiftBatch]:
    return GiftBatch.objects.filter(status=BatchStatus.OPEN)


# --- Choices -----------------------------------------------------------------------------------


active_funds = ledger_selectors.active_funds


def deposit_accounts() -> QuerySet[Any]:
    """Active asset accounts that take postings: where gifts may be deposited."""
    return ledger_selectors.postable_accounts(type="asset")


def active_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_active=True)


def active_appeals() -> QuerySet[Appeal]:
    return Appeal.objects.filter(is_active=True)


def last_donation(donor: Donor) -> Donation | None:
    """The donor's latest gift: defaults for the next entry."""
    return Donation.objects.filter(donor=donor).order_by("-date", "-id").first()
