"""/api/v1 balances: trial balance, fund balances, account ledgers, releases of restricted money."""

import base64
import binascii
import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from ifm.accounts.http import OrgRequest
from ifm.core.api import DEFAULT_PAGE_SIZE, MAX_ID, MAX_PAGE_SIZE, ApiError, idempotent
from ifm.ledger.api_types import IdPath, QueryDate, QueryId, get_or_404, money
from ifm.ledger.balances import selectors, services
from ifm.ledger.balances.schemas import (
    AccountLedgerOut,
    FundBalancesOut,
    ReleaseIn,
    TrialBalanceOut,
)
from ifm.ledger.journal.schemas import JournalEntryOut
from ifm.ledger.models import Account, AccountType, Fund, JournalLine
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])


@router.get(
    "/accounts/{int:account_id}/ledger",
    response=AccountLedgerOut,
    summary="An account's lines with running balance",
)
def account_ledger(
    request: OrgRequest,
    account_id: int = IdPath,
    date_from: QueryDate = None,
    date_to: QueryDate = None,
    fund: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Any:
    require_perm(request.access, "ledger.view")
    account = get_or_404(Account, account_id)
    if fund is not None:
        get_or_404(Fund, fund)
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


@router.post(
    "/funds/{int:fund_id}/release",
    response={201: JournalEntryOut},
    summary="Release restricted net assets (spent for their purpose, or time passed)",
)
@idempotent
def fund_release(request: OrgRequest, payload: ReleaseIn, fund_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.post")
    entry = services.fund_release(
        organization=request.org,
        actor=request.user,
        access=request.access,
        fund=get_or_404(Fund, fund_id),
        amount=Decimal(payload.amount),
        date=payload.date,
        memo=payload.memo,
    )
    return Status(201, entry)


@router.get("/reports/trial-balance", response=TrialBalanceOut, summary="Trial balance")
def trial_balance(request: OrgRequest, as_of: QueryDate = None, fund: QueryId = None) -> Any:
    require_perm(request.access, "ledger.view")
    if fund is not None:
        get_or_404(Fund, fund)
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


@router.get(
    "/reports/fund-balances",
    response=FundBalancesOut,
    summary="Fund balances by net-asset class, with releases from restriction",
)
def fund_balances(request: OrgRequest, as_of: QueryDate = None, date_from: QueryDate = None) -> Any:
    """Net assets per fund on `as_of` (today by default), split into without and with donor
    restrictions, and the releases from restriction dated `date_from` (the first day of the
    fiscal year holding `as_of` by default) to `as_of`."""
    require_perm(request.access, "ledger.view")
    on = as_of or timezone.localdate()
    start = date_from or fiscal_year_bounds(request.org, on)[0]
    if start > on:
        raise ApiError(
            422,
            "The period must start on or before the balance date.",
            errors=[{"field": "date_from", "message": "After as_of."}],
        )
    report = selectors.fund_net_assets(as_of=on, date_from=start)
    totals = report.totals
    return {
        "as_of": on,
        "date_from": start,
        "rows": [
            {
                "fund_id": row.fund_id,
                "code": row.code,
                "name": row.name,
                "restriction": row.restriction,
                "assets": money(row.assets),
                "liabilities": money(row.liabilities),
                "without_donor_restrictions": money(row.without_restrictions),
                "with_donor_restrictions": money(row.with_restrictions),
                "balance": money(row.balance),
                "released_from_restriction": money(row.released),
            }
            for row in report.rows
        ],
        "totals": {
            "without_donor_restrictions": money(totals["without_restrictions"]),
            "with_donor_restrictions": money(totals["with_restrictions"]),
            "balance": money(totals["balance"]),
            "released_from_restriction": money(totals["released"]),
        },
    }
