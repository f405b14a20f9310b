"""Reads of the donors app: search, duplicate matching, giving, choices for forms.

Every query runs in the current organization (tenant managers), except `donor_duplicates`,
which takes the organization explicitly so imports can call it from a job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from ifm.core.org_context import org_context
from ifm.donors import normalize
from ifm.donors.models import (
    Appeal,
    BatchStatus,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    DonorAddress,
    DonorEmail,
    DonorGivingSummary,
    DonorPhone,
    GiftBatch,
    Pledge,
)
from ifm.ledger import selectors as ledger_selectors

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
    campaign_id: int | None = None,
    appeal_id: int | None = None,
) -> QuerySet[Donation]:
    qs = Donation.objects.select_related("donor", "fund", "campaign", "appeal")
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if appeal_id:
        qs = qs.filter(appeal_id=appeal_id)
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


def donation_totals(donations: QuerySet[Donation]) -> dict[str, Any]:
    """Count and sum of the live (not voided) donations among these."""
    row = donations.exclude(status=DonationStatus.VOIDED).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    return {"count": int(row["n"] or 0), "total": row["total"] or ZERO}


def campaign_totals() -> dict[int, dict[str, Any]]:
    """Per campaign: live gifts, their total and how many donors gave."""
    rows = (
        Donation.objects.exclude(status=DonationStatus.VOIDED)
        .filter(campaign__isnull=False)
        .values("campaign_id")
        .annotate(n=Count("pk"), total=Sum("amount"), donors=Count("donor_id", distinct=True))
    )
    return {
        r["campaign_id"]: {"count": r["n"], "total": r["total"] or ZERO, "donors": r["donors"]}
        for r in rows
    }


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
