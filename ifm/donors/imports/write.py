"""The commit of an import's checked rows: donors with their contacts, or donations with their
journal entries, in bulk; and the giving summaries they change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from ifm.accounts.models import User
from ifm.core.bulk import insert_columns, reserve_ids
from ifm.core.org_context import require_org_id
from ifm.donors import normalize
from ifm.donors.gifts.posting import RoleAccounts, gift_entry_memo, gift_lines
from ifm.donors.gifts.rollup import giving_years_refresh
from ifm.donors.imports.check import CheckResult
from ifm.donors.imports.mapping import KIND_DONORS
from ifm.donors.models import (
    Appeal,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    DonorAddress,
    DonorEmail,
    DonorGivingSummary,
    DonorKind,
    DonorPhone,
    ImportKey,
    ImportRun,
    Tag,
)
from ifm.ledger.journal.posting import EntryInput, post_entries
from ifm.tenancy.models import Organization


def _write_keys(run: Any, kind: str, pairs: list[tuple[str, int]]) -> None:

    insert_columns(
        ImportKey,
        {
            "organization_id": run.organization_id,
            "kind": kind,
            "key": [k for k, _pk in pairs],
            "object_id": [pk for _k, pk in pairs],
            "run_id": run.pk,
        },
        len(pairs),
    )


def _write_donors(
    organization: Organization, actor: User | None, run: Any, result: CheckResult
) -> int:

    created_by = actor if getattr(actor, "is_authenticated", False) else None
    new_rows = [p for p in result.rows if "match" not in p and "same_as" not in p]
    donors = Donor.objects.bulk_create(
        [
            Donor(
                organization=organization,
                created_by=created_by,
                **{**p["values"], "kind": p["values"].get("kind", DonorKind.INDIVIDUAL)},
                **p["norm"],
            )
            for p in new_rows
        ],
        batch_size=2000,
    )
    for p, donor in zip(new_rows, donors, strict=True):
        p["donor_id"] = donor.pk
    _write_primary_contacts(organization, donors)
    _write_secondary_contacts(organization, new_rows, donors)
    pairs = []
    for p in result.rows:
        if "match" in p:
            pairs.append((p["key"], p["match"]))
        elif "same_as" in p:
            pairs.append((p["key"], result.rows[p["same_as"]]["donor_id"]))
        else:
            pairs.append((p["key"], p["donor_id"]))
    _write_keys(run, "donors", pairs)
    _write_tags(organization, result.rows, [pk for _key, pk in pairs])
    return len(donors)


def _write_tags(
    organization: Organization, rows: Sequence[dict[str, Any]], donor_ids: Sequence[int]
) -> None:
    """Give each row's donor (new, or the existing one it matched) the row's tags, making
    the organization's missing tags (a name is one tag whatever its case). Tags a donor
    has already are kept; none is taken away."""
    wanted: dict[str, str] = {}  # the first spelling of each name in the file
    for p in rows:
        for name in p.get("tags", ()):
            wanted.setdefault(name.lower(), name)
    if not wanted:
        return
    by_name = {t.name.lower(): t.pk for t in Tag.objects.all()}
    missing = [name for key, name in sorted(wanted.items()) if key not in by_name]
    for tag in Tag.objects.bulk_create(
        [Tag(organization=organization, name=name) for name in missing], batch_size=2000
    ):
        by_name[tag.name.lower()] = tag.pk
    through = Donor.tags.through
    links = {
        (donor_id, by_name[name.lower()])
        for p, donor_id in zip(rows, donor_ids, strict=True)
        for name in p.get("tags", ())
    }
    through.objects.bulk_create(
        [through(donor_id=d, tag_id=t) for d, t in sorted(links)],
        batch_size=2000,
        ignore_conflicts=True,
    )


def _write_primary_contacts(organization: Organization, donors: Sequence[Any]) -> None:
    """The primary email, phone and address rows of new donors (equal to their columns)."""

    address = ("address_line1", "address_line2", "city", "state", "postal_code")
    common = {"organization": organization, "is_primary": True}
    DonorEmail.objects.bulk_create(
        [
            DonorEmail(donor=d, email=d.email, email_norm=d.email_norm, **common)
            for d in donors
            if d.email
        ],
        batch_size=2000,
    )
    DonorPhone.objects.bulk_create(
        [
            DonorPhone(donor=d, phone=d.phone, phone_norm=d.phone_norm, **common)
            for d in donors
            if d.phone
        ],
        batch_size=2000,
    )
    DonorAddress.objects.bulk_create(
        [
            DonorAddress(
                donor=d, country=d.country, **{f: getattr(d, f) for f in address}, **common
            )
            for d in donors
            if any(getattr(d, f) for f in address)
        ],
        batch_size=2000,
    )


def _write_secondary_contacts(
    organization: Organization, rows: Sequence[dict[str, Any]], donors: Sequence[Any]
) -> None:
    """The further emails and phones of new donors (the file's Email 2, Work Phone ...), as
    secondary rows; the donors' search_text already holds them (_check_donors)."""

    common = {"organization": organization, "is_primary": False}
    pairs = list(zip(rows, donors, strict=True))
    DonorEmail.objects.bulk_create(
        [
            DonorEmail(donor=d, email=e, email_norm=normalize.email(e), label=label, **common)
            for p, d in pairs
            for e, label in p["emails"]
        ],
        batch_size=2000,
    )
    DonorPhone.objects.bulk_create(
        [
            DonorPhone(donor=d, phone=x, phone_norm=normalize.phone(x), label=label, **common)
            for p, d in pairs
            for x, label in p["phones"]
        ],
        batch_size=2000,
    )


def _write_donations(
    organization: Organization, actor: User | None, run: Any, result: CheckResult
) -> int:
    """Donations in bulk with the invariants of donation_record: each one its own balanced
    journal entry (source "donation", linked both ways), giving summaries rewritten."""

    rows = result.rows
    if not rows:
        return 0
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    # Campaigns and appeals named in the file that do not exist yet.
    for field_name, model in (("campaign", Campaign), ("appeal", Appeal)):
        missing = sorted(
            {p[field_name] for p in rows if p[field_name] and not p[f"{field_name}_id"]},
            key=str.lower,
        )
        made: dict[str, int] = {}
        for name in missing:
            if name.lower() not in made:
                made[name.lower()] = model.objects.create(organization=organization, name=name).pk
        for p in rows:
            if p[field_name] and not p[f"{field_name}_id"]:
                p[f"{field_name}_id"] = made[p[field_name].lower()]

    accounts = RoleAccounts()
    names = {
        donor.pk: donor.name
        for donor in Donor.objects.filter(pk__in={p["donor_id"] for p in rows}).only(
            "kind", "first_name", "last_name", "organization_name"
        )
    }
    ids = reserve_ids(Donation, len(rows))
    entries = []
    for pk, p in zip(ids, rows, strict=True):
        name = names[p["donor_id"]]
        reference = f"GIFT-{pk}"
        entries.append(
            EntryInput(
                date=p["date"],
                lines=gift_lines(
                    amount=p["amount"],
                    fund=p["fund"],
                    method=p["method"],
                    donor_name=name,
                    accounts=accounts,
                ),
                memo=gift_entry_memo(reference, name, note=f"import {run.pk}, row {p['row']}"),
                reference=reference,
                source_id=pk,
            )
        )
    posted = post_entries(
        organization=organization,
        actor=actor,
        entries=entries,
        source_type="donation",
        audit_obj=run,
    )
    now = timezone.now()
    name = run.file_name or "a file"
    insert_columns(
        Donation,
        {
            "id": ids,
            "organization_id": organization.pk,
            "donor_id": [p["donor_id"] for p in rows],
            "date": [p["date"] for p in rows],
            "amount": [p["amount"] for p in rows],
            "method": [p["method"] for p in rows],
            "check_number": [p["check_number"] for p in rows],
            "description": [p["description"] for p in rows],
            "fund_id": [p["fund"].pk for p in rows],
            "campaign_id": [p["campaign_id"] for p in rows],
            "appeal_id": [p["appeal_id"] for p in rows],
            "designation": [p["designation"] for p in rows],
            "goods_services_description": [p["goods_services_description"] for p in rows],
            "goods_services_value": [p["goods_services_value"] for p in rows],
            "anonymous": [p["anonymous"] for p in rows],
            "notes": [
                f"Imported from {name}, row {p['row']}."
                + (f" Reference: {p['reference']}." if p["reference"] else "")
                for p in rows
            ],
            "status": "active",
            "journal_entry_id": posted,
            "created_by_id": created_by.pk if created_by else None,
            "created_at": now,
            "updated_at": now,
            "updated_by_id": created_by.pk if created_by else None,
            "version": 1,
        },
        len(rows),
    )
    _write_keys(run, "donations", [(p["key"], pk) for pk, p in zip(ids, rows, strict=True)])
    summaries_refresh(donor_ids={p["donor_id"] for p in rows})
    giving_years_refresh(organization, {p["donor_id"] for p in rows})
    return len(rows)


def summaries_refresh(*, donor_ids: Iterable[int]) -> None:
    """Rewrite the giving summaries of these donors from their donations, in a few grouped
    queries (the same figures as selectors.giving_aggregate, for many donors at once)."""

    year = timezone.localdate().year
    wanted = sorted(set(donor_ids))
    now = timezone.now()
    organization_id = require_org_id()
    for i in range(0, len(wanted), 5000):
        chunk = wanted[i : i + 5000]
        figures = {
            row["donor_id"]: row
            for row in Donation.objects.filter(donor_id__in=chunk, status=DonationStatus.ACTIVE)
            .values("donor_id")
            .annotate(
                first_gift_date=Min("date"),
                last_gift_date=Max("date"),
                largest_gift=Max("amount"),
                lifetime_total=Sum("amount"),
                gift_count=Count("pk"),
                this_year_total=Sum("amount", filter=Q(date__year=year)),
                last_year_total=Sum("amount", filter=Q(date__year=year - 1)),
            )
        }
        existing = {s.donor_id: s for s in DonorGivingSummary.objects.filter(donor_id__in=chunk)}
        fields = [
            "first_gift_date",
            "last_gift_date",
            "largest_gift",
            "lifetime_total",
            "gift_count",
            "this_year_total",
            "last_year_total",
        ]
        changed: list[DonorGivingSummary] = []
        new: list[DonorGivingSummary] = []
        for donor_id in chunk:
            row: dict[str, Any] = dict(figures.get(donor_id) or {})
            summary = existing.get(donor_id) or DonorGivingSummary(
                organization_id=organization_id, donor_id=donor_id
            )
            for name in fields:
                value = row.get(name)
                if value is None and name not in ("first_gift_date", "last_gift_date"):
                    value = 0 if name == "gift_count" else Decimal("0.00")
                setattr(summary, name, value)
            summary.year = year
            summary.updated_at = now
            (changed if summary.pk else new).append(summary)
        DonorGivingSummary.objects.bulk_update(
            changed, [*fields, "year", "updated_at"], batch_size=2000
        )
        insert_columns(
            DonorGivingSummary,
            {
                "organization_id": organization_id,
                "donor_id": [summary.donor_id for summary in new],
                **{name: [getattr(summary, name) for summary in new] for name in fields},
                "year": year,
                "updated_at": now,
            },
            len(new),
        )


def write_rows(
    organization: Organization, actor: User | None, run: ImportRun, result: CheckResult
) -> int:
    """Write the checked rows of `result` (donors or donations) for `run`; how many were made."""
    if result.kind == KIND_DONORS:
        return _write_donors(organization, actor, run, result)
    return _write_donations(organization, actor, run, result)
