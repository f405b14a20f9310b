"""/api/v1 ledger endpoints: chart of accounts, funds, programs, journal, periods and reports.

Thin: each operation checks the permission, fetches the organization's rows (another
organization's id is a 404, like a missing one) and calls the services and selectors.
"""

import base64
import binascii
import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Path, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from ifm.core.api import DEFAULT_PAGE_SIZE, MAX_ID, MAX_PAGE_SIZE, ApiError, idempotent, paginated
from ifm.core.api_types import DateText
from ifm.core.errors import ConflictError
from ifm.ledger import selectors, services, services_chart
from ifm.ledger.imports import ChartImportResult, OpeningBalancesResult
from ifm.ledger.models import (
    Account,
    AccountType,
    FiscalYear,
    Fund,
    JournalEntry,
    JournalLine,
    PeriodStatus,
    Program,
    SourceType,
)
from ifm.ledger.models import (
    Period as PeriodModel,
)
from ifm.ledger.schemas import (
    EARLIEST,
    LATEST,
    AccountIn,
    AccountLedgerOut,
    AccountOut,
    AccountPatchIn,
    ChartImportOut,
    FiscalYearCloseOut,
    FiscalYearOut,
    FundBalancesOut,
    FundIn,
    FundOut,
    FundPatchIn,
    JournalEntryIn,
    JournalEntryOut,
    JournalEntrySummaryOut,
    OpeningBalancesOut,
    PeriodOut,
    ProgramIn,
    ProgramOut,
    ProgramPatchIn,
    ReleaseIn,
    ReopenIn,
    ReverseIn,
    TrialBalanceOut,
    money,
)
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])

IdPath = Path(..., ge=1, le=MAX_ID)
QueryDate = Annotated[date | None, Query(ge=EARLIEST, le=LATEST), DateText]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Search = Annotated[str, Query(max_length=200, description="Search in number/code and name.")]


def _org(request: HttpRequest) -> Any:
    return request.org  # type: ignore[attr-defined]


def _access(request: HttpRequest) -> Any:
    return request.access  # type: ignore[attr-defined]


def _get(model: Any, pk: int, **extra: Any) -> Any:
    obj = model.objects.filter(pk=pk, **extra).first()
    if obj is None:
        raise Http404
    return obj


def _optional_fk(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ApiError(
            422,
            f"No such {model._meta.verbose_name}.",
            errors=[{"field": field, "message": f"No such {model._meta.verbose_name}."}],
        )
    return obj


# --- Accounts ------------------------------------------------------------------------------------


@router.get("/accounts", response=list[AccountOut], summary="List accounts")
@paginated("number")
def account_list(
    request: HttpRequest,
    q: Search = "",
    type: Annotated[AccountType | None, Query(description="Only accounts of this type.")] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
) -> QuerySet[Account]:
    require_perm(_access(request), "ledger.view")
    qs = selectors.accounts_with_headers()
    if q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if type is not None:
        qs = qs.filter(type=type.value)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/accounts/{int:account_id}", response=AccountOut, summary="Get an account")
def account_get(request: HttpRequest, account_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.view")
    return _get(Account, account_id)


@router.post("/accounts", response={201: AccountOut}, summary="Create an account")
@idempotent
def account_create(request: HttpRequest, payload: AccountIn) -> Any:
    require_perm(_access(request), "ledger.manage")
    account = services_chart.account_create(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        number=payload.number,
        name=payload.name,
        type=payload.type.value,
        parent=_optional_fk(Account, payload.parent_id, "parent_id"),
        net_asset_class=payload.net_asset_class,
        description=payload.description,
    )
    return Status(201, account)


@router.patch("/accounts/{int:account_id}", response=AccountOut, summary="Change an account")
def account_update(request: HttpRequest, payload: AccountPatchIn, account_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.manage")
    account = _get(Account, account_id)
    changes: dict[str, Any] = {}
    if "parent_id" in payload.model_fields_set:
        changes["parent"] = _optional_fk(Account, payload.parent_id, "parent_id")
    return services_chart.account_update(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        account=account,
        expected_version=payload.version,
        number=payload.number,
        name=payload.name,
        description=payload.description,
        net_asset_class=payload.net_asset_class,
        is_active=payload.is_active,
        **changes,
    )


@router.post(
    "/accounts/import",
    response=ChartImportOut,
    summary="Import a chart of accounts (CSV)",
    description=(
        "A multipart upload: `file` (CSV, UTF-8) and `dry_run`. Layouts: the UCOA/Banana export "
        "(Group,Account,Description,Gr) or number,name,type,parent_number[,net_asset_class]. "
        "A dry run lists every problem and writes nothing; a commit with problems is a 422 "
        "listing them, and writes nothing."
    ),
)
def account_import(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Any:
    require_perm(_access(request), "ledger.manage")
    result: ChartImportResult = services_chart.chart_import_csv(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        file=file,
        dry_run=dry_run,
    )
    out = result.as_dict()
    out["problems"] = [{**asdict_problem(p)} for p in result.problems]
    return out


def asdict_problem(problem: Any) -> dict[str, Any]:
    return {
        "row": problem.row,
        "column": problem.column,
        "field": problem.field,
        "message": problem.as_error()["message"],
    }


@router.get(
    "/accounts/{int:account_id}/ledger",
    response=AccountLedgerOut,
    summary="An account's lines with running balance",
)
def account_ledger(
    request: HttpRequest,
    account_id: int = IdPath,
    date_from: QueryDate = None,
    date_to: QueryDate = None,
    fund: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Any:
    require_perm(_access(request), "ledger.view")
    account = _get(Account, account_id)
    if fund is not None:
        _get(Fund, fund)
    sign = Decimal(1) if AccountType(account.type).normal_debit else Decimal(-1)
    lines = JournalLine.objects.filter(account=account)
    if fund is not None:
        lines = lines.filter(fund_id=fund)
    zero = Decimal("0.00")
    opening = zero
    if date_from is not None:
        opening = lines.filter(date__lt=date_from).aggregate(
            net=Coalesce(Sum(F("debit") - F("credit")), zero)
        )["net"]
        lines = lines.filter(date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(date__lte=date_to)
    brought = zero
    if cursor:
        after = _ledger_cursor(cursor)
        before_q = (
            Q(date__lt=after[0])
            | Q(date=after[0], entry_id__lt=after[1])
            | Q(date=after[0], entry_id=after[1], id__lte=after[2])
        )
        brought = lines.filter(before_q).aggregate(
            net=Coalesce(Sum(F("debit") - F("credit")), zero)
        )["net"]
        lines = lines.exclude(before_q)
    rows = list(
        lines.select_related("entry", "fund").order_by("date", "entry_id", "id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    running = opening + brought
    items = []
    for line in rows:
        running += line.debit - line.credit
        items.append(
            {
                "id": line.pk,
                "entry_id": line.entry_id,
                "entry_number": line.entry.number,
                "date": line.date,
                "memo": line.memo or line.entry.memo,
                "fund_id": line.fund_id,
                "fund_code": line.fund.code,
                "debit": money(line.debit),
                "credit": money(line.credit),
                "balance": money(running * sign),
            }
        )
    next_cursor = None
    if more and rows:
        last = rows[-1]
        raw = json.dumps([last.date.isoformat(), last.entry_id, last.pk]).encode()
        next_cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {
        "account_id": account.pk,
        "number": account.number,
        "name": account.name,
        "type": account.type,
        "fund_id": fund,
        "date_from": date_from,
        "date_to": date_to,
        "opening_balance": money(opening * sign),
        "items": items,
        "next": next_cursor,
    }


def _ledger_cursor(cursor: str) -> tuple[date, int, int]:
    bad = ApiError(
        400,
        "The cursor is not valid: use the `next` value of a previous page unchanged.",
        errors=[{"field": "cursor", "message": "Invalid cursor."}],
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        on = date.fromisoformat(values[0])
        entry_id, line_id = int(values[1]), int(values[2])
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError, IndexError, KeyError):
        raise bad from None
    if not isinstance(values, list) or len(values) != 3:
        raise bad
    if not (0 < entry_id <= MAX_ID and 0 < line_id <= MAX_ID):
        raise bad
    return on, entry_id, line_id


# --- Funds ---------------------------------------------------------------------------------------


@router.get("/funds", response=list[FundOut], summary="List funds")
@paginated("code")
def fund_list(
    request: HttpRequest,
    q: Search = "",
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
) -> QuerySet[Fund]:
    require_perm(_access(request), "ledger.view")
    qs = Fund.objects.all()
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/funds/{int:fund_id}", response=FundOut, summary="Get a fund")
def fund_get(request: HttpRequest, fund_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.view")
    return _get(Fund, fund_id)


@router.post("/funds", response={201: FundOut}, summary="Create a fund")
@idempotent
def fund_create(request: HttpRequest, payload: FundIn) -> Any:
    require_perm(_access(request), "ledger.manage")
    fund = services_chart.fund_create(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        code=payload.code,
        name=payload.name,
        restriction=payload.restriction.value,
        purpose=payload.purpose,
        restricted_until=payload.restricted_until,
    )
    return Status(201, fund)


@router.patch("/funds/{int:fund_id}", response=FundOut, summary="Change a fund")
def fund_update(request: HttpRequest, payload: FundPatchIn, fund_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.manage")
    fund = _get(Fund, fund_id)
    extra: dict[str, Any] = {}
    if "restricted_until" in payload.model_fields_set:
        extra["restricted_until"] = payload.restricted_until
    return services_chart.fund_update(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        fund=fund,
        expected_version=payload.version,
        code=payload.code,
        name=payload.name,
        restriction=payload.restriction.value if payload.restriction else None,
        purpose=payload.purpose,
        is_active=payload.is_active,
        **extra,
    )


@router.post(
    "/funds/{int:fund_id}/release",
    response={201: JournalEntryOut},
    summary="Release restricted net assets (spent for their purpose, or time passed)",
)
@idempotent
def fund_release(request: HttpRequest, payload: ReleaseIn, fund_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.post")
    entry = services.fund_release(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        fund=_get(Fund, fund_id),
        amount=Decimal(payload.amount),
        date=payload.date,
        memo=payload.memo,
    )
    return Status(201, entry)


# --- Programs ------------------------------------------------------------------------------------


@router.get("/programs", response=list[ProgramOut], summary="List programs")
@paginated("code")
def program_list(
    request: HttpRequest,
    q: Search = "",
    active: Annotated[bool | None, Query(description="Only active (true) or inactive.")] = None,
) -> QuerySet[Program]:
    require_perm(_access(request), "ledger.view")
    qs = Program.objects.all()
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get("/programs/{int:program_id}", response=ProgramOut, summary="Get a program")
def program_get(request: HttpRequest, program_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.view")
    return _get(Program, program_id)


@router.post("/programs", response={201: ProgramOut}, summary="Create a program")
@idempotent
def program_create(request: HttpRequest, payload: ProgramIn) -> Any:
    require_perm(_access(request), "ledger.manage")
    program = services_chart.program_create(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        code=payload.code,
        name=payload.name,
    )
    return Status(201, program)


@router.patch("/programs/{int:program_id}", response=ProgramOut, summary="Change a program")
def program_update(request: HttpRequest, payload: ProgramPatchIn, program_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.manage")
    program = _get(Program, program_id)
    return services_chart.program_update(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        program=program,
        expected_version=payload.version,
        code=payload.code,
        name=payload.name,
        is_active=payload.is_active,
    )


# --- Journal entries -----------------------------------------------------------------------------


@router.get("/journal-entries", response=list[JournalEntrySummaryOut], summary="List entries")
@paginated("-date", "-number")
def journal_entry_list(
    request: HttpRequest,
    date_from: QueryDate = None,
    date_to: QueryDate = None,
    account_id: QueryId = None,
    fund_id: QueryId = None,
    source_type: Annotated[SourceType | None, Query()] = None,
    source_id: Annotated[str | None, Query(max_length=64)] = None,
) -> QuerySet[JournalEntry]:
    require_perm(_access(request), "ledger.view")
    qs = JournalEntry.objects.all()
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    if account_id is not None:
        qs = qs.filter(pk__in=JournalLine.objects.filter(account_id=account_id).values("entry_id"))
    if fund_id is not None:
        qs = qs.filter(pk__in=JournalLine.objects.filter(fund_id=fund_id).values("entry_id"))
    if source_type is not None:
        qs = qs.filter(source_type=source_type.value)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    return qs.annotate(
        total=Coalesce(Sum("lines__debit"), Decimal("0.00"))  # one row per entry
    )


@router.get("/journal-entries/{int:entry_id}", response=JournalEntryOut, summary="Get an entry")
def journal_entry_get(request: HttpRequest, entry_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.view")
    return _get(JournalEntry, entry_id)


@router.post("/journal-entries", response={201: JournalEntryOut}, summary="Post a manual entry")
@idempotent
def journal_entry_create(request: HttpRequest, payload: JournalEntryIn) -> Any:
    require_perm(_access(request), "ledger.post")
    lines = [
        services.LineInput(
            account=line.account_id,
            fund=line.fund_id,
            debit=Decimal(line.debit),
            credit=Decimal(line.credit),
            program=line.program_id,
            function=line.function,
            memo=line.memo,
        )
        for line in payload.lines
    ]
    entry = services.journal_entry_create(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        date=payload.date,
        lines=lines,
        memo=payload.memo,
        reference=payload.reference,
    )
    return Status(201, entry)


@router.post(
    "/journal-entries/{int:entry_id}/reverse",
    response={201: JournalEntryOut},
    summary="Reverse an entry",
)
@idempotent
def journal_entry_reverse(request: HttpRequest, payload: ReverseIn, entry_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.post")
    entry = _get(JournalEntry, entry_id)
    reversal = services.journal_entry_reverse(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        entry=entry,
        date=payload.date,
        memo=payload.memo,
    )
    return Status(201, reversal)


# --- Periods and fiscal years --------------------------------------------------------------------


@router.get("/periods", response=list[PeriodOut], summary="List periods")
@paginated("start_date")
def period_list(
    request: HttpRequest,
    fiscal_year: QueryId = None,
    status: Annotated[PeriodStatus | None, Query()] = None,
) -> QuerySet[PeriodModel]:
    require_perm(_access(request), "ledger.view")
    qs = PeriodModel.objects.all()
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year_id=fiscal_year)
    if status is not None:
        qs = qs.filter(status=status.value)
    return qs


@router.post("/periods/{int:period_id}/close", response=PeriodOut, summary="Close a period")
def period_close(request: HttpRequest, period_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.close_periods")
    period = _get(PeriodModel, period_id)
    if period.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"The period {period.name} is already closed.")
    return services.period_close(
        organization=_org(request), actor=request.user, access=_access(request), period=period
    )


@router.post("/periods/{int:period_id}/reopen", response=PeriodOut, summary="Reopen a period")
def period_reopen(request: HttpRequest, payload: ReopenIn, period_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.close_periods")
    period = _get(PeriodModel, period_id)
    if period.status == PeriodStatus.OPEN:
        raise ConflictError(message=f"The period {period.name} is already open.")
    if period.fiscal_year.status == PeriodStatus.CLOSED:
        raise ConflictError(
            message=f"The fiscal year {period.fiscal_year.name} is closed: reopen the year first."
        )
    return services.period_reopen(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        period=period,
        reason=payload.reason,
    )


@router.get("/fiscal-years", response=list[FiscalYearOut], summary="List fiscal years")
@paginated("start_date")
def fiscal_year_list(request: HttpRequest) -> QuerySet[FiscalYear]:
    require_perm(_access(request), "ledger.view")
    return FiscalYear.objects.all()


@router.post(
    "/fiscal-years/{int:fiscal_year_id}/close",
    response=FiscalYearCloseOut,
    summary="Close a fiscal year",
    description=(
        "Moves revenue and expenses into net assets by class, and closes its periods. "
        "Refused (422) until the year has ended, and while an earlier year is still open."
    ),
)
def fiscal_year_close(request: HttpRequest, fiscal_year_id: int = IdPath) -> Any:
    require_perm(_access(request), "ledger.close_periods")
    fiscal_year = _get(FiscalYear, fiscal_year_id)
    if fiscal_year.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"{fiscal_year.name} is already closed.")
    entry = services.fiscal_year_close(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        fiscal_year=fiscal_year,
    )
    fiscal_year.refresh_from_db()
    return {"fiscal_year": fiscal_year, "closing_entry_id": entry.pk if entry else None}


# --- Reports -------------------------------------------------------------------------------------


@router.get("/reports/trial-balance", response=TrialBalanceOut, summary="Trial balance")
def trial_balance(request: HttpRequest, as_of: QueryDate = None, fund: QueryId = None) -> Any:
    require_perm(_access(request), "ledger.view")
    if fund is not None:
        _get(Fund, fund)
    report = selectors.trial_balance(as_of=as_of or timezone.localdate(), fund_id=fund)
    return {
        "as_of": report.as_of,
        "fund_id": report.fund_id,
        "rows": [
            {
                "account_id": row.account_id,
                "number": row.number,
                "name": row.name,
                "type": row.type,
                "debit": money(row.debit),
                "credit": money(row.credit),
            }
            for row in report.rows
        ],
        "total_debit": money(report.total_debit),
        "total_credit": money(report.total_credit),
    }


@router.get("/reports/fund-balances", response=FundBalancesOut, summary="Fund balances")
def fund_balances(request: HttpRequest, as_of: QueryDate = None) -> Any:
    require_perm(_access(request), "ledger.view")
    on = as_of or timezone.localdate()
    return {
        "as_of": on,
        "rows": [
            {
                "fund_id": row["fund_id"],
                "code": row["fund__code"],
                "name": row["fund__name"],
                "restriction": row["fund__restriction"],
                "assets": money(row["assets"]),  # type: ignore[arg-type]
                "liabilities": money(row["liabilities"]),  # type: ignore[arg-type]
                "balance": money(row["balance"]),  # type: ignore[arg-type]
            }
            for row in selectors.fund_balances(as_of=on)
        ],
    }


# --- Opening balances ----------------------------------------------------------------------------


@router.post(
    "/opening-balances/import",
    response=OpeningBalancesOut,
    summary="Import opening balances (CSV)",
    description=(
        "A multipart upload: `file` (CSV, UTF-8, columns account_number,fund_code,debit,credit), "
        "`date` and `dry_run`. Posts one balanced entry (source type `opening`) on the date; "
        "funds that do not balance on their own get due-to/due-from lines. A dry run lists "
        "every problem and writes nothing; a commit with problems is a 422 and writes nothing."
    ),
)
def opening_balances_import(
    request: HttpRequest,
    file: File[UploadedFile],
    date: Annotated[date, Form(ge=EARLIEST, le=LATEST, description="The entry's date.")],
    dry_run: Form[bool] = False,
) -> Any:
    require_perm(_access(request), "ledger.manage")
    result: OpeningBalancesResult = services_chart.opening_balances_import_csv(
        organization=_org(request),
        actor=request.user,
        access=_access(request),
        file=file,
        date=date,
        dry_run=dry_run,
    )
    out = result.as_dict()
    out["total_debit"] = money(result.total_debit)
    out["total_credit"] = money(result.total_credit)
    out["interfund"] = [
        {"fund": i["fund"], "difference": money(i["difference"])} for i in result.interfund
    ]
    out["problems"] = [asdict_problem(p) for p in result.problems]
    return out
