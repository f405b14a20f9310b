"""/api/v1 banking: importing a statement file into a bank account.

The API imports every file in the request, large ones too (the import page sends large files
to a background job instead); the answer is the statement with what was imported."""

from datetime import date as date_type
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, File, Form, Path, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.banking.accounts import selectors
from ifm.banking.accounts.api import bank_account_or_404
from ifm.banking.accounts.schemas import StatementOut
from ifm.banking.accounts.selectors import csv_profile_get
from ifm.banking.imports.services import StatementImportError, max_bytes, statement_import
from ifm.banking.models import CsvProfile, Statement, StatementFormat
from ifm.banking.statements import Problem
from ifm.core.api import MAX_ID, ApiError, idempotent, paginated
from ifm.tenancy.permissions import require_perm

router = Router(tags=["statements"])

BankAccountId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class StatementImportOut(Schema):
    id: int = Field(..., description="The statement's id.")
    bank_account_id: int
    format: StatementFormat
    filename: str
    line_count: int = Field(..., description="Lines in the file.")
    imported: int = Field(..., description="New lines stored.")
    duplicates: int = Field(..., description="Lines the account already had, skipped.")
    start_date: date_type | None
    end_date: date_type | None
    opening_balance: str | None = Field(..., description="As the file states it, if it does.")
    closing_balance: str | None = Field(..., description="As the file states it, if it does.")
    closing_balance_date: date_type | None
    notes: list[str] = Field(
        [], description='What the reader left out or changed ("2 pending entries were left out").'
    )


@router.get(
    "/bank-accounts/{int:bank_account_id}/statements",
    response=list[StatementOut],
    summary="The statements imported into a bank account, newest first",
)
@paginated("-created_at")
def bank_statement_list(request: OrgRequest, bank_account_id: BankAccountId) -> QuerySet[Statement]:
    require_perm(request.access, "banking.view")
    return selectors.statement_list(bank_account=bank_account_or_404(bank_account_id))


def _profile(profile_id: int | None) -> CsvProfile | None:
    if profile_id is None:
        return None
    profile = csv_profile_get(profile_id)
    if profile is None:
        raise ApiError(
            422,
            "No such column profile in this organization.",
            errors=[{"field": "profile_id", "message": "No such column profile."}],
        )
    return profile


@router.post(
    "/bank-accounts/{int:bank_account_id}/statements",
    response={201: StatementImportOut},
    summary="Import a statement file (OFX/QFX, CAMT.053, CSV, XLSX) into a bank account",
    description="Multipart: `file`, and `profile_id` (a CSV/XLSX column profile) for CSV and "
    "XLSX files. All or nothing: a file that cannot be imported is a 422 whose `errors` list "
    "every problem (`field` is where in the file and what, e.g. `line 12 amount`) and nothing "
    "is stored. Lines the account already has are skipped and counted as `duplicates`, so the "
    "same file imported twice adds nothing the second time.",
)
@idempotent
def bank_statement_import(
    request: OrgRequest,
    bank_account_id: BankAccountId,
    file: UploadedFile | None = File(None),  # noqa: B008
    profile_id: Annotated[
        int | None, Form(ge=1, le=MAX_ID, description="Column profile for CSV/XLSX.")
    ] = None,
) -> Any:
    require_perm(request.access, "banking.import")
    account = bank_account_or_404(bank_account_id)
    if file is None:
        raise ApiError(
            422,
            "Send the statement file as the multipart field `file`.",
            errors=[{"field": "file", "message": "This field is required."}],
        )
    profile = _profile(profile_id)
    if file.size and file.size > max_bytes():
        # Refused before it is read into memory.
        raise StatementImportError(
            [Problem("file", "file", f"The file is larger than {max_bytes() // 2**20} MB.")]
        )
    result = statement_import(
        **service_args(request),
        bank_account=account,
        data=bytes(file.read()),
        filename=file.name or "",
        profile=profile,
    )
    statement = result.statement
    return Status(
        201,
        {
            "id": statement.pk,
            "bank_account_id": statement.bank_account_id,
            "format": statement.format,
            "filename": statement.filename,
            "line_count": statement.line_count,
            "imported": result.imported,
            "duplicates": result.duplicates,
            "start_date": statement.start_date,
            "end_date": statement.end_date,
            "opening_balance": _money(statement.opening_balance),
            "closing_balance": _money(statement.closing_balance),
            "closing_balance_date": statement.closing_balance_date,
            "notes": result.notes,
        },
    )
