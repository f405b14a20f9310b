"""Merging two donors into one, and finding the duplicates worth merging.

The merge moves the duplicate's gifts, pledges, contacts, notes, tags and receipts to the
donor kept, refreshes the giving summary of both, and leaves the duplicate as a pointer
(merged_into) so old links and references still lead somewhere.
"""

from __future__ import annotations

from typing import Any

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import as_id
from ifm.donors.gifts.services import summary_refresh
from ifm.donors.models import (
    Donor,
    DonorAddress,
    DonorEmail,
    DonorGivingSummary,
    DonorGivingYear,
    DonorPhone,
    SoftCredit,
)
from ifm.donors.people import selectors as people_selectors
from ifm.donors.people.contacts import CONTACT_KINDS, apply_norms, sync_primary
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

# --- Merge -------------------------------------------------------------------------------------


# The fields `keep` takes from `merge` where it has none.
FILLED_FIELDS = (
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "salutation",
    "household",
)


@org_service("donors.edit")
def donor_merge(
    *, organization: Organization, actor: User, access: Access | None, keep: Donor, merge: Donor
) -> Donor:
    """Fold `merge` into `keep`: every row that points at `merge` (donations, soft credits,
    notes, pledges, recurring gifts, receipts, and any other model with a foreign key to Donor)
    now points at `keep`; tags are added; `keep` takes the household and contact details it
    lacks. `merge` stays, inactive, with merged_into = keep. Both giving summaries are redone."""
    keep_row, merge_row = _lock_pair(keep, merge)
    moved = _move_rows(keep_row, merge_row)
    moved.update(_move_contacts(keep_row, merge_row))
    keep_row.tags.add(*merge_row.tags.all())
    filled = _fill_from(keep_row, merge_row)
    filled += [f for f in sync_primary(organization, keep_row) if f not in filled]
    norm_fields = apply_norms(keep_row)
    keep_row.save_versioned(
        expected_version=keep_row.version, user=actor, fields=filled + norm_fields
    )
    _retire(merge_row, keep_row, actor)
    summary_refresh(organization, keep_row.pk)
    summary_refresh(organization, merge_row.pk)
    audit_record(
        action="donor.merge",
        actor=actor,
        organization=organization,
        obj=keep_row,
        changes={
            "merged": {"id": merge_row.pk, "name": merge_row.name, "email": merge_row.email},
            "moved": moved,
            "filled": filled,
        },
    )
    return keep_row


def _lock_pair(keep: Donor | int, merge: Donor | int) -> tuple[Donor, Donor]:
    """Both donors, locked (in id order), once each and neither merged before."""
    ids = sorted(i for i in (as_id(keep), as_id(merge)) if i is not None)
    rows = {d.pk: d for d in Donor.objects.select_for_update().filter(pk__in=ids)}
    keep_row = rows.get(as_id(keep))  # type: ignore[arg-type]
    merge_row = rows.get(as_id(merge))  # type: ignore[arg-type]
    if keep_row is None:
        raise ServiceError("No such donor.", field="keep_id")
    if merge_row is None:
        raise ServiceError("No such donor.", field="merge_id")
    if keep_row.pk == merge_row.pk:
        raise ServiceError("Choose two different donors.", field="merge_id")
    if keep_row.merged_into_id or merge_row.merged_into_id:
        raise ServiceError("One of these donors was already merged.", field="merge_id")
    return keep_row, merge_row


def _moves_by_key(rel: Any) -> bool:
    """A relation whose rows move by pointing their foreign key at `keep`: every one-to-many
    relation but the donor's own (merged_into), its giving summary and years (both rewritten
    from the gifts) and its contacts."""
    if rel.related_model in (
        Donor,
        DonorGivingSummary,
        DonorGivingYear,
        DonorEmail,
        DonorPhone,
        DonorAddress,
    ):
        return False
    return bool(rel.one_to_many)


def _move_rows(keep_row: Donor, merge_row: Donor) -> dict[str, int]:
    """Point every row of another model at `keep`; the count moved, by model."""
    moved: dict[str, int] = {}
    for rel in Donor._meta.related_objects:
        if not _moves_by_key(rel):
            continue
        model = rel.related_model
        if model is SoftCredit:
            # One soft credit per (donation, donor): drop merge's where keep already has one.
            taken = SoftCredit.objects.filter(donor=keep_row).values("donation_id")
            SoftCredit.objects.filter(donor=merge_row, donation_id__in=taken).delete()
        count = model._base_manager.filter(**{rel.field.name: merge_row}).update(
            **{rel.field.name: keep_row}
        )
        if count:
            moved[model._meta.label_lower] = count
    return moved


def _move_contacts(keep_row: Donor, merge_row: Donor) -> dict[str, int]:
    """Merge's contacts become keep's secondary ones (the same ones once); the count moved."""
    moved: dict[str, int] = {}
    for kind in CONTACT_KINDS.values():
        have = {kind.key(r) for r in kind.rows_of(keep_row)}
        count = 0
        for row in kind.rows_of(merge_row):
            if kind.key(row) in have:
                row.delete()
                continue
            have.add(kind.key(row))
            row.donor, row.is_primary = keep_row, False
            row.save(update_fields=["donor", "is_primary"])
            count += 1
        if count:
            moved[kind.model._meta.label_lower] = count
    return moved


def _fill_from(keep_row: Donor, merge_row: Donor) -> list[str]:
    """Give `keep` merge's value of each of FILLED_FIELDS it lacks; the fields filled."""
    filled = []
    for field in FILLED_FIELDS:
        if not getattr(keep_row, field) and getattr(merge_row, field):
            setattr(keep_row, field, getattr(merge_row, field))
            filled.append(field)
    return filled


def _retire(merge_row: Donor, keep_row: Donor, actor: User) -> None:
    """Leave `merge` inactive, pointing at `keep`."""
    apply_norms(merge_row)  # its contacts moved: search finds it by them no more
    merge_row.is_active = False
    merge_row.merged_into = keep_row
    merge_row.household = None  # its household now counts the kept donor, not it
    merge_row.save_versioned(
        expected_version=merge_row.version,
        user=actor,
        fields=["is_active", "merged_into", "household", "search_text"],
    )


def duplicate_values(donor: Donor) -> dict[str, Any]:
    """The donor's fields as donor_duplicates takes them, with every email and phone."""
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
    matches = people_selectors.donor_duplicates(
        organization=donor.organization_id,
        emails=list(donor.emails.values_list("email", flat=True)),
        phones=list(donor.phones.values_list("phone", flat=True)),
        exclude_id=donor.pk,
        **values,
    )
    return [
        {
            "donor": m,
            "reasons": people_selectors.duplicate_reasons(m, values) or ["same contact details"],
        }
        for m in matches
    ]


def merge_preview(keep: Donor, duplicate: Donor) -> dict[str, Any]:
    """What merging `duplicate` into `keep` moves: counts of rows, the tags and contact details
    `keep` gains, and the fields it takes because it has none."""
    contacts = {
        k: people_selectors.donor_contacts(d) for k, d in (("keep", keep), ("dup", duplicate))
    }

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
            "keep": people_selectors.giving_summary(keep),
            "dup": people_selectors.giving_summary(duplicate),
        },
    }
