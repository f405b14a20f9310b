"""The receipt services that queue background jobs: sending a receipt by email, emailing a
year-end run's statements, starting a year-end run. The jobs are in tasks.py, their bodies in
delivery.py and year_end.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.donors.models import (
    ReceiptRun,
    RunStatus,
    TaxReceipt,
)
from ifm.donors.models.receipts import DeliveryMethod, DeliveryStatus
from ifm.donors.receipts.delivery import (
    StatementsSent,
    audit_each,
    email_refusal,
    emailed_or_pending,
)
from ifm.donors.receipts.issue import MIN_YEAR
from ifm.donors.receipts.selectors import run_statements
from ifm.donors.receipts.tasks import receipt_email_deliver, year_end_statements_generate
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm


@transaction.atomic
def receipt_send(
    *, organization: Organization, actor: User, access: Access, receipt: TaxReceipt, to: str = ""
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

        for receipt_id in ids:
            receipt_email_deliver.enqueue(organization_id=org_id, receipt_id=receipt_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def year_end_statements_send(
    *, organization: Organization, actor: User, access: Access, run: ReceiptRun
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
        if emailed_or_pending(statement):
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
    audit_each(
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


@transaction.atomic
def year_end_statements_start(
    *, organization: Organization, actor: User, access: Access, year: int, joint: bool = False
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

        year_end_statements_generate.enqueue(organization_id=org_id, run_id=run_id)

    transaction.on_commit(enqueue)
    return run
