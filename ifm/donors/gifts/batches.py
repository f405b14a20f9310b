"""Writes of gift batches: a deposit's worth of gifts entered together and posted at once.

* A batch carries the defaults of its gifts: date, fund, method, campaign, appeal and deposit
  account (`gift_batch_create`). `gift_batch_add` fills every field the caller leaves out from
  the batch, never from the gift entered before, so nothing carries over silently.
* While the batch is open its gifts are `pending` (no ledger entry): they can be changed
  (`gift_batch_gift_update`, with the gift's `version`) or removed (`gift_batch_gift_remove`,
  the row is deleted: it never reached the ledger).
* `gift_batch_post` posts the batch, when its count and total equal what the deposit slip says,
  as ONE deposit entry (source "deposit", the batch's id; posting.deposit_lines): one debit of
  the batch total to the deposit account, one credit per fund and revenue account. The batch
  and every gift in it point at that entry.
* Afterwards a gift of the batch is changed or voided from its own page (services.py): its
  share of the deposit is taken out by an entry of its own and the deposit stays as the bank
  saw it (posting.deposit_share_reversal).

Every gift of a batch is deposited with the batch (its deposit account), so only money received
belongs in a batch: in-kind and stock gifts are recorded on their own.
"""

from __future__ import annotations

from datetime import date as date_type
from typing import Any

from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import as_id, resolve
from ifm.donors import choices
from ifm.donors.gifts import selectors
from ifm.donors.gifts.posting import deposit_fund, deposit_lines
from ifm.donors.gifts.services import donation_record, donation_update, summary_refresh
from ifm.donors.models import (
    NON_CASH_METHODS,
    BatchStatus,
    Donation,
    DonationStatus,
    GiftBatch,
    Method,
    Pledge,
)
from ifm.donors.pledges.services import pledge_status_refresh
from ifm.donors.validation import Checker, clean_date, clean_text, money
from ifm.ledger.chart.selectors import general_fund
from ifm.ledger.journal.posting import post_entry
from ifm.ledger.models import SourceType
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

# The default of gift_batch_add's optional fields: take the batch's value.
FROM_BATCH: Any = ...

CASH_METHODS = [m for m in Method.values if m not in NON_CASH_METHODS]


def _optional(qs: Any, field: str, message: str) -> Any:
    return lambda v: None if v is None or v == "" else resolve(qs, v, field, message)


def _clean_defaults(c: Checker) -> None:
    """The batch's defaults for its gifts, each error on its field."""

    def method(v: Any) -> str:
        if v not in CASH_METHODS:
            raise ServiceError(
                "Choose cash, check, card, bank transfer or online (a batch is a deposit).",
                field="method",
            )
        return str(v)

    c.check("method", method)
    c.check(
        "fund",
        _optional(choices.active_funds(), "fund_id", "Choose an active fund of this organization."),
        error_field="fund_id",
    )
    c.check(
        "campaign",
        _optional(
            choices.active_campaigns(), "campaign_id", "Choose a campaign of this organization."
        ),
        error_field="campaign_id",
    )
    c.check(
        "appeal",
        _optional(choices.active_appeals(), "appeal_id", "Choose an appeal of this organization."),
        error_field="appeal_id",
    )
    c.check(
        "deposit_account",
        _optional(
            choices.deposit_accounts(),
            "deposit_account_id",
            "Choose a cash or bank account of this organization.",
        ),
        error_field="deposit_account_id",
    )


@org_service("donations.record")
def gift_batch_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    name: str,
    date: date_type,
    expected_count: int,
    expected_total: Any,
    deposit_account: Any = None,
    fund: Any = None,
    method: str = Method.CHECK,
    campaign: Any = None,
    appeal: Any = None,
) -> GiftBatch:
    """Open a batch for a deposit slip: its count and total, and the defaults of its gifts.
    The deposit account must be a cash or bank account (none: undeposited funds)."""
    c = Checker(
        {
            "name": name,
            "date": date,
            "expected_count": expected_count,
            "expected_total": expected_total,
            "deposit_account": deposit_account,
            "fund": fund,
            "method": method,
            "campaign": campaign,
            "appeal": appeal,
        }
    )
    c.check("name", lambda v: clean_text(v, "name", 200) or "")
    c.check("date", lambda v: clean_date(v, "date"))

    def count(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100_000:
            raise ServiceError("Give the number of gifts (1 to 100000).", field="expected_count")
        return v

    c.check("expected_count", count)
    c.check("expected_total", lambda v: money(v, "expected_total"))
    _clean_defaults(c)
    c.raise_if_errors()
    cleaned = c.cleaned
    if not cleaned["name"]:
        cleaned["name"] = f"Deposit {cleaned['date']:%Y-%m-%d}"
    batch = GiftBatch.objects.create(
        organization=organization, created_by=actor, updated_by=actor, **cleaned
    )
    audit_record(
        action="gift_batch.create",
        actor=actor,
        organization=organization,
        obj=batch,
        changes={
            "date": str(batch.date),
            "expected_count": batch.expected_count,
            "expected_total": str(batch.expected_total),
            "fund": batch.fund.code if batch.fund else None,
            "method": batch.method,
            "campaign": batch.campaign_id,
            "appeal": batch.appeal_id,
            "deposit_account": batch.deposit_account_id,
        },
    )
    return batch


def _open_batch(batch: Any) -> GiftBatch:
    row: GiftBatch = resolve(
        GiftBatch.objects.select_for_update(), batch, "batch_id", "No such batch."
    )
    if row.status != BatchStatus.OPEN:
        raise ConflictError(
            message="This batch has been posted: change its gifts from each gift's page."
        )
    return row


def _batch_gift(batch: GiftBatch, donation: Any) -> Donation:
    row = (
        Donation.objects.select_for_update(of=("self",))
        .filter(batch=batch, status=DonationStatus.PENDING, pk=as_id(donation) or 0)
        .first()
    )
    if row is None:
        raise ServiceError("No such gift in this batch.", field="donation_id")
    return row


@org_service("donations.record")
def gift_batch_add(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    batch: GiftBatch | int,
    donor: Any,
    amount: Any,
    check_number: str = "",
    date: Any = FROM_BATCH,
    method: Any = FROM_BATCH,
    fund: Any = FROM_BATCH,
    campaign: Any = FROM_BATCH,
    appeal: Any = FROM_BATCH,
    designation: str = "",
    anonymous: bool = False,
    notes: str = "",
) -> Donation:
    """Add a gift to an open batch. Every field left out takes the batch's default (date,
    method, fund or else the general fund, campaign, appeal); the deposit account is always
    the batch's."""
    row = _open_batch(batch)
    defaults = selectors.batch_defaults(row)
    given = {"date": date, "method": method, "fund": fund, "campaign": campaign, "appeal": appeal}
    values = {k: defaults[k] if v is FROM_BATCH else v for k, v in given.items()}
    return donation_record(
        organization=organization,
        actor=actor,
        access=access,
        donor=donor,
        amount=amount,
        check_number=check_number,
        designation=designation,
        anonymous=anonymous,
        notes=notes,
        batch=row,
        **values,
    )


@org_service("donations.record")
def gift_batch_gift_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    batch: GiftBatch | int,
    donation: Donation | int,
    expected_version: int,
    **fields: Any,
) -> Donation:
    """Change a gift waiting in an open batch (the fields of donation_update; a stale
    `expected_version` is a 409)."""
    row = _open_batch(batch)
    gift = _batch_gift(row, donation)
    return donation_update(
        organization=organization,
        actor=actor,
        access=access,
        donation=gift,
        expected_version=expected_version,
        **fields,
    )


@org_service("donations.record")
def gift_batch_gift_remove(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    batch: GiftBatch | int,
    donation: Donation | int,
) -> None:
    """Take a gift out of an open batch. It never reached the ledger, so it is deleted (with its
    soft credits); the audit log keeps what it was."""
    row = _open_batch(batch)
    gift = _batch_gift(row, donation)
    if gift.tax_receipts.exists():
        raise ConflictError(message="This gift has a receipt: void the gift instead.")
    audit_record(
        action="donation.delete",
        actor=actor,
        organization=organization,
        obj=gift,
        changes={
            "batch": row.pk,
            "donor": gift.donor_id,
            "amount": str(gift.amount),
            "date": str(gift.date),
            "fund": gift.fund_id,
        },
    )
    donor_id, pledge_id = gift.donor_id, gift.pledge_id
    gift.delete()
    if pledge_id is not None:
        pledge_status_refresh(Pledge.objects.get(pk=pledge_id))
    summary_refresh(organization, donor_id)


@org_service("donations.record")
def gift_batch_post(
    *, organization: Organization, actor: User, access: Access | None, batch: GiftBatch | int
) -> GiftBatch:
    """Post every pending gift of the batch as one deposit entry, all in this transaction,
    when the batch's count and total equal what was expected."""
    row = resolve(GiftBatch.objects.select_for_update(), batch, "batch_id", "No such batch.")
    if row.status != BatchStatus.OPEN:
        raise ConflictError(message="This batch has already been posted.")
    count, total = selectors.batch_totals(row)
    if count != row.expected_count or total != row.expected_total:
        raise ServiceError(
            f"The batch does not match: {count} gifts totalling {total:.2f} entered, "
            f"{row.expected_count} totalling {row.expected_total:.2f} expected.",
            field="expected_total" if count == row.expected_count else "expected_count",
        )
    donations = list(
        row.donations.select_for_update(of=("self",))
        .filter(status=DonationStatus.PENDING)
        .select_related("donor", "fund", "deposit_account")
        .order_by("pk")
    )
    entry = post_entry(
        organization=organization,
        actor=actor,
        date=row.date,
        lines=deposit_lines(
            gifts=donations,
            deposit_account=row.deposit_account,
            fund=deposit_fund(donations, default=row.fund, general=general_fund()),
            memo=f"Deposit {row.name}",
        ),
        memo=f"Deposit {row.name}: {count} gift{'s' if count != 1 else ''}"[:500],
        reference=f"BATCH-{row.pk}",
        source_type=SourceType.DEPOSIT,
        source_id=row.pk,
    )
    for donation in donations:
        donation.journal_entry = entry
        donation.status = DonationStatus.ACTIVE
    Donation.objects.bulk_update(donations, ["journal_entry", "status"])
    for donor_id in sorted({d.donor_id for d in donations}):
        summary_refresh(organization, donor_id)
    for pledge_id in sorted({d.pledge_id for d in donations if d.pledge_id}):
        pledge_status_refresh(Pledge.objects.get(pk=pledge_id))
    row.status = BatchStatus.POSTED
    row.posted_at = timezone.now()
    row.posted_by = actor
    row.journal_entry = entry
    row.save_versioned(
        expected_version=row.version,
        user=actor,
        fields=["status", "posted_at", "posted_by", "journal_entry"],
    )
    audit_record(
        action="gift_batch.post",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"count": count, "total": str(total), "journal_entry": entry.pk},
    )
    return row
