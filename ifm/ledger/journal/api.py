"""/api/v1 journal entries: list, read, post a manual entry, reverse one."""

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from ninja import Query, Router
from ninja.responses import Status

from ifm.accounts.http import OrgRequest
from ifm.core.api import idempotent, paginated
from ifm.ledger.api_types import IdPath, QueryDate, QueryId, get_or_404
from ifm.ledger.journal import services
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.schemas import (
    JournalEntryIn,
    JournalEntryOut,
    JournalEntrySummaryOut,
    ReverseIn,
)
from ifm.ledger.models import JournalEntry, JournalLine, SourceType
from ifm.tenancy.permissions import require_perm

router = Router(tags=["ledger"])


@router.get("/journal-entries", response=list[JournalEntrySummaryOut], summary="List entries")
@paginated("-date", "-number")
def journal_entry_list(
    request: OrgRequest,
    date_from: QueryDate = None,
    date_to: QueryDate = None,
    account_id: QueryId = None,
    fund_id: QueryId = None,
    source_type: Annotated[SourceType | None, Query()] = None,
    source_id: Annotated[str | None, Query(max_length=64)] = None,
) -> QuerySet[JournalEntry]:
    require_perm(request.access, "ledger.view")
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
    # Each entry's total read for the page's rows only (a subquery the database runs after
    # the sort and limit), not by grouping every entry of the organization with its lines.
    totals = (
        JournalLine.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(sum=Sum("debit"))
        .values("sum")
    )
    return qs.annotate(total=Coalesce(Subquery(totals), Decimal("0.00")))


@router.get("/journal-entries/{int:entry_id}", response=JournalEntryOut, summary="Get an entry")
def journal_entry_get(request: OrgRequest, entry_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.view")
    return get_or_404(JournalEntry, entry_id)


@router.post("/journal-entries", response={201: JournalEntryOut}, summary="Post a manual entry")
@idempotent
def journal_entry_create(request: OrgRequest, payload: JournalEntryIn) -> Any:
    require_perm(request.access, "ledger.post")
    lines = [
        LineInput(
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
        organization=request.org,
        actor=request.user,
        access=request.access,
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
def journal_entry_reverse(request: OrgRequest, payload: ReverseIn, entry_id: int = IdPath) -> Any:
    require_perm(request.access, "ledger.post")
    entry = get_or_404(JournalEntry, entry_id)
    reversal = services.journal_entry_reverse(
        organization=request.org,
        actor=request.user,
        access=request.access,
        entry=entry,
        date=payload.date,
        memo=payload.memo,
    )
    return Status(201, reversal)
