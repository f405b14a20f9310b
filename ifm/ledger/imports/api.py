"""/api/v1 imports: a chart of accounts and opening balances from CSV."""

from datetime import date
from typing import Annotated, Any

from ninja import File, Form, Router
from ninja.files import UploadedFile

from ifm.accounts.http import OrgRequest
from ifm.ledger.api_types import EARLIEST, LATEST, money
from ifm.ledger.imports import services
from ifm.ledger.imports.results import ChartImportResult, OpeningBalancesResult
from ifm.ledger.imports.schemas import ChartImportOut, OpeningBalancesOut
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])


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
    request: OrgRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Any:
    require_perm(request.access, "ledger.manage")
    result: ChartImportResult = services.chart_import_csv(
        organization=request.org,
        actor=request.user,
        access=request.access,
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
    request: OrgRequest,
    file: File[UploadedFile],
    date: Annotated[date, Form(ge=EARLIEST, le=LATEST, description="The entry's date.")],
    dry_run: Form[bool] = False,
) -> Any:
    require_perm(request.access, "ledger.manage")
    result: OpeningBalancesResult = services.opening_balances_import_csv(
        organization=request.org,
        actor=request.user,
        access=request.access,
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
