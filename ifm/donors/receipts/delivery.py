"""Delivering issued receipts: one email attempt (the job's body), printing many in one PDF,
a receipt's PDF, and who cannot be emailed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record, audit_values
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.donors.models import (
    Donor,
    TaxReceipt,
)
from ifm.donors.models.receipts import DeliveryMethod, DeliveryStatus
from ifm.donors.receipts.issue import receipt_settings_get
from ifm.donors.receipts.pdf import (
    html_to_pdf,
    letter_document,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm


def audit_each(
    *,
    organization: Organization,
    actor: User,
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


def emailed_or_pending(receipt: TaxReceipt) -> bool:
    return receipt.delivery == DeliveryMethod.EMAIL and receipt.delivery_status in (
        DeliveryStatus.SENT,
        DeliveryStatus.PENDING,
    )


def receipt_email_attempt(*, organization: Organization, receipt_id: int, max_attempts: int) -> str:
    """One delivery attempt (run by the job). Records the outcome; re-raises a send failure so
    the job is retried. Returns the final status."""

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
    *, organization: Organization, actor: User, access: Access, receipts: Sequence[TaxReceipt]
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
    audit_each(
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
