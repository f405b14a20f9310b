"""The import page's door: a small file is imported in the request, a large one (over
`BANKING_IMPORT_INLINE_KB`, or with more lines than `BANKING_IMPORT_INLINE_LINES`) is kept
and imported by a background job whose progress the page follows. Both end in the same
service (`services.statement_import_parsed`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.banking.accounts.access import banking_service
from ifm.banking.imports.services import (
    ImportResult,
    check_size,
    statement_import_parsed,
    statement_read,
)
from ifm.banking.imports.tasks import statement_import_job
from ifm.banking.models import BankAccount, CsvProfile, StatementImport
from ifm.core.errors import ConflictError
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access


@dataclass
class Started:
    """What the page started: the finished import, or the queued run of a large file."""

    result: ImportResult | None = None
    run: StatementImport | None = None


@banking_service("banking.import")
def statement_import_queue(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
    data: bytes,
    filename: str,
    profile: CsvProfile | None = None,
) -> StatementImport:
    """Keep the file (in the database, never served) and queue its import after commit."""
    check_size(data)
    if bank_account.is_archived:
        raise ConflictError(
            message=f"{bank_account.name} is archived: bring it back before importing into it."
        )
    run = StatementImport.objects.create(
        organization=organization,
        bank_account=bank_account,
        profile=profile,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        data=data,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="bank_statement.import_queue",
        actor=actor,
        organization=organization,
        obj=run,
        changes={"bank_account": bank_account.pk, "file": run.filename, "size": run.size},
    )
    organization_id, run_id = organization.pk, run.pk
    transaction.on_commit(
        lambda: statement_import_job.enqueue(
            organization_id=organization_id, statementimport_id=run_id
        )
    )
    return run


@banking_service("banking.import", atomic=False)
def statement_import_start(
    *,
    organization: Organization,
    actor: User,
    access: Access | None = None,
    bank_account: BankAccount,
    data: bytes,
    filename: str,
    profile: CsvProfile | None = None,
) -> Started:
    args: dict[str, Any] = {
        "organization": organization,
        "actor": actor,
        "access": access,
        "bank_account": bank_account,
        "filename": filename,
        "profile": profile,
    }
    check_size(data)
    if len(data) > int(settings.BANKING_IMPORT_INLINE_KB) * 1024:
        return Started(run=statement_import_queue(**args, data=data))
    parsed = statement_read(data, filename=filename, profile=profile)
    if len(parsed.lines) > int(settings.BANKING_IMPORT_INLINE_LINES):
        return Started(run=statement_import_queue(**args, data=data))
    result = statement_import_parsed(**args, parsed=parsed, sha256=hashlib.sha256(data).hexdigest())
    return Started(result=result)
