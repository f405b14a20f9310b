"""Tax receipts: issue, correct, void, deliver (email or print), and year-end statements.

Every receipt is made by `_issue`: take the next number (UPDATE ... RETURNING on the
organization's counter row, in the caller's transaction, so a rolled-back issue gives its number
back and numbers have no gaps), render the letter from the organization's template with data
frozen at that moment, turn it into a PDF, and keep all three. Nothing of an issued receipt
changes afterwards except its void and delivery fields.

Wording rules live in ifm.donors.receipt_wording (IRS Publication 1771).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record, audit_values
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.files import save_in_transaction
from ifm.core.org_context import org_context
from ifm.donors import receipt_wording as wording
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
    RunStatus,
    TaxReceipt,
)
from ifm.donors.models.receipts import DeliveryMethod, DeliveryStatus
from ifm.donors.pdf import (
    check_template,
    html_to_pdf,
    letter_document,
    logo_data_url,
    render_letter,
)
from ifm.donors.receipt_selectors import run_statements
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import require_perm

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
    actor: Any,
    access: Any,
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


def _next_number(organization: Organization) -> int:
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


def _gift(donation: Donation) -> wording.Gift:
    return wording.Gift(
        date=donation.date,
        amount=donation.amount,
        method=donation.method,
        description=donation.description,
        goods_services_description=donation.goods_services_description,
        goods_services_value=donation.goods_services_value or Decimal("0"),
    )


def _address(obj: Any) -> list[str]:
    city_line = " ".join(
        p for p in (f"{obj.city}," if obj.city else "", obj.state, obj.postal_code) if p
    ).strip()
    lines = [obj.address_line1, obj.address_line2, city_line]
    return [line for line in lines if line]


def _org_block(organization: Organization) -> dict[str, Any]:
    return {
        "name": organization.name,
        "legal_name": organization.legal_name or organization.name,
        "ein": organization.ein,
        "address": _address(organization),
        "phone": organization.phone,
        "website": organization.website,
    }


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
        "address": _address(household if use_household_address else donor),
        "household": household.name if household else "",
    }


def _household_block(household: Household, donor: Donor) -> dict[str, Any]:
    """A joint receipt's addressee: the household by its name ("The Smith Family") at its
    shared address (the issuing member's when the household has none), naming its members."""
    members = list(household.members.filter(merged_into__isnull=True).order_by("pk"))
    names = [m.name for m in members if m.name]
    joined = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
    address = _address(household) or _address(donor)
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
    gifts = [_gift(d) for d in donations]
    issued_on = timezone.localdate(issued_at)
    titles = {
        ReceiptKind.SINGLE: "Donation receipt",
        ReceiptKind.YEAR_END: f"Year-end giving statement {tax_year}",
        ReceiptKind.CORRECTION: "Corrected receipt",
    }
    return {
        "org": _org_block(organization),
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


def _issue(
    *,
    organization: Organization,
    actor: Any,
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
    settings = receipt_settings_get(organization=organization)
    number = _next_number(organization)
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
    context["logo"] = logo_data_url(organization.logo)
    body = render_letter(settings.letter_template, context)
    pdf_bytes = html_to_pdf(letter_document([body], title=f"Receipt {number}"))
    gifts = [_gift(d) for d in donations]
    cash = [g for g in gifts if g.is_cash]
    receipt = TaxReceipt.objects.create(
        organization=organization,
        number=number,
        kind=kind,
        donor=donor,
        household=household,
        tax_year=tax_year,
        total_amount=sum((g.amount for g in cash), Decimal("0")),
        deductible_amount=sum((g.deductible_amount for g in cash), Decimal("0")),
        issued_at=issued_at,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        replaces=replaces,
        run=run,
        content_html=body,
        content_data=data,
    )
    receipt.donations.set(donations)
    save_in_transaction(receipt.pdf, receipt.filename, ContentFile(pdf_bytes))
    TaxReceipt.objects.filter(pk=receipt.pk).update(pdf=receipt.pdf.name)
    audit_record(
        action=f"donors.receipt.{'correct' if replaces else 'issue'}",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        obj=receipt,
        object_repr=f"Receipt {number} to {household.name if household else donor.name}",
        changes={
            "number": number,
            "kind": kind,
            "household": household.pk if household else None,
            "donations": [d.pk for d in donations],
            "replaces": replaces.number if replaces else None,
        },
    )
    return receipt


def current_receipts() -> QuerySet[TaxReceipt]:
    """Receipts that stand: not voided and not replaced by a correction."""
    return TaxReceipt.objects.filter(voided_at__isnull=True, replaced_by__isnull=True)


def _year_donations(donor: Donor, year: int) -> list[Donation]:
    return list(
        Donation.objects.filter(donor=donor, status=DonationStatus.ACTIVE, date__year=year)
        .select_related("fund")
        .order_by("date", "pk")
    )


def _household_year_donations(household: Household, year: int) -> list[Donation]:
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


def _standing_statements(year: int) -> QuerySet[TaxReceipt]:
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
    *, organization: Organization, actor: Any, access: Any, donation: Donation, joint: bool = False
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
    existing = (
        current_receipts()
        .filter(donations=locked, kind__in=[ReceiptKind.SINGLE, ReceiptKind.CORRECTION])
        .first()
    )
    if existing is not None:
        raise ServiceError(
            f"This donation already has receipt No. {existing.number}: "
            "correct that receipt instead of issuing another.",
            field="donation_id",
        )
    household = _joint_household(locked.donor) if joint else None
    return _issue(
        organization=organization,
        actor=actor,
        donor=locked.donor,
        donations=[locked],
        kind=ReceiptKind.SINGLE,
        household=household,
    )


@transaction.atomic
def receipt_correct(
    *, organization: Organization, actor: Any, access: Any, receipt: TaxReceipt
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
            _household_year_donations(household, old.tax_year)
            if household
            else _year_donations(donor, old.tax_year)
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
    return _issue(
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
    *, organization: Organization, actor: Any, access: Any, receipt: TaxReceipt, reason: str
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
    now = timezone.now()
    voided_by = actor if getattr(actor, "is_authenticated", False) else None
    TaxReceipt.objects.filter(pk=locked.pk).update(
        voided_at=now, voided_by=voided_by, void_reason=reason
    )
    locked.voided_at, locked.voided_by, locked.void_reason = now, voided_by, reason
    audit_record(
        action="donors.receipt.void",
        actor=voided_by,
        organization=organization,
        obj=locked,
        object_repr=f"Receipt {locked.number}",
        changes={"void_reason": reason},
    )
    return locked


# --- Delivery ----------------------------------------------------------------------------------


@transaction.atomic
def receipt_send(
    *, organization: Organization, actor: Any, access: Any, receipt: TaxReceipt, to: str = ""
) -> TaxReceipt:
    """Queue the receipt's email (PDF attached) after commit; the job retries on failure."""
    require_perm(access, "receipts.issue")
    locked = (
        TaxReceipt.objects.select_for_update(of=("self",))
        .select_related("donor")
        .get(pk=receipt.pk)
    )
    if locked.voided_at is not None:
        raise ServiceError("A voided receipt cannot be sent.", field="receipt")
    if locked.donor.no_email:
        raise ServiceError(
            f"{locked.donor.name or 'The donor'} asked not to be emailed: "
            "print the receipt instead.",
            field="to",
        )
    address = (to or locked.donor.email or "").strip()
    if not address:
        raise ServiceError("The donor has no email address: add one or print it.", field="to")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ServiceError("Enter a valid email address.", field="to") from exc
    TaxReceipt.objects.filter(pk=locked.pk).update(
        delivery=DeliveryMethod.EMAIL,
        delivery_status=DeliveryStatus.PENDING,
        delivered_to=address,
        delivery_error="",
        attempts=0,  # a new send: the job has all its attempts again
    )
    locked.refresh_from_db()
    audit_record(
        action="donors.receipt.send",
        actor=actor,
        organization=organization,
        obj=locked,
        object_repr=f"Receipt {locked.number}",
        changes={"to": address},
    )
    _enqueue_emails_after_commit(organization, [locked.pk])
    return locked


def _enqueue_emails_after_commit(organization: Organization, receipt_ids: list[int]) -> None:
    """Queue one delivery job per receipt once the transaction commits (nothing if it rolls
    back). Each job retries by itself and records the outcome on its receipt."""
    if not receipt_ids:
        return
    org_id, ids = organization.pk, list(receipt_ids)

    def enqueue() -> None:
        from ifm.donors.tasks import receipt_email_deliver

        for receipt_id in ids:
            receipt_email_deliver.enqueue(organization_id=org_id, receipt_id=receipt_id)

    transaction.on_commit(enqueue)


def _audit_each(
    *,
    organization: Organization,
    actor: Any,
    action: str,
    receipts: Iterable[TaxReceipt],
    changes: Any,
) -> None:
    """One audit event per receipt (so each shows in that receipt's history), inserted
    together. `changes(receipt)` gives each event's changes."""
    events = [
        AuditEvent(
            **audit_values(
                action=action,
                actor=actor,
                organization=organization,
                object_type=TaxReceipt._meta.label_lower,
                object_id=receipt.pk,
                object_repr=f"Receipt {receipt.number}",
                changes=changes(receipt),
            )
        )
        for receipt in receipts
    ]
    if events:
        with org_context(organization):
            AuditEvent.objects.bulk_create(events, batch_size=500)


# Why a donor's statement is not emailed but left to print.
NO_ADDRESS, INVALID_ADDRESS, ASKED_NO_EMAIL, DECEASED = (
    "no_address",
    "invalid_address",
    "no_email",
    "deceased",
)


def email_refusal(donor: Donor) -> str:
    """Why this donor cannot be emailed (one of the reasons above), or "" when they can."""
    if donor.is_deceased:
        return DECEASED
    if donor.no_email:
        return ASKED_NO_EMAIL
    address = (donor.email or "").strip()
    if not address:
        return NO_ADDRESS
    try:
        validate_email(address)
    except ValidationError:
        return INVALID_ADDRESS
    return ""


@dataclass(frozen=True)
class StatementsSent:
    """What year_end_statements_send did: statements queued for email, statements left to
    print (by reason), and statements already emailed or on their way before."""

    queued: int
    to_print: int
    already_emailed: int
    reasons: dict[str, int] = field(default_factory=dict)


def _emailed_or_pending(receipt: TaxReceipt) -> bool:
    return receipt.delivery == DeliveryMethod.EMAIL and receipt.delivery_status in (
        DeliveryStatus.SENT,
        DeliveryStatus.PENDING,
    )


@transaction.atomic
def year_end_statements_send(
    *, organization: Organization, actor: Any, access: Any, run: ReceiptRun
) -> StatementsSent:
    """Queue the email of every standing statement of a finished run, one delivery job each
    (after commit, retried on failure, its status on the receipt). Statements already emailed
    or on their way are left alone; donors who cannot be emailed (no valid address, asked not
    to be emailed, deceased) are counted as left to print."""
    require_perm(access, "receipts.issue")
    locked = ReceiptRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    if locked.status not in (RunStatus.DONE, RunStatus.FAILED):
        raise ServiceError(
            "The run is still making its statements: email them when it is done.", field="run"
        )
    statements = list(
        run_statements(locked)
        .select_for_update(of=("self",))
        .select_related("donor")
        .order_by("number")
    )
    queued: list[TaxReceipt] = []
    to_print: dict[str, list[int]] = {}
    already = 0
    for statement in statements:
        if _emailed_or_pending(statement):
            already += 1
            continue
        reason = email_refusal(statement.donor)
        if reason:
            to_print.setdefault(reason, []).append(statement.pk)
            continue
        statement.delivery = DeliveryMethod.EMAIL
        statement.delivery_status = DeliveryStatus.PENDING
        statement.delivered_to = statement.donor.email.strip()
        statement.delivery_error = ""
        statement.attempts = 0
        queued.append(statement)
    TaxReceipt.objects.bulk_update(
        queued,
        ["delivery", "delivery_status", "delivered_to", "delivery_error", "attempts"],
        batch_size=500,
    )
    _audit_each(
        organization=organization,
        actor=actor,
        action="donors.receipt.send",
        receipts=queued,
        changes=lambda r: {"to": r.delivered_to, "run": locked.pk},
    )
    result = StatementsSent(
        queued=len(queued),
        to_print=sum(len(ids) for ids in to_print.values()),
        already_emailed=already,
        reasons={reason: len(ids) for reason, ids in sorted(to_print.items())},
    )
    audit_record(
        action="donors.receipt_run.email",
        actor=actor,
        organization=organization,
        obj=locked,
        object_repr=f"Year-end statements {locked.tax_year}",
        changes={
            "queued": [r.pk for r in queued],
            "to_print": dict(sorted(to_print.items())),
            "already_emailed": already,
        },
    )
    _enqueue_emails_after_commit(organization, [r.pk for r in queued])
    return result


def receipt_email_attempt(*, organization: Organization, receipt_id: int, max_attempts: int) -> str:
    """One delivery attempt (run by the job). Records the outcome; re-raises a send failure so
    the job is retried. Returns the final status."""
    from django.core.mail import EmailMessage

    receipt = TaxReceipt.objects.filter(pk=receipt_id).first()
    if receipt is None or receipt.voided_at is not None:
        return "skipped"
    if receipt.delivery_status == DeliveryStatus.SENT:
        return DeliveryStatus.SENT  # a job run twice sends once
    settings = receipt_settings_get(organization=organization)
    attempts = receipt.attempts + 1
    try:
        with receipt.pdf.open("rb") as handle:
            pdf_bytes = handle.read()
        message = EmailMessage(
            subject=f"{settings.email_subject} (No. {receipt.number})",
            body=settings.email_body,
            to=[receipt.delivered_to],
        )
        message.attach(receipt.filename, pdf_bytes, "application/pdf")
        message.send()
    except Exception as exc:
        status = DeliveryStatus.FAILED if attempts >= max_attempts else DeliveryStatus.PENDING
        TaxReceipt.objects.filter(pk=receipt.pk).update(
            attempts=attempts, delivery_status=status, delivery_error=str(exc)[:2000]
        )
        raise
    TaxReceipt.objects.filter(pk=receipt.pk).update(
        attempts=attempts,
        delivery_status=DeliveryStatus.SENT,
        delivery_error="",
        delivered_at=timezone.now(),
    )
    return DeliveryStatus.SENT


@transaction.atomic
def receipts_print(
    *, organization: Organization, actor: Any, access: Any, receipts: Sequence[TaxReceipt]
) -> bytes:
    """One PDF with a letter per receipt (voided ones left out), marked as delivered by print."""
    require_perm(access, "receipts.issue")
    ids = [r.pk for r in receipts]
    rows = list(TaxReceipt.objects.filter(pk__in=ids, voided_at__isnull=True).order_by("number"))
    if not rows:
        raise ServiceError("Choose at least one receipt that is not voided.", field="receipts")
    pdf_bytes = html_to_pdf(
        letter_document([r.content_html for r in rows], title=f"{len(rows)} receipts")
    )
    TaxReceipt.objects.filter(pk__in=[r.pk for r in rows]).update(
        delivery=DeliveryMethod.PRINT,
        delivery_status=DeliveryStatus.SENT,
        delivered_at=timezone.now(),
    )
    audit_record(
        action="donors.receipt.print",
        actor=actor,
        organization=organization,
        object_type=TaxReceipt._meta.label_lower,
        object_repr=f"{len(rows)} receipts printed",
        changes={"receipt_ids": [r.pk for r in rows], "numbers": [r.number for r in rows]},
    )
    # And one event on each receipt, for its history.
    _audit_each(
        organization=organization,
        actor=actor,
        action="donors.receipt.print",
        receipts=rows,
        changes=lambda r: {"printed_with": len(rows)},
    )
    return pdf_bytes


def receipt_pdf_bytes(*, receipt: TaxReceipt) -> bytes:
    """The issued PDF (re-made from the frozen letter if the file went missing)."""
    if receipt.pdf:
        try:
            with receipt.pdf.open("rb") as handle:
                return handle.read()
        except (OSError, ValueError):
            pass
    return html_to_pdf(letter_document([receipt.content_html], title=f"Receipt {receipt.number}"))


# --- Year-end statements -----------------------------------------------------------------------


@transaction.atomic
def year_end_statements_start(
    *, organization: Organization, actor: Any, access: Any, year: int, joint: bool = False
) -> ReceiptRun:
    """Start the background job that issues one statement per donor who gave in `year`;
    with `joint`, one per household (its members' gifts together) and one per donor of no
    household."""
    require_perm(access, "receipts.issue")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or year < MIN_YEAR or year > this_year:
        raise ServiceError(f"Choose a tax year between {MIN_YEAR} and {this_year}.", field="year")
    if not isinstance(joint, bool):
        raise ServiceError("Give true or false.", field="joint")
    running = ReceiptRun.objects.filter(
        tax_year=year, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()
    if running is not None:
        if running.joint != joint:
            kind = "one per household" if running.joint else "one per donor"
            raise ConflictError(
                message=f"Year-end statements for {year} are being made already ({kind}): "
                "wait for that run to finish, then start the other kind."
            )
        return running
    run = ReceiptRun.objects.create(
        organization=organization,
        tax_year=year,
        joint=joint,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="donors.receipt_run.start",
        actor=actor,
        organization=organization,
        obj=run,
        object_repr=f"Year-end statements {year}",
        changes={"tax_year": year, "joint": joint},
    )
    org_id, run_id = organization.pk, run.pk

    def enqueue() -> None:
        from ifm.donors.tasks import year_end_statements_generate

        year_end_statements_generate.enqueue(organization_id=org_id, run_id=run_id)

    transaction.on_commit(enqueue)
    return run


def year_end_statements_run(*, organization: Organization, run_id: int) -> ReceiptRun:
    """The job's body: one transaction per donor (or household), so progress shows and a retry
    resumes. A donor whose gifts of the year a standing statement already covers (their own or
    their household's) gets no other."""
    run = ReceiptRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    year = run.tax_year
    donor_ids = list(
        Donation.objects.filter(status=DonationStatus.ACTIVE, date__year=year)
        .order_by("donor_id")
        .values_list("donor_id", flat=True)
        .distinct()
    )
    # What to issue: ("donor", id) or, in a joint run, ("household", id) once per household.
    units: list[tuple[str, int]] = []
    if run.joint:
        households = dict(
            Donor.objects.filter(pk__in=donor_ids, household__isnull=False).values_list(
                "pk", "household_id"
            )
        )
        seen: set[int] = set()
        for donor_id in donor_ids:
            household_id = households.get(donor_id)
            if household_id is None:
                units.append(("donor", donor_id))
            elif household_id not in seen:
                seen.add(household_id)
                units.append(("household", household_id))
    else:
        units = [("donor", donor_id) for donor_id in donor_ids]
    ReceiptRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, total=len(units), done=0, error=""
    )
    done = created = 0
    try:
        for what, pk in units:
            with transaction.atomic():
                if what == "household":
                    household = Household.objects.get(pk=pk)
                    donations = _household_year_donations(household, year)
                    givers = sorted({d.donor_id for d in donations})
                    standing = _standing_statements(year).filter(
                        Q(household=household) | Q(donor__in=givers) | Q(donations__in=donations)
                    )
                    donor = Donor.objects.get(pk=givers[0]) if givers else None
                else:
                    household = None
                    donor = Donor.objects.select_related("household").get(pk=pk)
                    donations = _year_donations(donor, year)
                    standing = _standing_statements(year).filter(
                        Q(donor=donor, household__isnull=True) | Q(donations__in=donations)
                    )
                if donor is not None and donations and not standing.exists():
                    _issue(
                        organization=organization,
                        actor=run.created_by,
                        donor=donor,
                        donations=donations,
                        kind=ReceiptKind.YEAR_END,
                        tax_year=year,
                        run=run,
                        household=household,
                    )
                    created += 1
                done += 1
                ReceiptRun.objects.filter(pk=run.pk).update(done=done)
    except Exception as exc:
        # A rule broken (the letter template refused or over its budget) says what to fix.
        error = exc.message if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        ReceiptRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=error[:2000])
        raise
    ReceiptRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, done=done, finished_at=timezone.now(), created=created
    )
    run.refresh_from_db()
    return run
