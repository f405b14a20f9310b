"""/api/v1 banking: bank accounts, their lines and statements, and CSV/XLSX column profiles."""

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Path, Query, Router
from ninja.responses import Status

from ifm.accounts.http import OrgRequest, service_args
from ifm.banking.accounts import selectors, services
from ifm.banking.accounts.schemas import (
    BankAccountIn,
    BankAccountOut,
    BankAccountPatchIn,
    BankTransactionOut,
    CsvProfileIn,
    CsvProfileOut,
    CsvProfilePatchIn,
)
from ifm.banking.models import BankAccount, BankTransaction, CsvProfile, LineStatus
from ifm.core.api import MAX_ID, idempotent, paginated
from ifm.tenancy.permissions import require_perm

router = Router(tags=["bank accounts"])

BankAccountId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
ProfileId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def bank_account_or_404(bank_account_id: int) -> BankAccount:
    account = selectors.bank_account_get(bank_account_id)
    if account is None:
        raise Http404
    return account


def _profile_or_404(profile_id: int) -> CsvProfile:
    profile = selectors.csv_profile_get(profile_id)
    if profile is None:
        raise Http404
    return profile


@router.get("/bank-accounts", response=list[BankAccountOut], summary="List bank accounts")
@paginated("name")
def bank_account_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=200, description="Search name, bank, digits.")] = "",
    archived: Annotated[
        bool | None, Query(description="true: only archived; false (default): only active.")
    ] = False,
) -> QuerySet[BankAccount]:
    require_perm(request.access, "banking.view")
    return selectors.bank_account_list(q=q, archived=archived)


@router.post("/bank-accounts", response={201: BankAccountOut}, summary="Add a bank account")
@idempotent
def bank_account_create(request: OrgRequest, payload: BankAccountIn) -> Any:
    account = services.bank_account_create(
        **service_args(request),
        name=payload.name,
        ledger_account=payload.ledger_account_id,
        default_fund=payload.default_fund_id,
        institution=payload.institution,
        account_number=payload.account_number,
    )
    return Status(201, bank_account_or_404(account.pk))


@router.get(
    "/bank-accounts/{int:bank_account_id}",
    response=BankAccountOut,
    summary="Get a bank account",
)
def bank_account_get(request: OrgRequest, bank_account_id: BankAccountId) -> Any:
    require_perm(request.access, "banking.view")
    return bank_account_or_404(bank_account_id)


_PATCH_FIELDS = {"ledger_account_id": "ledger_account", "default_fund_id": "default_fund"}


@router.patch(
    "/bank-accounts/{int:bank_account_id}",
    response=BankAccountOut,
    summary="Change a bank account, archive it or bring it back",
)
def bank_account_update(
    request: OrgRequest, bank_account_id: BankAccountId, payload: BankAccountPatchIn
) -> Any:
    require_perm(request.access, "banking.manage")
    account = bank_account_or_404(bank_account_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = changes.pop("version")
    services.bank_account_update(
        **service_args(request),
        bank_account=account,
        version=version,
        **{_PATCH_FIELDS.get(k, k): v for k, v in changes.items()},
    )
    return bank_account_or_404(account.pk)


@router.get(
    "/bank-accounts/{int:bank_account_id}/transactions",
    response=list[BankTransactionOut],
    summary="The lines of a bank account, newest first",
)
@paginated("-date")
def bank_transaction_list(
    request: OrgRequest,
    bank_account_id: BankAccountId,
    status: Annotated[LineStatus | None, Query(description="Only lines in this status.")] = None,
    q: Annotated[
        str, Query(max_length=200, description="Search payee, memo, reference or an amount.")
    ] = "",
) -> QuerySet[BankTransaction]:
    require_perm(request.access, "banking.view")
    account = bank_account_or_404(bank_account_id)
    return selectors.bank_transaction_list(
        bank_account=account, status=status.value if status else None, q=q
    )


# --- Column profiles ---------------------------------------------------------------------------


@router.get("/bank-csv-profiles", response=list[CsvProfileOut], summary="List column profiles")
@paginated("name")
def csv_profile_list(
    request: OrgRequest, q: Annotated[str, Query(max_length=200)] = ""
) -> QuerySet[CsvProfile]:
    require_perm(request.access, "banking.view")
    return selectors.csv_profile_list(q=q)


@router.post(
    "/bank-csv-profiles",
    response={201: CsvProfileOut},
    summary="Add a CSV/XLSX column profile (how one bank writes its export)",
)
@idempotent
def csv_profile_create(request: OrgRequest, payload: CsvProfileIn) -> Any:
    data = payload.dict()
    name = data.pop("name")
    profile = services.csv_profile_create(**service_args(request), name=name, **data)
    return Status(201, profile)


@router.get(
    "/bank-csv-profiles/{int:profile_id}", response=CsvProfileOut, summary="Get a column profile"
)
def csv_profile_get(request: OrgRequest, profile_id: ProfileId) -> Any:
    require_perm(request.access, "banking.view")
    return _profile_or_404(profile_id)


@router.patch(
    "/bank-csv-profiles/{int:profile_id}",
    response=CsvProfileOut,
    summary="Change a column profile",
)
def csv_profile_update(
    request: OrgRequest, profile_id: ProfileId, payload: CsvProfilePatchIn
) -> Any:
    require_perm(request.access, "banking.manage")
    profile = _profile_or_404(profile_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = changes.pop("version")
    return services.csv_profile_update(
        **service_args(request), profile=profile, version=version, **changes
    )
