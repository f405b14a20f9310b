"""Tax receipts: the letter settings, numbering, and issuing, correcting and voiding a receipt.

Every receipt is made by `issue_receipt`: take the next number (UPDATE ... RETURNING on the
organization's counter row, in the caller's transaction, so a rolled-back issue gives its number
back and numbers have no gaps), render the letter from the organization's template with data
frozen at that moment, turn it into a PDF, and keep all three. Nothing of an issued receipt
changes afterwards except its void and delivery fields.

Wording rules live in ifm.donors.receipts.wording (IRS Publication 1771). Delivery
(email, print) is in delivery.py, year-end statements in year_end.py, the services that
queue jobs in services.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record, audit_values
from ifm.core.errors import ServiceError
from ifm.core.files import save_in_transaction
from ifm.core.org_context import require_org_id
from ifm.donors.models import (
    Donation,
    DonationStatus,
    Donor,
    DonorKind,
    Household,
    ReceiptCounter,
    ReceiptKind,
    ReceiptRun,
    ReceiptSettings,
    TaxReceipt,
)
from ifm.donors.receipts import wording
from ifm.donors.receipts.letterhead import address_lines, letter_logo, org_block
from ifm.donors.receipts.pdf import (
    check_template,
    html_to_pdf,
    letter_document,
    render_letter,
)
from ifm.donors.receipts.selectors import gift_facts, single_receipt_of, wording_gift
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm

SETTINGS_FIELDS = (
    "letter_template",
    "thank_you_text",
    "signature_name",
    "signature_title",
    "intangible_religious_benefits_only",
    "email_subject",
    "email_body",
)
MIN_YEAR = 1900


# --- Settings ----------------------------------------------------------------------------------


def receipt_settings_get(*, organization: Organization) -> ReceiptSettings:
    """The organization's receipt settings (made with the defaults on first use)."""
    row = ReceiptSettings.objects.filter(organization=organization).first()
    if row is None:
        row, _ = ReceiptSettings.objects.get_or_create(organization=organization)
    return row


@transaction.atomic
def receipt_settings_update(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    expected_version: int,
    **fields: Any,
) -> ReceiptSettings:
    require_perm(access, "donors.configure")
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown setting: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    row = receipt_settings_get(organization=organization)
    if "letter_template" in fields:
        if not str(fields["letter_template"]).strip():
            raise ServiceError("The letter template may not be empty.", field="letter_template")
        check_template(str(fields["letter_template"]))
    changes = {}
    for name, value in fields.items():
        if getattr(row, name) != value:
            changes[name] = {
                "before": _short(getattr(row, name)),
                "after": _short(value),
            }
            setattr(row, name, value)
    if not changes:
        return row
    row.save_versioned(expected_version=expected_version, user=actor, fields=list(changes))
    audit_record(
        action="donors.receipt_settings.update",
        actor=actor,
        organization=organization,
        obj=row,
        changes=changes,
    )
    return row


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "..."
    return value


# --- Numbers -----------------------------------------------------------------------------------


def next_number(organization: Organization) -> int:
    """Take the next receipt number. The UPDATE's row lock makes concurrent issuers queue here,
    and a rolled-back transaction gives its number back."""
    table = ReceiptCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_number = next_number + 1 "  # noqa: S608
            "WHERE organization_id = %s RETURNING next_number - 1",
            [organization.pk],
        )
        row = cursor.fetchone()
    if row is None:
        ReceiptCounter.objects.create(organization=organization, next_number=2)
        return 1
    return int(row[0])


# --- The letter --------------------------------------------------------------------------------


def _donor_block(donor: Donor) -> dict[str, Any]:
    household = donor.household if donor.household_id else None
    use_household_address = household is not None and not donor.address_line1
    return {
        "id": donor.pk,
        "name": donor.name,
        "kind": donor.kind,
        "is_organization": donor.kind == DonorKind.ORGANIZATION,
        "greeting": donor.greeting,
        "email": donor.email,
        "address": address_lines(household if use_household_address else donor),
        "household": household.name if household else "",
    }


def _household_block(household: Household, donor: Donor) -> dict[str, Any]:
    """A joint receipt's addressee: the household by its name ("The Smith Family") at its
    shared address (the issuing member's when the household has none), naming its members."""
    members = list(household.members.filter(merged_into__isnull=True).order_by("pk"))
    names = [m.name for m in members if m.name]
    joined = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
    address = address_lines(household) or address_lines(donor)
    return {
        "id": donor.pk,
        "name": household.name,
        "kind": donor.kind,
        "is_organization": False,
        "greeting": f"Dear {household.name}",
        "email": donor.email,
        "address": address,
        "household": household.name,
        "household_id": household.pk,
        "members": names,
        "members_display": joined,
        "joint": True,
    }


def _letter_data(
    *,
    organization: Organization,
    settings: ReceiptSettings,
    donor: Donor,
    donations: Sequence[Donation],
    kind: str,
    number: int,
    issued_at: Any,
    tax_year: int | None,
    replaces: TaxReceipt | None,
    household: Household | None = None,
) -> dict[str, Any]:
    religious = settings.intangible_religious_benefits_only
    gifts = [wording_gift(d) for d in donations]
    issued_on = timezone.localdate(issued_at)
    titles = {
        ReceiptKind.SINGLE: "Donation receipt",
        ReceiptKind.YEAR_END: f"Year-end giving statement {tax_year}",
        ReceiptKind.CORRECTION: "Corrected receipt",
    }
    return {
        "org": org_block(organization),
        "donor": _household_block(household, donor) if household else _donor_block(donor),
        "receipt": {
            "number": number,
            "kind": kind,
            "title": titles[ReceiptKind(kind)],
            "issued_on": f"{issued_on:%B} {issued_on.day}, {issued_on.year}",
            "issued_date": issued_on.isoformat(),
            "tax_year": tax_year or "",
            "replaces": replaces.number if replaces else "",
        },
        "gifts": wording.gift_lines(gifts, religious_only=religious),
        "donation_ids": [d.pk for d in donations],
        "summary_statement": wording.summary_statement(gifts, religious_only=religious),
        "totals": wording.totals(gifts),
        "thank_you": settings.thank_you_text,
        "signature": {"name": settings.signature_name, "title": settings.signature_title},
        "intangible_religious_benefits_only": religious,
    }


@dataclass
class PreparedReceipt:
    """A receipt numbered and its letter rendered, before its PDF is made (`record_receipt`
    keeps both). Made and recorded in one transaction, so a rollback gives the number back."""

    number: int
    issued_at: Any
    kind: str
    donor: Donor
    donations: Sequence[Donation]
    tax_year: int | None
    replaces: TaxReceipt | None
    household: Household | None
    data: dict[str, Any]
    body: str
    document: str  # the whole HTML document the PDF is made from


def prepare_receipt(
    *,
    organization: Organization,
    donor: Donor,
    donations: Sequence[Donation],
    kind: str,
    tax_year: int | None = None,
    replaces: TaxReceipt | None = None,
    household: Household | None = None,
    settings: ReceiptSettings | None = None,
    logo: str | None = None,
    number: int | None = None,
) -> PreparedReceipt:
    """Take the next number and render the letter (inside the caller's transaction).
    `settings` and `logo` (letterhead.letter_logo) may be given by a caller issuing many.
    `number`: render the letter with this number instead of taking one; the caller then
    takes it (next_number) before keeping the receipt, and renders it again if it got
    another."""
    if settings is None:
        settings = receipt_settings_get(organization=organization)
    if number is None:
        number = next_number(organization)
    issued_at = timezone.now()
    data = _letter_data(
        organization=organization,
        settings=settings,
        donor=donor,
        donations=donations,
        kind=kind,
        number=number,
        issued_at=issued_at,
        tax_year=tax_year,
        replaces=replaces,
        household=household,
    )
    context = dict(data)
    context["logo"] = letter_logo(organization, settings) if logo is None else logo
    body = render_letter(settings.letter_template, context)
    return PreparedReceipt(
        number=number,
        issued_at=issued_at,
        kind=kind,
        donor=donor,
        donations=donations,
        tax_year=tax_year,
        replaces=replaces,
        household=household,
        data=data,
        body=body,
        document=letter_document([body], title=f"Receipt {number}"),
    )


def record_receipt(
    *,
    organization: Organization,
    actor: User | None,
    prepared: PreparedReceipt,
    pdf_bytes: bytes,
    run: ReceiptRun | None = None,
) -> TaxReceipt:
    """Keep a prepared receipt with its PDF (made from `prepared.document`), and audit it."""
    return record_receipts(
        organization=organization, actor=actor, made=[(prepared, pdf_bytes)], run=run
    )[0]


def record_receipts(
    *,
    organization: Organization,
    actor: User | None,
    made: Sequence[tuple[PreparedReceipt, bytes]],
    run: ReceiptRun | None = None,
) -> list[TaxReceipt]:
    """Keep prepared receipts with their PDFs, and audit each: the receipts, their gifts and
    their audit events are written with one insert each, however many there are (a year-end
    chunk keeps its fifty statements in three statements instead of five per receipt). Each
    PDF file is written first, tied to the transaction, so the row is inserted with its name."""
    if organization.pk != require_org_id():
        raise ValueError("Refusing to keep receipts for another organization than the current one.")
    issued_by = actor if getattr(actor, "is_authenticated", False) else None
    receipts = []
    for p, pdf_bytes in made:
        gifts = [wording_gift(d) for d in p.donations]
        cash = [g for g in gifts if g.is_cash]
        receipt = TaxReceipt(
            organization=organization,
            number=p.number,
            kind=p.kind,
            donor=p.donor,
            household=p.household,
            tax_year=p.tax_year,
            total_amount=sum((g.amount for g in cash), Decimal("0")),
            deductible_amount=sum((g.deductible_amount for g in cash), Decimal("0")),
            issued_at=p.issued_at,
            issued_by=issued_by,
            replaces=p.replaces,
            run=run,
            content_html=p.body,
            # What the receipt states of each gift, to tell later whether it still matches.
            content_data={**p.data, "receipted": {str(d.pk): gift_facts(d) for d in p.donations}},
        )
        save_in_transaction(receipt.pdf, receipt.filename, ContentFile(pdf_bytes))
        receipts.append(receipt)
    TaxReceipt.objects.bulk_create(receipts)
    through = TaxReceipt.donations.through
    through.objects.bulk_create(
        [
            through(taxreceipt_id=receipt.pk, donation_id=donation.pk)
            for receipt, (p, _) in zip(receipts, made, strict=True)
            for donation in p.donations
        ]
    )
    events = [
        AuditEvent(
            **audit_values(
                action=f"donors.receipt.{'correct' if p.replaces else 'issue'}",
                actor=issued_by,
                organization=organization,
                object_type=TaxReceipt._meta.label_lower,
                object_id=receipt.pk,
                object_repr=(
                    f"Receipt {p.number} to {p.household.name if p.household else p.donor.name}"
                ),
                changes={
                    "number": p.number,
                    "kind": p.kind,
                    "household": p.household.pk if p.household else None,
                    "donations": [d.pk for d in p.donations],
                    "replaces": p.replaces.number if p.replaces else None,
                },
            )
        )
        for receipt, (p, _) in zip(receipts, made, strict=True)
    ]
    AuditEvent.objects.bulk_create(events)
    return receipts


def issue_receipt(
    *,
    organization: Organization,
    actor: User | None,
    donor: Donor,
    donations: Sequence[Donation],
    kind: str,
    tax_year: int | None = None,
    replaces: TaxReceipt | None = None,
    run: ReceiptRun | None = None,
    household: Household | None = None,
) -> TaxReceipt:
    """Make one receipt (inside the caller's transaction). No permission check: callers do.
    With `household`, a joint receipt: addressed to the household, `donor` one of its
    members."""
    prepared = prepare_receipt(
        organization=organization,
        donor=donor,
        donations=donations,
        kind=kind,
        tax_year=tax_year,
        replaces=replaces,
        household=household,
    )
    return record_receipt(
        organization=organization,
        actor=actor,
        prepared=prepared,
        pdf_bytes=html_to_pdf(prepared.document),
        run=run,
    )


def current_receipts() -> QuerySet[TaxReceipt]:
    """Receipts that stand: not voided and not replaced by a correction."""
    return TaxReceipt.objects.filter(voided_at__isnull=True, replaced_by__isnull=True)


def year_donations(donor: Donor, year: int) -> list[Donation]:
    return list(
        Donation.objects.filter(donor=donor, status=DonationStatus.ACTIVE, date__year=year)
        .select_related("fund")
        .order_by("date", "pk")
    )


def household_year_donations(household: Household, year: int) -> list[Donation]:
    """The year's gifts of every (unmerged) member of the household."""
    return list(
        Donation.objects.filter(
            donor__household=household,
            donor__merged_into__isnull=True,
            status=DonationStatus.ACTIVE,
            date__year=year,
        )
        .select_related("fund", "donor")
        .order_by("date", "pk")
    )


def standing_statements(year: int) -> QuerySet[TaxReceipt]:
    return current_receipts().filter(
        tax_year=year, kind__in=[ReceiptKind.YEAR_END, ReceiptKind.CORRECTION]
    )


def _joint_household(donor: Donor) -> Household:
    if donor.household_id is None or donor.household is None:
        raise ServiceError(
            f"{donor.name} is not in a household: a joint receipt is issued to a household. "
            "Add the donor to one, or issue the receipt to the donor alone.",
            field="joint",
        )
    return donor.household


# --- Use cases ---------------------------------------------------------------------------------


@transaction.atomic
def receipt_issue(
    *,
    organization: Organization,
    actor: User,
    access: Access,
    donation: Donation,
    joint: bool = False,
) -> TaxReceipt:
    """Acknowledge one donation. Refuses a donation that is not posted, voided, or receipted.
    `joint`: addressed to the donor's household (refused when the donor is in none)."""
    require_perm(access, "receipts.issue")
    locked = (
        Donation.objects.select_for_update(of=("self",))
        .select_related("donor", "donor__household")
        .get(pk=donation.pk)
    )
    if locked.status == DonationStatus.VOIDED:
        raise ServiceError("A voided donation cannot be receipted.", field="donation_id")
    if locked.status != DonationStatus.ACTIVE:
        raise ServiceError(
            "This donation is in an unposted gift batch: post the batch first.",
            field="donation_id",
        )
    existing = single_receipt_of(locked)
    if existing is not None:
        raise ServiceError(
            f"This donation already has receipt No. {existing.number}: "
            "correct that receipt instead of issuing another.",
            field="donation_id",
        )
    household = _joint_household(locked.donor) if joint else None
    return issue_receipt(
        organization=organization,
        actor=actor,
        donor=locked.donor,
        donations=[locked],
        kind=ReceiptKind.SINGLE,
        household=household,
    )


@transaction.atomic
def receipt_correct(
    *, organization: Organization, actor: User, access: Access, receipt: TaxReceipt
) -> TaxReceipt:
    """A new receipt from the donations as they are now, naming the one it replaces."""
    require_perm(access, "receipts.issue")
    old = TaxReceipt.objects.select_for_update(of=("self",)).get(pk=receipt.pk)
    if old.voided_at is not None:
        raise ServiceError("A voided receipt cannot be corrected.", field="receipt")
    replacement = TaxReceipt.objects.filter(replaces=old).first()
    if replacement is not None:
        raise ServiceError(
            f"Receipt No. {old.number} was already corrected by No. {replacement.number}: "
            "correct that one.",
            field="receipt",
        )
    donor = Donor.objects.select_related("household").get(pk=old.donor_id)
    household = Household.objects.get(pk=old.household_id) if old.household_id else None
    if old.tax_year and old.kind in (ReceiptKind.YEAR_END, ReceiptKind.CORRECTION):
        donations = (
            household_year_donations(household, old.tax_year)
            if household
            else year_donations(donor, old.tax_year)
        )
        kind = ReceiptKind.YEAR_END
    else:
        donations = list(old.donations.filter(status=DonationStatus.ACTIVE).order_by("date", "pk"))
        kind = ReceiptKind.CORRECTION
    if not donations:
        raise ServiceError(
            "The donations of this receipt were voided: void the receipt instead.",
            field="receipt",
        )
    if kind == ReceiptKind.CORRECTION and len(donations) == 1 and donations[0].donor_id != donor.pk:
        donor = donations[0].donor  # the gift was moved to another donor (a merge)
    return issue_receipt(
        organization=organization,
        actor=actor,
        donor=donor,
        donations=donations,
        kind=kind,
        tax_year=old.tax_year,
        replaces=old,
        household=household,
    )


@transaction.atomic
def receipt_void(
    *, organization: Organization, actor: User, access: Access, receipt: TaxReceipt, reason: str
) -> TaxReceipt:
    """Void a receipt. It keeps its number (numbers are never reused) and its content."""
    require_perm(access, "receipts.issue")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why the receipt is voided.", field="reason")
    if len(reason) > 500:
        raise ServiceError("The reason may have at most 500 characters.", field="reason")
    locked = TaxReceipt.objects.select_for_update(of=("self",)).get(pk=receipt.pk)
    if locked.voided_at is not None:
        raise ServiceError(f"Receipt No. {locked.number} is already voided.", field="receipt")
    return void_receipt(organization=organization, actor=actor, receipt=locked, reason=reason)


def void_receipt(
    *,
    organization: Organization,
    actor: User | None,
    receipt: TaxReceipt,
    reason: str,
    **audited: Any,
) -> TaxReceipt:
    """Void a locked, standing receipt and audit it (`audited`: more to record with it). No
    permission check: callers do (voiding a gift voids its receipts whoever may issue them)."""
    now = timezone.now()
    voided_by = actor if getattr(actor, "is_authenticated", False) else None
    TaxReceipt.objects.filter(pk=receipt.pk).update(
        voided_at=now, voided_by=voided_by, void_reason=reason
    )
    receipt.voided_at, receipt.voided_by, receipt.void_reason = now, voided_by, reason
    audit_record(
        action="donors.receipt.void",
        actor=voided_by,
        organization=organization,
        obj=receipt,
        object_repr=f"Receipt {receipt.number}",
        changes={"void_reason": reason, **audited},
    )
    return receipt
