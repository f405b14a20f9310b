"""An expense's records: its receipts (attachments), checked by size, count and content."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ifm.accounts.models import User
from ifm.core.errors import ServiceError
from ifm.core.files import (
    clean_filename,
    detect_document_type,
    save_in_transaction,
    stored_document_type,
)
from ifm.expenses.models import Expense, Receipt, Status
from ifm.expenses.services import StateError, lock, record_event, require_owner
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service

MAX_RECEIPT_BYTES = 10 * 1024 * 1024


MAX_RECEIPTS_PER_EXPENSE = 20


def detect_receipt_type(head: bytes) -> str | None:
    """The content type of a receipt from its first bytes, or None when it is not allowed."""
    return detect_document_type(head)


# The receipt types a browser may show in the page (inline): images and PDFs, nothing that runs.
INLINE_KINDS = {"image/jpeg": "image", "image/png": "image", "application/pdf": "pdf"}


def inline_kind(content_type: str) -> str | None:
    """ "image" or "pdf" when a receipt of this type may be shown in the page, else None."""
    return INLINE_KINDS.get(content_type)


def stored_type(handle: Any) -> str | None:
    """The type of a stored receipt judged again from its content (never from its name or the
    type saved at upload), or None when it is none of the allowed ones; `handle` is rewound."""
    return stored_document_type(handle)


def _clean_filename(name: str) -> str:
    return clean_filename(name, "receipt")


@org_service("expenses.submit")
def receipt_add(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    file: UploadedFile,
) -> Receipt:
    """Attach a PDF, JPEG or PNG (recognised by its content) of at most 10 MB to a draft."""
    require_owner(expense, actor, "add receipts to")
    expense = lock(expense)
    if expense.status != Status.DRAFT:
        raise StateError("Receipts can be added only while the expense is a draft.")
    name = _clean_filename(file.name or "")
    size = file.size or 0
    if size > MAX_RECEIPT_BYTES:
        raise ServiceError(
            f"{name} is {size / (1024 * 1024):.1f} MB: a receipt may be at most 10 MB.",
            field="file",
        )
    if size == 0:
        raise ServiceError(f"{name} is empty.", field="file")
    file.seek(0)
    content_type = detect_receipt_type(file.read(8))
    if content_type is None:
        raise ServiceError(
            f"{name} is not a PDF, JPEG or PNG file (judged by its content, not its name): "
            "scan or save the receipt as one of those.",
            field="file",
        )
    if Receipt.objects.filter(expense=expense).count() >= MAX_RECEIPTS_PER_EXPENSE:
        raise ServiceError(
            f"An expense may have at most {MAX_RECEIPTS_PER_EXPENSE} receipts.", field="file"
        )
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    receipt = Receipt(
        organization=organization,
        expense=expense,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    save_in_transaction(receipt.file, name, file)
    receipt.save()
    record_event(
        organization=organization,
        actor=actor,
        expense=expense,
        from_status=expense.status,
        to_status=expense.status,
        action="expense.receipt_add",
        note=f"Receipt added: {name}",
        changes={"receipt": {"after": name}, "sha256": receipt.sha256},
    )
    return receipt


@org_service("expenses.submit")
def receipt_remove(
    *, organization: Organization, actor: User, access: Access | None, receipt: Receipt
) -> None:
    expense = receipt.expense
    require_owner(expense, actor, "remove receipts from")
    expense = lock(expense)
    if expense.status != Status.DRAFT:
        raise StateError("Receipts can be removed only while the expense is a draft.")
    name, stored = receipt.original_name, receipt.file.name
    storage = receipt.file.storage
    receipt.delete()
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)
    record_event(
        organization=organization,
        actor=actor,
        expense=expense,
        from_status=expense.status,
        to_status=expense.status,
        action="expense.receipt_remove",
        note=f"Receipt removed: {name}",
        changes={"receipt": {"before": name}},
    )
