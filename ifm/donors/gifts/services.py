"""Writes of gifts: donations (posted through the ledger in the same transaction), soft
credits, campaigns and appeals, gift batches; and the giving summary kept beside every donor.

Posting a donation (ledger source_type "donation", source_id the donation's id):

* cash, check, card, bank transfer, online: debit undeposited funds (or the deposit account
  given), credit contributions of the fund's net-asset class (contributions_without /
  contributions_with). The whole amount is credited to contributions, including the part that
  bought goods or services (the receipt states the deductible part).
* in-kind and stock: debit the in-kind expense (or the asset account given as
  deposit_account), credit in-kind contributions.

Editing the amount, fund, date, method or deposit account of a posted donation reverses its
entry and posts a new one; voiding reverses it. A donation entered into an open gift batch is
`pending` and posts when the batch posts (gifts/batches.py: all of the batch in one transaction,
as one deposit entry, only when its count and total match what was expected). A gift of a posted
batch points at the deposit entry, which is never reversed for one gift: voiding or re-posting
such a gift takes out just its share with an entry of its own (posting.deposit_share_reversal).

Money received (cash, check, card, transfer, online) is deposited only to a cash or bank account
(ledger.chart.selectors.cash_accounts); an in-kind or stock gift may name any asset account
(securities, say) that takes postings.

The giving summary (DonorGivingSummary) and the donor's giving years (DonorGivingYear, see
gifts/rollup.py) are recomputed from the donor's donations inside the transaction of every
donation write, so they can never disagree with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date as date_type
from typing import Any

from django.db import models
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import as_id, resolve
from ifm.donors import choices
from ifm.donors.gifts import selectors
from ifm.donors.gifts.posting import deposit_share_reversal, gift_entry_memo, gift_lines
from ifm.donors.gifts.rollup import giving_years_refresh
from ifm.donors.models import (
    NON_CASH_METHODS,
    Appeal,
    BatchStatus,
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    DonorGivingSummary,
    GiftBatch,
    Method,
    Pledge,
    PledgeStatus,
    RecurringGift,
    SoftCredit,
)
from ifm.donors.pledges.services import (
    advance_recurring,
    pledge_payment,
    pledge_status_refresh,
    relink_pledge,
)
from ifm.donors.validation import (
    ZERO,
    Checker,
    clean_bool,
    clean_date,
    clean_long_text,
    clean_text,
    money,
    reject_unknown,
)
from ifm.ledger.journal.posting import post_entry, reverse_entry
from ifm.ledger.models import JournalEntry, Period, PeriodStatus, SourceType
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

DONATION_FIELDS = (
    "amount",
    "date",
    "method",
    "fund",
    "check_number",
    "description",
    "goods_services_description",
    "goods_services_value",
    "campaign",
    "appeal",
    "designation",
    "anonymous",
    "notes",
    "deposit_account",
)
# Changing one of these on a posted donation reverses its entry and posts a new one.
POSTING_FIELDS = {"amount", "date", "method", "fund", "deposit_account"}


# --- Campaigns and appeals ---------------------------------------------------------------------


def _clean_campaign_plan(goal: Any, start_date: Any, end_date: Any) -> dict[str, Any]:
    """A campaign's goal (above zero, or none) and dates (the end not before the start)."""
    c = Checker({"goal": goal, "start_date": start_date, "end_date": end_date})

    def optional(fn: Any) -> Any:
        return lambda v: None if v is None or v == "" else fn(v)

    c.check("goal", optional(lambda v: money(v, "goal")))
    c.check("start_date", optional(lambda v: clean_date(v, "start_date")))
    c.check("end_date", optional(lambda v: clean_date(v, "end_date")))
    c.raise_if_errors()
    start, end = c.cleaned["start_date"], c.cleaned["end_date"]
    if start is not None and end is not None and end < start:
        raise ServiceError("The campaign cannot end before it starts.", field="end_date")
    return c.cleaned


@org_service("donations.record")
def campaign_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    name: str,
    goal: Any = None,
    start_date: Any = None,
    end_date: Any = None,
) -> Campaign:
    """A campaign, with an optional goal (what it means to raise) and dates it runs."""
    text = clean_text(name, "name", 200)
    if not text:
        raise ServiceError("Name the campaign.", field="name")
    if Campaign.objects.filter(name__iexact=text).exists():
        raise ServiceError("A campaign of that name exists.", field="name")
    plan = _clean_campaign_plan(goal, start_date, end_date)
    row = Campaign.objects.create(organization=organization, name=text, **plan)
    audit_record(
        action="campaign.create",
        actor=actor,
        organization=organization,
        obj=row,
        changes={k: str(v) if v is not None else None for k, v in plan.items()},
    )
    return row


@org_service("donations.record")
def campaign_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    campaign: Campaign | int,
    expected_version: int,
    **fields: Any,
) -> Campaign:
    """Change a campaign's name, goal, dates or whether it is active (only the fields given;
    None clears the goal or a date). A stale `expected_version` is a 409."""
    reject_unknown(fields, ("name", "goal", "start_date", "end_date", "is_active"))
    row = resolve(Campaign.objects.all(), campaign, "campaign_id", "No such campaign.")
    before = {k: getattr(row, k) for k in fields}
    if "name" in fields:
        text = clean_text(fields["name"], "name", 200)
        if not text:
            raise ServiceError("Name the campaign.", field="name")
        if Campaign.objects.filter(name__iexact=text).exclude(pk=row.pk).exists():
            raise ServiceError("A campaign of that name exists.", field="name")
        row.name = text
    if "is_active" in fields:
        row.is_active = clean_bool(fields["is_active"], "is_active")
    plan = {k: fields.get(k, getattr(row, k)) for k in ("goal", "start_date", "end_date")}
    for key, value in _clean_campaign_plan(**plan).items():
        setattr(row, key, value)
    row.save_versioned(expected_version=expected_version, user=actor, fields=list(fields))
    changes = {
        k: {"before": str(before[k]), "after": str(getattr(row, k))}
        for k in fields
        if before[k] != getattr(row, k)
    }
    audit_record(
        action="campaign.update", actor=actor, organization=organization, obj=row, changes=changes
    )
    return row


@org_service("donations.record")
def appeal_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    name: str,
    campaign: Campaign | None = None,
) -> Appeal:
    text = clean_text(name, "name", 200)
    if not text:
        raise ServiceError("Name the appeal.", field="name")
    if Appeal.objects.filter(name__iexact=text).exists():
        raise ServiceError("An appeal of that name exists.", field="name")
    camp = None
    if campaign is not None:
        camp = resolve(Campaign.objects.all(), campaign, "campaign_id", "No such campaign.")
    row = Appeal.objects.create(organization=organization, name=text, campaign=camp)
    audit_record(action="appeal.create", actor=actor, organization=organization, obj=row)
    return row


# --- Giving summary ----------------------------------------------------------------------------


def summary_refresh(organization: Organization, donor_id: int) -> DonorGivingSummary:
    """Recompute the donor's summary and giving years from the donations, in the caller's
    transaction."""
    giving_years_refresh(organization, [donor_id])
    year = timezone.localdate().year
    values = selectors.giving_aggregate(donor_id, year=year)
    summary, _ = DonorGivingSummary.objects.update_or_create(
        donor_id=donor_id,
        defaults={
            **values,
            "year": year,
            "updated_at": timezone.now(),
            "organization": organization,
        },
    )
    return summary


# --- Donations ---------------------------------------------------------------------------------


def _clean_donation(values: dict[str, Any], *, organization: Organization) -> dict[str, Any]:
    c = Checker(values)

    def method(v: Any) -> str:
        if v not in Method.values:
            raise ServiceError(
                "Choose cash, check, card, bank transfer, online, in-kind or stock.",
                field="method",
            )
        return str(v)

    def optional(fn: Any) -> Any:
        return lambda v: None if v is None or v == "" else fn(v)

    c.check("amount", lambda v: money(v, "amount"))
    c.check(
        "goods_services_value", lambda v: money(v or "0", "goods_services_value", allow_zero=True)
    )
    c.check("date", lambda v: clean_date(v, "date"))
    c.check("method", method)
    c.check("check_number", lambda v: clean_text(v, "check_number", 30))
    c.check("description", lambda v: clean_long_text(v, "description", 2000))
    c.check(
        "goods_services_description",
        lambda v: clean_long_text(v, "goods_services_description", 2000),
    )
    c.check("designation", lambda v: clean_text(v, "designation", 500))
    c.check("notes", lambda v: clean_long_text(v, "notes", 5000))
    c.check("anonymous", lambda v: clean_bool(v, "anonymous"))
    c.check(
        "fund",
        lambda v: resolve(
            choices.active_funds(), v, "fund_id", "Choose an active fund of this organization."
        ),
        error_field="fund_id",
    )
    c.check(
        "campaign",
        optional(
            lambda v: resolve(
                Campaign.objects.all(), v, "campaign_id", "Choose a campaign of this organization."
            )
        ),
        error_field="campaign_id",
    )
    c.check(
        "appeal",
        optional(
            lambda v: resolve(
                Appeal.objects.all(), v, "appeal_id", "Choose an appeal of this organization."
            )
        ),
        error_field="appeal_id",
    )
    c.check(
        "deposit_account",
        optional(
            lambda v: resolve(
                choices.asset_accounts(),
                v,
                "deposit_account_id",
                "Choose an active asset account of this organization.",
            )
        ),
        error_field="deposit_account_id",
    )
    c.raise_if_errors()
    return c.cleaned


def _check_donation(donation: Donation) -> None:
    """Rules across fields, checked on the donation as it will be saved."""
    c = Checker({})
    if donation.goods_services_value > donation.amount:
        c.add(
            "goods_services_value",
            "The value of goods or services cannot be more than the amount given.",
        )
    if donation.goods_services_value > 0 and not donation.goods_services_description:
        c.add("goods_services_description", "Describe the goods or services the donor received.")
    if donation.method in NON_CASH_METHODS and not donation.description:
        c.add("description", "Describe what was given (the receipt names it without a value).")
    if donation.method != Method.CHECK and donation.check_number:
        c.add("check_number", "A check number goes with the check method only.")
    account = donation.deposit_account
    if account is not None and donation.method not in NON_CASH_METHODS and not account.is_cash:
        c.add(
            "deposit_account_id",
            f"{account} is not a cash or bank account: money received is deposited to one.",
        )
    batch = donation.batch
    if batch is not None and donation.status == DonationStatus.PENDING:
        if donation.method in NON_CASH_METHODS:
            c.add(
                "method",
                "In-kind and stock gifts are not deposited: record them outside the batch.",
            )
        if donation.deposit_account_id != batch.deposit_account_id:
            c.add("deposit_account_id", "A gift in a batch is deposited with the batch.")
    c.raise_if_errors()


def post_donation(organization: Organization, actor: User, donation: Donation) -> None:
    entry = post_entry(
        organization=organization,
        actor=actor,
        date=donation.date,
        lines=gift_lines(
            amount=donation.amount,
            fund=donation.fund,
            method=donation.method,
            donor_name=donation.donor.name,
            deposit_account=donation.deposit_account,
        ),
        memo=gift_entry_memo(donation.reference, donation.donor.name),
        reference=donation.reference,
        source_type="donation",
        source_id=donation.pk,
    )
    donation.journal_entry = entry


def _reverse_gift(
    organization: Organization,
    actor: User,
    donation: Donation,
    *,
    share: list[Any] | None,
    memo: str,
    date: date_type | None = None,
) -> JournalEntry:
    """Take a posted gift out of the ledger: reverse its own entry, or, when it points at a
    batch's deposit entry, post the reversal of just its share (`share`, the lines computed
    before the gift changed)."""
    entry = donation.journal_entry
    assert entry is not None
    if share is None:
        return reverse_entry(
            organization=organization, actor=actor, entry=entry, date=date, memo=memo[:500]
        )
    return post_entry(
        organization=organization,
        actor=actor,
        date=date or entry.date,
        lines=share,
        memo=f"{memo} (its share of deposit {entry})"[:500],
        reference=donation.reference,
        source_type=SourceType.DONATION,
        source_id=donation.pk,
    )


def _deposit_share(donation: Donation) -> list[Any] | None:
    """The lines reversing the gift's share of its batch's deposit entry, when it has one."""
    entry = donation.journal_entry
    if (
        donation.status != DonationStatus.ACTIVE
        or entry is None
        or entry.source_type != SourceType.DEPOSIT
    ):
        return None
    return deposit_share_reversal(gift=donation, entry=entry)


def _soft_credits(
    organization: Organization, donation: Donation, soft_credits: Iterable[Any]
) -> list[SoftCredit]:
    """soft_credits: (donor, amount) pairs or {"donor": ..., "amount": ...} dicts."""
    rows: list[SoftCredit] = []
    seen: set[int] = set()
    for i, item in enumerate(soft_credits):
        where = f"soft_credits[{i}]"
        if isinstance(item, dict):
            donor_ref, amount = item.get("donor", item.get("donor_id")), item.get("amount")
        else:
            try:
                donor_ref, amount = item
            except (TypeError, ValueError):
                raise ServiceError("Give a donor and an amount.", field=where) from None
        donor = resolve(
            Donor.objects.filter(merged_into__isnull=True),
            donor_ref,
            f"{where}.donor_id",
            "Choose a donor of this organization.",
        )
        if donor.pk == donation.donor_id:
            raise ServiceError("The donor already has the hard credit.", field=f"{where}.donor_id")
        if donor.pk in seen:
            raise ServiceError("Each donor once.", field=f"{where}.donor_id")
        seen.add(donor.pk)
        value = donation.amount if amount is None else money(amount, f"{where}.amount")
        if value > donation.amount:
            raise ServiceError("At most the amount of the gift.", field=f"{where}.amount")
        rows.append(
            SoftCredit(organization=organization, donation=donation, donor=donor, amount=value)
        )
    return SoftCredit.objects.bulk_create(rows)


@org_service("donations.record")
def donation_record(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donor: Donor | int,
    amount: Any,
    date: date_type,
    method: str,
    fund: Any,
    check_number: str = "",
    description: str = "",
    goods_services_description: str = "",
    goods_services_value: Any = ZERO,
    campaign: Any = None,
    appeal: Any = None,
    designation: str = "",
    anonymous: bool = False,
    notes: str = "",
    soft_credits: Iterable[Any] = (),
    pledge: Any = None,
    pledge_overpayment: bool = False,
    recurring: Any = None,
    batch: Any = None,
    deposit_account: Any = None,
) -> Donation:
    """Record a gift and post it to the ledger in this transaction (a gift entered into an open
    batch waits, pending, until the batch posts). Every input error names its field. A gift
    applied to a pledge may be more than the pledge still owes only with
    `pledge_overpayment`."""
    donor_row, cleaned, links = _record_inputs(
        organization,
        donor,
        {
            "amount": amount,
            "date": date,
            "method": method,
            "fund": fund,
            "check_number": check_number,
            "description": description,
            "goods_services_description": goods_services_description,
            "goods_services_value": goods_services_value,
            "campaign": campaign,
            "appeal": appeal,
            "designation": designation,
            "anonymous": anonymous,
            "notes": notes,
            "deposit_account": deposit_account,
        },
        {"pledge": pledge, "recurring": recurring, "batch": batch},
    )
    _check_links(donor_row, links)
    batch_row = links.get("batch")
    donation = Donation(
        organization=organization,
        donor=donor_row,
        created_by=actor,
        updated_by=actor,
        status=DonationStatus.PENDING if batch_row else DonationStatus.ACTIVE,
        **cleaned,
        **links,
    )
    if batch_row is not None and donation.deposit_account is None:
        donation.deposit_account = batch_row.deposit_account  # a batch gift goes with the batch
    _check_donation(donation)
    if donation.pledge is not None:
        donation.pledge_overpayment = pledge_payment(
            donation.pledge, donation.amount, overpayment=bool(pledge_overpayment)
        )
    _save_new_donation(organization, actor, donation, soft_credits, posts=batch_row is None)
    if links.get("recurring") is not None:
        advance_recurring(links["recurring"], donation.date)
    if links.get("pledge") is not None:
        pledge_status_refresh(links["pledge"])
    summary_refresh(organization, donor_row.pk)
    audit_record(
        action="donation.record",
        actor=actor,
        organization=organization,
        obj=donation,
        changes={
            "donor": donor_row.pk,
            "amount": str(donation.amount),
            "date": str(donation.date),
            "method": donation.method,
            "fund": donation.fund.code,
            "journal_entry": donation.journal_entry_id,
            "batch": batch_row.pk if batch_row else None,
            "pledge": donation.pledge_id,
            "pledge_overpayment": donation.pledge_overpayment,
        },
    )
    return donation


def _record_inputs(
    organization: Organization, donor: Any, fields: dict[str, Any], links: dict[str, Any]
) -> tuple[Donor, dict[str, Any], dict[str, Any]]:
    """The donor, the cleaned fields and the linked rows (pledge, recurring gift, batch) of a
    new gift; every input error at once, each naming its field."""
    errors: list[dict[str, str]] = []
    donor_row = None
    try:
        donor_row = resolve(
            Donor.objects.filter(merged_into__isnull=True),
            donor,
            "donor_id",
            "Choose a donor of this organization.",
        )
    except ServiceError as exc:
        errors.extend(exc.errors)
    try:
        cleaned = _clean_donation(fields, organization=organization)
    except ServiceError as exc:
        errors.extend(exc.errors)
        cleaned = {}
    rows: dict[str, Any] = {}
    for field, qs in (
        ("pledge", Pledge.objects.select_for_update()),
        ("recurring", RecurringGift.objects.all()),
        ("batch", GiftBatch.objects.select_for_update()),
    ):
        value = links[field]
        if value is None:
            continue
        try:
            rows[field] = resolve(qs, value, f"{field}_id", f"No such {field} here.")
        except ServiceError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ServiceError(
            "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors
        )
    assert donor_row is not None
    return donor_row, cleaned, rows


def _check_links(donor_row: Donor, links: dict[str, Any]) -> None:
    """A gift's pledge and recurring gift are the donor's, its pledge not cancelled, its
    batch still open."""
    for field in ("pledge", "recurring"):
        link = links.get(field)
        if link is not None and link.donor_id != donor_row.pk:
            raise ServiceError(f"That {field} belongs to another donor.", field=f"{field}_id")
    if links.get("pledge") is not None and links["pledge"].status == PledgeStatus.CANCELLED:
        raise ServiceError("That pledge was cancelled.", field="pledge_id")
    batch_row = links.get("batch")
    if batch_row is not None and batch_row.status != BatchStatus.OPEN:
        raise ServiceError("That batch has been posted: start a new one.", field="batch_id")


def _save_new_donation(
    organization: Organization,
    actor: User,
    donation: Donation,
    soft_credits: Iterable[Any],
    *,
    posts: bool,
) -> None:
    """Save a new gift with its soft credits; unless it waits in a batch, post it."""
    # Save first (the entry names the donation), then post; the row is only "active"
    # with its entry, which the database checks at the end of the statement.
    if posts:
        donation.status = DonationStatus.PENDING
    donation.save()
    _soft_credits(organization, donation, soft_credits)
    if posts:
        post_donation(organization, actor, donation)
        donation.status = DonationStatus.ACTIVE
        donation.save(update_fields=["journal_entry", "status"])


def _lock_donation(donation: Any) -> Donation:
    row = (
        Donation.objects.select_for_update(of=("self",))
        .select_related("donor", "fund", "deposit_account", "journal_entry", "batch")
        .filter(pk=as_id(donation) or 0)
        .first()
    )
    if row is None:
        raise ServiceError("No such donation.", field="donation_id")
    return row


@org_service("donations.record")
def donation_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donation: Donation | int,
    expected_version: int,
    **fields: Any,
) -> Donation:
    """Change a donation. A change of amount, date, method, fund or deposit account of a posted
    gift reverses its entry and posts a new one (the donation then points at the new entry).
    `pledge` (a pledge of the same donor, or None) moves the gift to another pledge or off
    one; `pledge_overpayment` as in donation_record."""
    row = _lock_donation(donation)
    if row.status == DonationStatus.VOIDED:
        raise ConflictError(message="A voided donation cannot be changed.")
    if row.version != expected_version:
        raise ConflictError(changed_by=str(row.updated_by or ""), changed_at=row.updated_at)
    links: dict[str, Any] = {
        k: fields.pop(k) for k in ("pledge", "pledge_overpayment") if k in fields
    }
    share = _deposit_share(row)  # read before the gift changes: what the deposit holds of it
    reject_unknown(fields, DONATION_FIELDS)
    cleaned = _clean_donation(fields, organization=organization)
    changes: dict[str, Any] = {}
    for field, value in cleaned.items():
        before = getattr(row, field)
        if before != value:
            changes[field] = {
                "before": str(before if before is not None else ""),
                "after": str(value if value is not None else ""),
            }
        setattr(row, field, value)
    _check_donation(row)
    soft_total = row.soft_credits.aggregate(m=models.Max("amount"))["m"]
    if soft_total and soft_total > row.amount:
        raise ServiceError(
            "A soft credit is larger than the new amount: change it first.", field="amount"
        )
    old_pledge = row.pledge
    save_fields = list(cleaned)
    if relink_pledge(row, links, changes):
        save_fields += ["pledge", "pledge_overpayment"]
    old_entry = row.journal_entry
    repost = row.status == DonationStatus.ACTIVE and bool(POSTING_FIELDS & set(changes))
    if repost:
        assert old_entry is not None
        reversal = _reverse_gift(
            organization, actor, row, share=share, memo=f"Donation {row.reference} changed"
        )
        post_donation(organization, actor, row)
        save_fields.append("journal_entry")
        changes["journal_entry"] = {
            "before": old_entry.pk,
            "after": row.journal_entry_id,
            "reversal": reversal.pk,
        }
    row.save_versioned(expected_version=expected_version, user=actor, fields=save_fields)
    if old_pledge is not None and old_pledge.pk != row.pledge_id:
        pledge_status_refresh(old_pledge)
    if row.pledge is not None:
        pledge_status_refresh(row.pledge)
    summary_refresh(organization, row.donor_id)
    audit_record(
        action="donation.update",
        actor=actor,
        organization=organization,
        obj=row,
        changes=changes,
    )
    return row


@org_service("donations.record")
def donation_void(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    donation: Donation | int,
    reason: str,
) -> Donation:
    """Void a gift: its entry is reversed (a pending batch gift just leaves the batch count)."""
    row = _lock_donation(donation)
    text = clean_text(reason, "reason", 500)
    if not text:
        raise ServiceError("Say why the donation is voided.", field="reason")
    if row.status == DonationStatus.VOIDED:
        raise ConflictError(message="This donation is already voided.")
    reversal = None
    if row.status == DonationStatus.ACTIVE and row.journal_entry is not None:
        reversal = _reverse_gift(
            organization,
            actor,
            row,
            share=_deposit_share(row),
            date=_void_date(organization, row),
            memo=f"Void of donation {row.reference}: {text}",
        )
    row.status = DonationStatus.VOIDED
    row.void_reason = text
    row.voided_at = timezone.now()
    row.save_versioned(
        expected_version=row.version, user=actor, fields=["status", "void_reason", "voided_at"]
    )
    if row.pledge is not None:
        pledge_status_refresh(row.pledge)
    summary_refresh(organization, row.donor_id)
    audit_record(
        action="donation.void",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"reason": text, "reversal": reversal.pk if reversal else None},
    )
    return row


def _void_date(organization: Organization, donation: Donation) -> date_type:
    """Reverse on the gift's date when its period is open, else today (a closed period stays
    as it was reported)."""
    period = Period.objects.filter(
        start_date__lte=donation.date, end_date__gte=donation.date
    ).first()
    if period is not None and period.status == PeriodStatus.OPEN:
        return donation.date
    return timezone.localdate()
