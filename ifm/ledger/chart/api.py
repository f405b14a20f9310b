"""/api/v1 chart of accounts: accounts, funds and programs."""

from typing import Annotated, Any

from django.db.models import Q, QuerySet
from ninja import Query, Router
from ninja.responses import Status

from ifm.accounts.http import OrgRequest
from ifm.core.api import idempotent, paginated
from ifm.ledger.api_types import IdPath, Search, get_or_404, optional_fk
from ifm.ledger.chart import selectors, services
from ifm.ledger.chart.schemas import (
    AccountIn,
    AccountOut,
    AccountPatchIn,
    FundIn,
    FundOut,
    FundPatchIn,
    ProgramIn,
    ProgramOut,
    ProgramPatchIn,
)
from ifm.ledger.models import Account, AccountType, Fund, Program
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])


@router.get("/accounts", response=list[AccountOut], summary="List accounts")
@paginated("number")
def account_list(
    request: OrgRequest,
    q: Search = "",
    type: Annotated[AccountType | None, Query(description="Only accounts of this type.")] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
) -> QuerySet[Account]:
    require_perm(request.access, "ledger.view")
    qs = selectors.accounts_with_headers()
    if q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if type is not None:
        qs = qs.filter(type=type.value)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/accounts/{int:account_id}", response=AccountOut, summary="Get an account")
def account_get(request: OrgRequest, account_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.view")
    return get_or_404(Account, account_id)


@router.post("/accounts", response={201: AccountOut}, summary="Create an account")
@idempotent
def account_create(request: OrgRequest, payload: AccountIn) -> Any:
    require_perm(request.access, "ledger.manage")
    account = services.account_create(
        organization=request.org,
        actor=request.user,
        access=request.access,
        number=payload.number,
        name=payload.name,
        type=payload.type.value,
        parent=optional_fk(Account, payload.parent_id, "parent_id"),
        net_asset_class=payload.net_asset_class,
        description=payload.description,
        is_cash=payload.is_cash,
    )
    return Status(201, account)


@router.patch("/accounts/{int:account_id}", response=AccountOut, summary="Change an account")
def account_update(request: OrgRequest, payload: AccountPatchIn, account_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.manage")
    account = get_or_404(Account, account_id)
    changes: dict[str, Any] = {}
    if "parent_id" in payload.model_fields_set:
        changes["parent"] = optional_fk(Account, payload.parent_id, "parent_id")
    return services.account_update(
        organization=request.org,
        actor=request.user,
        access=request.access,
        account=account,
        expected_version=payload.version,
        number=payload.number,
        name=payload.name,
        description=payload.description,
        net_asset_class=payload.net_asset_class,
        is_cash=payload.is_cash,
        is_active=payload.is_active,
        **changes,
    )


@router.get("/funds", response=list[FundOut], summary="List funds")
@paginated("code")
def fund_list(
    request: OrgRequest,
    q: Search = "",
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
) -> QuerySet[Fund]:
    require_perm(request.access, "ledger.view")
    qs = Fund.objects.all()
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/funds/{int:fund_id}", response=FundOut, summary="Get a fund")
def fund_get(request: OrgRequest, fund_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.view")
    return get_or_404(Fund, fund_id)


@router.post("/funds", response={201: FundOut}, summary="Create a fund")
@idempotent
def fund_create(request: OrgRequest, payload: FundIn) -> Any:
    require_perm(request.access, "ledger.manage")
    fund = services.fund_create(
        organization=request.org,
        actor=request.user,
        access=request.access,
        code=payload.code,
        name=payload.name,
        restriction=payload.restriction.value,
        purpose=payload.purpose,
        restricted_until=payload.restricted_until,
    )
    return Status(201, fund)


@router.patch("/funds/{int:fund_id}", response=FundOut, summary="Change a fund")
def fund_update(request: OrgRequest, payload: FundPatchIn, fund_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.manage")
    fund = get_or_404(Fund, fund_id)
    extra: dict[str, Any] = {}
    if "restricted_until" in payload.model_fields_set:
        extra["restricted_until"] = payload.restricted_until
    return services.fund_update(
        organization=request.org,
        actor=request.user,
        access=request.access,
        fund=fund,
        expected_version=payload.version,
        code=payload.code,
        name=payload.name,
        restriction=payload.restriction.value if payload.restriction else None,
        purpose=payload.purpose,
        is_active=payload.is_active,
        **extra,
    )


@router.get("/programs", response=list[ProgramOut], summary="List programs")
@paginated("code")
def program_list(
    request: OrgRequest,
    q: Search = "",
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
) -> QuerySet[Program]:
    require_perm(request.access, "ledger.view")
    qs = Program.objects.all()
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/programs/{int:program_id}", response=ProgramOut, summary="Get a program")
def program_get(request: OrgRequest, program_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.view")
    return get_or_404(Program, program_id)


@router.post("/programs", response={201: ProgramOut}, summary="Create a program")
@idempotent
def program_create(request: OrgRequest, payload: ProgramIn) -> Any:
    require_perm(request.access, "ledger.manage")
    program = services.program_create(
        organization=request.org,
        actor=request.user,
        access=request.access,
        code=payload.code,
        name=payload.name,
    )
    return Status(201, program)


@router.patch("/programs/{int:program_id}", response=ProgramOut, summary="Change a program")
def program_update(request: OrgRequest, payload: ProgramPatchIn, program_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.manage")
    program = get_or_404(Program, program_id)
    return services.program_update(
        organization=request.org,
        actor=request.user,
        access=request.access,
        program=program,
        expected_version=payload.version,
        code=payload.code,
        name=payload.name,
        is_active=payload.is_active,
    )
