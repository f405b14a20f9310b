"""Every write of the ledger. Other apps post through post_entry / reverse_entry only."""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ifm.audit.services import audit_record, audit_values
from ifm.core.bulk import insert_columns, reserve_ids
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.money import clean_money
from ifm.core.org_context import org_context
from ifm.ledger.chart import UCOA_TEMPLATE
from ifm.ledger.fiscal_years import (
    EARLIEST_DATE,
    EARLIEST_MESSAGE,
    PostingCalendar,
    date_error,
    fiscal_year_bounds,
    organization_today,
)
from ifm.ledger.models import (
    Account,
    FiscalYear,
    Function,
    Fund,
    JournalEntry,
    JournalLine,
    LedgerCounter,
    Period,
    PeriodStatus,
    Program,
    Restriction,
    SourceType,
)
from ifm.ledger.selectors import restricted_balance
from ifm.tenancy.db import prepared_cursor
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, require_perm

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class LineInput:
    """One side of an entry. Give account and fund as objects or ids; amounts as Decimal."""

    account: Account | int
    fund: Fund | int
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    program: Program | int | None = None
    function: str = ""
    memo: str = ""


@dataclass(frozen=True)
class _Ref:
    """An account, fund or program as posting needs it: its id and how to name it."""

    pk: int
    label: str
    is_active: bool = True
    is_header: bool = False

    def __str__(self) -> str:
        return self.label


@dataclass
class _Line:
    account: _Ref
    fund: _Ref
    debit: Decimal
    credit: Decimal
    program: _Ref | None = None
    function: str = ""
    memo: str = ""
    errors: list[str] = field(default_factory=list)


def _id(value: Any) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.pk


def _money(value: Any, where: str) -> Decimal:
    """A debit, credit or amount: blank is zero; the sign is checked by the caller."""
    return clean_money(value, where, blank=ZERO, allow_negative=True, allow_zero=True)


# --- Chart of accounts and funds -------------------------------------------------------------


@transaction.atomic
def chart_create_from_template(*, organization: Organization) -> None:
    """Give a new organization the UCOA chart, a general fund and the current fiscal year."""
    with org_context(organization):
        if Account.objects.exists():
            return
        by_number: dict[str, Account] = {}
        for number, name, type_, parent, net_class, role in UCOA_TEMPLATE:
            account = Account.objects.create(
                number=number,
                name=name,
                type=type_,
                parent=by_number.get(parent),
                net_asset_class=net_class,
                role=role,
            )
            by_number[number] = account
        Fund.objects.create(
            code="GEN", name="General fund", restriction=Restriction.NONE, is_general=True
        )
        LedgerCounter.objects.create()
        fiscal_year_ensure(organization=organization, on=organization_today(organization))


def account_by_role(role: str) -> Account:
    account = Account.objects.filter(role=role).first()
    if account is None:
        raise ServiceError(
            f"The chart of accounts has no account marked '{role}': set one up first."
        )
    return account


# --- Periods ---------------------------------------------------------------------------------


def fiscal_year_ensure(*, organization: Organization, on: date) -> FiscalYear:
    """The fiscal year containing `on`, created with its twelve monthly periods if missing.

    An explicit set-up step (a new organization's first year, generated history): it creates
    the year wherever it lies (after 1900, EARLIEST_DATE). Posting never calls it for a date that
    `fiscal_years.PostingCalendar` refuses, so a mistyped date cannot open a stray year."""
    if on < EARLIEST_DATE:
        raise date_error(EARLIEST_MESSAGE)
    start, end, name = fiscal_year_bounds(organization, on)
    with org_context(organization):
        fy = FiscalYear.objects.filter(start_date=start).first()
        if fy is not None:
            return fy
        fy = FiscalYear.objects.create(name=name, start_date=start, end_date=end)
        y, m = start.year, start.month
        periods = []
        for _ in range(12):
            last = calendar.monthrange(y, m)[1]
            periods.append(
                Period(
                    organization=organization,
                    fiscal_year=fy,
                    name=f"{y}-{m:02d}",
                    start_date=date(y, m, 1),
                    end_date=date(y, m, last),
                )
            )
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        Period.objects.bulk_create(periods)
        return fy


def _open_period_for(
    organization: Organization, on: date, years: PostingCalendar | None = None
) -> Period:
    """The open period holding `on`, its fiscal year started if the rules of
    `fiscal_years` allow; otherwise a 422 on `date` that says which years are open.
    A bulk posting passes one calendar (`years`) for all its dates."""
    (years or PostingCalendar.load(organization)).check(on)
    period = Period.objects.filter(start_date__lte=on, end_date__gte=on).first()
    if period is None:
        fiscal_year_ensure(organization=organization, on=on)
        period = Period.objects.get(start_date__lte=on, end_date__gte=on)
    if period.status != PeriodStatus.OPEN:
        raise _closed_period(period.name)
    return period


def _closed_period(name: str) -> ServiceError:
    return ServiceError(
        f"The period {name} is closed: choose a date in an open period, "
        "or ask finance to reopen it.",
        field="date",
    )


@transaction.atomic
def period_close(
    *, organization: Organization, actor: Any, access: Access | None, period: Period
) -> Period:
    require_perm(access, "ledger.close_periods")
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        raise ConflictError(message=f"The period {period.name} is already closed.")
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = actor
    period.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        action="period.close",
        actor=actor,
        organization=organization,
        obj=period,
        changes={"status": {"before": "open", "after": "closed"}},
    )
    return period


@transaction.atomic
def period_reopen(
    *, organization: Organization, actor: Any, access: Access | None, period: Period, reason: str
) -> Period:
    require_perm(access, "ledger.close_periods")
    if not reason.strip():
        raise ServiceError("Say why the period is reopened.", field="reason")
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.OPEN:
        raise ConflictError(message=f"The period {period.name} is already open.")
    if period.fiscal_year.status == PeriodStatus.CLOSED:
        raise ServiceError(
            f"The fiscal year {period.fiscal_year.name} is closed: reopen the year first."
        )
    period.status = PeriodStatus.OPEN
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        action="period.reopen",
        actor=actor,
        organization=organization,
        obj=period,
        changes={"status": {"before": "closed", "after": "open"}, "reason": reason.strip()},
    )
    return period


# --- Posting ---------------------------------------------------------------------------------


_LOOKUP_PARTS = {
    "account": (
        "SELECT 'account', a.id, a.number || ' ' || a.name, a.is_active, "
        "EXISTS (SELECT 1 FROM ledger_account c WHERE c.parent_id = a.id) "
        "FROM ledger_account a WHERE a.organization_id = %s AND a.id {ids}"
    ),
    "fund": (
        "SELECT 'fund', f.id, f.code || ' ' || f.name, f.is_active, FALSE "
        "FROM ledger_fund f WHERE f.organization_id = %s AND f.id {ids}"
    ),
    "program": (
        "SELECT 'program', p.id, p.code || ' ' || p.name, p.is_active, FALSE "
        "FROM ledger_program p WHERE p.organization_id = %s AND p.id {ids}"
    ),
}
# A period takes entries while it is open and no closed fiscal year ends on or after its start
# (nothing is posted into or before a closed year); when it does not, post_entry asks
# _open_period_for, which says why.
_PERIOD_PART = (
    "SELECT 'period', p.id, p.name, p.status = 'open' AND NOT EXISTS (SELECT 1 "
    "FROM ledger_fiscalyear y WHERE y.organization_id = p.organization_id "
    "AND y.status = 'closed' AND y.end_date >= p.start_date), FALSE "
    "FROM ledger_period p WHERE p.organization_id = %s AND CAST(%s AS date) IS NOT NULL "
    "AND p.start_date <= %s AND p.end_date >= %s"
)


def _lookup(
    organization: Organization, ids: dict[str, set[int]], on: date | None = None
) -> dict[str, dict[int, _Ref]]:
    """Accounts, funds and programs by id (and the period holding `on`) in one query.

    Posting is the hottest write path, so the references it checks come back in one round
    trip as plain values rather than through three ORM queries."""
    found: dict[str, dict[int, _Ref]] = {kind: {} for kind in (*_LOOKUP_PARTS, "period")}
    parts: list[str] = []
    params: list[Any] = []
    postgres = connection.vendor == "postgresql"
    for kind, template in _LOOKUP_PARTS.items():
        wanted = sorted(ids.get(kind, ()))
        if postgres:  # one text whatever the ids, so PostgreSQL plans it once
            parts.append(template.format(ids="= ANY(%s::bigint[])"))
            params += [organization.pk, wanted]
        elif wanted:
            parts.append(template.format(ids="IN (" + ", ".join(["%s"] * len(wanted)) + ")"))
            params += [organization.pk, *wanted]
    if postgres or on is not None:
        parts.append(_PERIOD_PART)
        params += [organization.pk, on, on, on]
    if not parts:
        return found
    cursor_of = prepared_cursor if postgres else connection.cursor
    with cursor_of() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pk, label, active, header in cursor.fetchall():
            found[kind][pk] = _Ref(pk, label, bool(active), bool(header))
    return found


def _resolve_lines(
    lines: Sequence[LineInput], *, organization: Organization, on: date | None = None
) -> tuple[list[_Line], _Ref | None]:
    """Check every line against the chart; with `on`, also find the period of that date."""
    if len(lines) < 2:
        raise ServiceError("An entry needs at least two lines.", field="lines")
    ids: dict[str, set[int]] = {"account": set(), "fund": set(), "program": set()}
    for line in lines:
        for kind, value in (("account", line.account), ("fund", line.fund)):
            pk = _id(value)
            if pk is not None:
                ids[kind].add(pk)
        program_id = _id(line.program)
        if program_id is not None:
            ids["program"].add(program_id)
    found = _lookup(organization, ids, on)
    accounts, funds, programs = found["account"], found["fund"], found["program"]
    period = next(iter(found["period"].values()), None)
    errors: list[dict[str, str]] = []
    resolved: list[_Line] = []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        debit = _money(line.debit, f"{where}.debit")
        credit = _money(line.credit, f"{where}.credit")
        if debit < 0 or credit < 0:
            errors.append(
                {"field": where, "message": "Amounts must be positive: use the other column."}
            )
        elif (debit > 0) == (credit > 0):
            errors.append(
                {"field": where, "message": "Give exactly one of debit or credit, above zero."}
            )
        account = accounts.get(_id(line.account) or 0)
        fund = funds.get(_id(line.fund) or 0)
        program = programs.get(_id(line.program) or 0) if line.program is not None else None
        if account is None:
            errors.append({"field": f"{where}.account", "message": "No such account."})
        elif not account.is_active:
            errors.append(
                {"field": f"{where}.account", "message": f"Account {account} is inactive."}
            )
        elif account.is_header:
            errors.append(
                {
                    "field": f"{where}.account",
                    "message": f"{account} is a header: post to one of its sub-accounts.",
                }
            )
        if fund is None:
            errors.append({"field": f"{where}.fund", "message": "No such fund."})
        elif not fund.is_active:
            errors.append({"field": f"{where}.fund", "message": f"Fund {fund} is inactive."})
        if line.program is not None and program is None:
            errors.append({"field": f"{where}.program", "message": "No such program."})
        if line.function and line.function not in Function.values:
            errors.append(
                {"field": f"{where}.function", "message": f"Unknown function {line.function!r}."}
            )
        if account is not None and fund is not None:
            resolved.append(_Line(account, fund, debit, credit, program, line.function, line.memo))
    if errors:
        raise ServiceError(
            "The entry has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return resolved, period


def _balance_funds(lines: list[_Line]) -> list[_Line]:
    """Add due-to/due-from lines so that each fund balances on its own."""
    total = sum((line.debit - line.credit for line in lines), ZERO)
    if total != 0:
        debits = sum((line.debit for line in lines), ZERO)
        credits = sum((line.credit for line in lines), ZERO)
        raise ServiceError(
            f"The entry does not balance: debits {debits} and credits {credits} "
            f"differ by {abs(total)}.",
            field="lines",
        )
    by_fund: dict[int, Decimal] = defaultdict(lambda: ZERO)
    funds: dict[int, _Ref] = {}
    for line in lines:
        by_fund[line.fund.pk] += line.debit - line.credit
        funds[line.fund.pk] = line.fund
    if all(v == 0 for v in by_fund.values()):
        return lines
    receivable = _ref(account_by_role("interfund_receivable"))
    payable = _ref(account_by_role("interfund_payable"))
    extra = []
    for fund_id, net in sorted(by_fund.items()):
        if net > 0:  # more debits than credits in this fund: it owes the others
            extra.append(_Line(payable, funds[fund_id], ZERO, net, memo="Interfund"))
        elif net < 0:  # more credits: the others owe it
            extra.append(_Line(receivable, funds[fund_id], -net, ZERO, memo="Interfund"))
    return lines + extra


def _ref(account: Account) -> _Ref:
    return _Ref(account.pk, str(account), account.is_active)


def _next_number(organization: Organization) -> int:
    """Take the next entry number. The UPDATE's row lock makes concurrent posters queue here,
    and a rolled-back transaction gives its number back."""
    table = LedgerCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_entry_number = next_entry_number + 1 "  # noqa: S608
            "WHERE organization_id = %s RETURNING next_entry_number - 1",
            [organization.pk],
        )
        row = cursor.fetchone()
    if row is None:
        LedgerCounter.objects.create(next_entry_number=2)
        return 1
    return int(row[0])


@transaction.atomic
def post_entry(
    *,
    organization: Organization,
    actor: Any,
    date: date,
    lines: Sequence[LineInput],
    memo: str = "",
    reference: str = "",
    source_type: str = SourceType.MANUAL,
    source_id: str | int = "",
    reverses: JournalEntry | None = None,
    audit: bool = True,
) -> JournalEntry:
    """Post a balanced entry. Callers check their own permission (see journal_entry_create).

    Two round trips on PostgreSQL: one lookup of the accounts, funds, programs and period,
    then one statement that takes the number and writes the entry, its lines and the audit
    event (the database's triggers check the balance again at commit)."""
    with org_context(organization):
        if source_type not in SourceType.values:
            raise ServiceError(f"Unknown source type {source_type!r}.", field="source_type")
        if date < EARLIEST_DATE:
            raise date_error(EARLIEST_MESSAGE)
        resolved, period_ref = _resolve_lines(lines, organization=organization, on=date)
        resolved = _balance_funds(resolved)
        if period_ref is None or not period_ref.is_active:
            # No period yet, or one that takes no entries: the fiscal-year rules decide
            # (and name the open years), or the period's own status does.
            period_ref = _ref_period(_open_period_for(organization, date))
        entry = JournalEntry(
            organization=organization,
            date=date,
            memo=memo,
            reference=reference,
            source_type=source_type,
            source_id=str(source_id),
            reverses=reverses,
            period_id=period_ref.pk,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        changes = {
            "date": str(date),
            "source": f"{source_type}:{source_id}",
            "total": str(sum((line.debit for line in resolved), ZERO)),
        }
        if connection.vendor == "postgresql" and _write_entry_sql(
            entry, resolved, changes if audit else None, actor
        ):
            return entry
        entry.number = _next_number(organization)
        entry.save(force_insert=True)
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    organization=organization,
                    entry=entry,
                    account_id=line.account.pk,
                    fund_id=line.fund.pk,
                    program_id=line.program.pk if line.program else None,
                    function=line.function,
                    debit=line.debit,
                    credit=line.credit,
                    memo=line.memo,
                    date=date,
                )
                for line in resolved
            ]
        )
        if audit:
            audit_record(
                action="journal_entry.post",
                actor=actor,
                organization=organization,
                obj=entry,
                changes=changes,
            )
        return entry


def _ref_period(period: Period) -> _Ref:
    return _Ref(period.pk, period.name, period.status == PeriodStatus.OPEN)


_POST_SQL = """
WITH n AS (
    UPDATE ledger_ledgercounter SET next_entry_number = next_entry_number + 1
     WHERE organization_id = %(org)s::bigint
    RETURNING next_entry_number - 1 AS number
), e AS (
    INSERT INTO ledger_journalentry
        (organization_id, number, date, memo, reference, source_type, source_id, reverses_id,
         period_id, created_by_id, created_at)
    SELECT %(org)s::bigint, n.number, %(date)s::date, %(memo)s::text, %(reference)s::text,
           %(source_type)s::text, %(source_id)s::text, %(reverses)s::bigint,
           %(period)s::bigint, %(created_by)s::bigint, %(created_at)s::timestamptz
      FROM n
    RETURNING id, number
), l AS (
    INSERT INTO ledger_journalline
        (organization_id, entry_id, account_id, fund_id, program_id, function, debit, credit,
         memo, date)
    SELECT %(org)s::bigint, e.id, x.account, x.fund, x.program, x.function, x.debit, x.credit,
           x.memo, %(date)s::date
      FROM e, unnest(%(accounts)s::bigint[], %(funds)s::bigint[], %(programs)s::bigint[],
                     %(functions)s::text[], %(debits)s::numeric[], %(credits)s::numeric[],
                     %(memos)s::text[])
           AS x(account, fund, program, function, debit, credit, memo)
), a AS (
    INSERT INTO audit_auditevent
        (organization_id, actor_id, actor_label, action, object_type, object_id, object_repr,
         changes, ip_address, user_agent, request_id, created_at)
    SELECT %(org)s::bigint, %(actor)s::bigint, %(actor_label)s::text, %(action)s::text,
           %(object_type)s::text, e.id::text, 'JE-' || e.number, %(changes)s::jsonb,
           %(ip)s::inet, %(user_agent)s::text, %(request_id)s::text, %(audit_at)s::timestamptz
      FROM e
     WHERE %(audit)s::boolean
)
SELECT id, number FROM e
"""


def _write_entry_sql(
    entry: JournalEntry, lines: list[_Line], changes: dict[str, Any] | None, actor: Any
) -> bool:
    """Write the entry, its lines and its audit event in one statement (PostgreSQL).

    False when the organization has no entry counter yet (the ORM path then creates it)."""
    event = audit_values(
        action="journal_entry.post",
        actor=actor,
        organization=entry.organization,
        object_type=JournalEntry._meta.label_lower,
        changes=changes,
    )
    params = {
        "org": entry.organization_id,
        "date": entry.date,
        "memo": entry.memo,
        "reference": entry.reference,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "reverses": entry.reverses_id,
        "period": entry.period_id,
        "created_by": entry.created_by_id,
        "created_at": entry.created_at,
        "accounts": [line.account.pk for line in lines],
        "funds": [line.fund.pk for line in lines],
        "programs": [line.program.pk if line.program else None for line in lines],
        "functions": [line.function for line in lines],
        "debits": [line.debit for line in lines],
        "credits": [line.credit for line in lines],
        "memos": [line.memo for line in lines],
        "actor": event["actor"].pk if event["actor"] is not None else None,
        "actor_label": event["actor_label"],
        "action": event["action"],
        "object_type": event["object_type"],
        "changes": json.dumps(event["changes"]),
        "ip": event["ip_address"],
        "user_agent": event["user_agent"],
        "request_id": event["request_id"],
        "audit_at": event["created_at"],
        "audit": changes is not None,
    }
    with prepared_cursor() as cursor:
        cursor.execute(_POST_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return False
    entry.pk, entry.number = int(row[0]), int(row[1])
    entry._state.adding = False
    entry._state.db = connection.alias
    return True


@transaction.atomic
def journal_entry_create(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    date: date,
    lines: Sequence[LineInput],
    memo: str = "",
    reference: str = "",
) -> JournalEntry:
    """A manual journal entry, by finance or an admin."""
    require_perm(access, "ledger.post")
    return post_entry(
        organization=organization,
        actor=actor,
        date=date,
        lines=lines,
        memo=memo,
        reference=reference,
    )


@transaction.atomic
def reverse_entry(
    *,
    organization: Organization,
    actor: Any,
    entry: JournalEntry,
    date: date | None = None,
    memo: str = "",
) -> JournalEntry:
    """Post the mirror image of `entry`, linked to it. An entry is reversed at most once."""
    with org_context(organization):
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise ConflictError(message=f"{entry} has already been reversed.")
        if entry.source_type == SourceType.REVERSAL:
            raise ConflictError(message=f"{entry} is itself a reversal: post a new entry instead.")
        lines = [
            LineInput(
                account=line.account_id,
                fund=line.fund_id,
                debit=line.credit,
                credit=line.debit,
                program=line.program_id,
                function=line.function,
                memo=line.memo,
            )
            for line in entry.lines.all()
        ]
        return post_entry(
            organization=organization,
            actor=actor,
            date=date or entry.date,
            lines=lines,
            memo=memo or f"Reversal of {entry}",
            reference=entry.reference,
            source_type=SourceType.REVERSAL,
            source_id=entry.pk,
            reverses=entry,
        )


@transaction.atomic
def journal_entry_reverse(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    entry: JournalEntry,
    date: date | None = None,
    memo: str = "",
) -> JournalEntry:
    """A reversal asked for by a person (page or API): finance or an admin."""
    require_perm(access, "ledger.post")
    return reverse_entry(organization=organization, actor=actor, entry=entry, date=date, memo=memo)


@transaction.atomic
def restriction_release(
    *,
    organization: Organization,
    actor: Any,
    fund: Fund,
    amount: Decimal,
    date: date,
    memo: str = "",
    source_type: str = SourceType.RELEASE,
    source_id: str | int = "",
) -> JournalEntry:
    """Reclassify restricted net assets as spent for their purpose (within the restricted fund)."""
    with org_context(organization):
        amount = _money(amount, "amount")
        if amount <= 0:
            raise ServiceError("The amount to release must be above zero.", field="amount")
        if fund.restriction == Restriction.NONE:
            raise ServiceError(f"{fund} has no donor restriction to release.", field="fund")
        return post_entry(
            organization=organization,
            actor=actor,
            date=date,
            memo=memo or f"Release from restriction: {fund.name}",
            source_type=source_type,
            source_id=source_id,
            lines=[
                LineInput(account=account_by_role("release_with"), fund=fund, debit=amount),
                LineInput(account=account_by_role("release_without"), fund=fund, credit=amount),
            ],
        )


@transaction.atomic
def fund_release(
    *,
    organization: Organization,
    actor: Any,
    access: Access | None,
    fund: Fund,
    amount: Decimal,
    date: date,
    memo: str = "",
) -> JournalEntry:
    """Finance or an admin releases restricted money that was spent for its purpose (or whose
    time restriction has passed): at most what the fund still holds with donor restrictions."""
    require_perm(access, "ledger.post")
    with org_context(organization):
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        amount = _money(amount, "amount")
        still = restricted_balance(fund_id=fund.pk, as_of=date)
        if fund.restriction != Restriction.NONE and amount > still:
            raise ServiceError(
                f"{fund} holds {still} with donor restrictions on {date}: "
                f"release at most that much.",
                field="amount",
            )
        return restriction_release(
            organization=organization, actor=actor, fund=fund, amount=amount, date=date, memo=memo
        )


@transaction.atomic
def fiscal_year_close(
    *, organization: Organization, actor: Any, access: Access | None, fiscal_year: FiscalYear
) -> JournalEntry | None:
    """Close a year: move revenue and expense balances into net assets by class, close its periods.

    Each fund's revenue and expenses go to the net-asset account of their class (an account's own
    class where it has one, such as restricted contributions, otherwise the fund's class).

    A year closes only after its last day (in the organization's time zone) and after every
    earlier year: nothing can be posted into or before a closed year, so an open year before
    it would be frozen without having been closed.
    """
    require_perm(access, "ledger.close_periods")
    with org_context(organization):
        fiscal_year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
        if fiscal_year.status == PeriodStatus.CLOSED:
            raise ConflictError(message=f"{fiscal_year.name} is already closed.")
        today = organization_today(organization)
        if today <= fiscal_year.end_date:
            raise ServiceError(
                f"{fiscal_year.name} ends on {fiscal_year.end_date}: a fiscal year can be "
                f"closed only after its end, from {fiscal_year.end_date + timedelta(days=1)}."
            )
        earlier = FiscalYear.objects.filter(
            start_date__lt=fiscal_year.start_date, status=PeriodStatus.OPEN
        ).first()
        if earlier is not None:
            raise ServiceError(
                f"{earlier.name} is still open: close the earlier fiscal years first."
            )
        from django.db.models import F, Sum

        sums = (
            JournalLine.objects.filter(
                date__gte=fiscal_year.start_date,
                date__lte=fiscal_year.end_date,
                account__type__in=["revenue", "expense"],
            )
            .values("account_id", "account__net_asset_class", "fund_id", "fund__restriction")
            .annotate(net=Sum(F("debit") - F("credit")))
            .order_by("fund_id", "account_id")
        )
        without = account_by_role("net_assets_without")
        with_ = account_by_role("net_assets_with")
        lines: list[LineInput] = []
        to_net_assets: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        for row in sums:
            net = row["net"] or ZERO
            if net == 0:
                continue
            # Zero the account: credit what was a debit balance, debit what was a credit balance.
            lines.append(
                LineInput(
                    account=row["account_id"],
                    fund=row["fund_id"],
                    debit=-net if net < 0 else ZERO,
                    credit=net if net > 0 else ZERO,
                )
            )
            net_class = row["account__net_asset_class"] or (
                "without_donor_restrictions"
                if row["fund__restriction"] == "none"
                else "with_donor_restrictions"
            )
            target = without if net_class == "without_donor_restrictions" else with_
            to_net_assets[(target.pk, row["fund_id"])] += net
        for (account_id, fund_id), net in sorted(to_net_assets.items()):
            if net != 0:
                lines.append(
                    LineInput(
                        account=account_id,
                        fund=fund_id,
                        debit=net if net > 0 else ZERO,
                        credit=-net if net < 0 else ZERO,
                    )
                )
        entry = None
        if lines:
            # The closing entry is dated on the last day, so that period must still be open.
            entry = post_entry(
                organization=organization,
                actor=actor,
                date=fiscal_year.end_date,
                lines=lines,
                memo=f"Year-end close {fiscal_year.name}",
                source_type=SourceType.CLOSING,
                source_id=fiscal_year.pk,
            )
        now = timezone.now()
        Period.objects.filter(fiscal_year=fiscal_year).update(
            status=PeriodStatus.CLOSED, closed_at=now, closed_by=actor
        )
        fiscal_year.status = PeriodStatus.CLOSED
        fiscal_year.closing_entry = entry
        fiscal_year.save(update_fields=["status", "closing_entry"])
        audit_record(
            action="fiscal_year.close", actor=actor, organization=organization, obj=fiscal_year
        )
        return entry


@dataclass(frozen=True)
class EntryInput:
    """One entry of a bulk posting (post_entries)."""

    date: date
    lines: Sequence[LineInput]
    memo: str = ""
    reference: str = ""
    source_id: str | int = ""


@transaction.atomic
def post_entries(
    *,
    organization: Organization,
    actor: Any,
    entries: Sequence[EntryInput],
    source_type: str = SourceType.IMPORT,
    audit_obj: Any = None,
) -> list[int]:
    """Post many balanced entries at once (imports): the same rules as post_entry, checked
    for every entry, with one round of lookups, one block of entry numbers, bulk inserts and
    one audit event (on `audit_obj`, e.g. the import run) for them all. All or nothing."""
    with org_context(organization):
        if source_type not in SourceType.values:
            raise ServiceError(f"Unknown source type {source_type!r}.", field="source_type")
        if not entries:
            return []
        # Resolve every distinct account/fund/program once, with post_entry's checks.
        distinct: dict[tuple[Any, Any, Any], LineInput] = {}
        for entry in entries:
            for line in entry.lines:
                key = (_id(line.account), _id(line.fund), _id(line.program))
                distinct.setdefault(
                    key, LineInput(line.account, line.fund, debit=CENT, program=line.program)
                )
        probe = list(distinct.values())
        resolved_probe, _none = _resolve_lines(
            probe if len(probe) > 1 else probe * 2, organization=organization
        )
        refs = dict(zip(distinct, resolved_probe, strict=False))
        periods: dict[date, Period] = {}
        years = PostingCalendar.load(organization)  # every date is checked against these
        plan: list[tuple[EntryInput, list[_Line], Period]] = []
        for n, entry in enumerate(entries):
            if len(entry.lines) < 2:
                raise ServiceError(f"Entry {n + 1} needs at least two lines.", field="lines")
            lines = []
            for i, line in enumerate(entry.lines):
                where = f"entries[{n}].lines[{i}]"
                debit = _money(line.debit, f"{where}.debit")
                credit = _money(line.credit, f"{where}.credit")
                if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
                    raise ServiceError(
                        "Give exactly one of debit or credit, above zero.", field=where
                    )
                if line.function and line.function not in Function.values:
                    raise ServiceError(f"Unknown function {line.function!r}.", field=where)
                ref = refs[(_id(line.account), _id(line.fund), _id(line.program))]
                lines.append(
                    _Line(
                        ref.account, ref.fund, debit, credit, ref.program, line.function, line.memo
                    )
                )
            if entry.date not in periods:
                periods[entry.date] = _open_period_for(organization, entry.date, years)
            plan.append((entry, _balance_funds(lines), periods[entry.date]))
        # Take a block of numbers: the UPDATE's row lock serializes concurrent posters.
        first = _next_number(organization)
        if len(plan) > 1:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {LedgerCounter._meta.db_table} "  # noqa: S608
                    "SET next_entry_number = next_entry_number + %s WHERE organization_id = %s",
                    [len(plan) - 1, organization.pk],
                )
        created_by = actor.pk if getattr(actor, "is_authenticated", False) else None
        ids = reserve_ids(JournalEntry, len(plan))
        insert_columns(
            JournalEntry,
            {
                "id": ids,
                "organization_id": organization.pk,
                "number": list(range(first, first + len(plan))),
                "date": [entry.date for entry, _lines, _period in plan],
                "memo": [entry.memo for entry, _lines, _period in plan],
                "reference": [entry.reference for entry, _lines, _period in plan],
                "source_type": source_type,
                "source_id": [str(entry.source_id) for entry, _lines, _period in plan],
                "reverses_id": None,
                "period_id": [period.pk for _entry, _lines, period in plan],
                "created_by_id": created_by,
                "created_at": timezone.now(),
            },
            len(plan),
        )
        flat = [
            (entry_id, entry.date, line)
            for entry_id, (entry, lines, _period) in zip(ids, plan, strict=True)
            for line in lines
        ]
        insert_columns(
            JournalLine,
            {
                "organization_id": organization.pk,
                "entry_id": [e for e, _d, _ln in flat],
                "account_id": [ln.account.pk for _e, _d, ln in flat],
                "fund_id": [ln.fund.pk for _e, _d, ln in flat],
                "program_id": [ln.program.pk if ln.program else None for _e, _d, ln in flat],
                "function": [ln.function for _e, _d, ln in flat],
                "debit": [ln.debit for _e, _d, ln in flat],
                "credit": [ln.credit for _e, _d, ln in flat],
                "memo": [ln.memo for _e, _d, ln in flat],
                "date": [d for _e, d, _ln in flat],
            },
            len(flat),
        )
        audit_record(
            action="journal_entry.post_many",
            actor=actor,
            organization=organization,
            obj=audit_obj,
            object_type="" if audit_obj is not None else "ledger.journalentry",
            object_id="" if audit_obj is not None else ids[0],
            changes={
                "source_type": source_type,
                "entries": len(ids),
                "numbers": f"{first}-{first + len(ids) - 1}",
                "total": str(sum((ln.debit for _e, lines, _p in plan for ln in lines), ZERO)),
            },
        )
        return ids
