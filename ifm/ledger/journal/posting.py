"""Posting: the one way entries reach the ledger. Other apps post through post_entry,
post_entries and reverse_entry only; callers check their own permission."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record, audit_values
from ifm.core.api_types import EARLIEST_DATE
from ifm.core.bulk import insert_columns, reserve_ids
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.money import clean_money
from ifm.core.org_context import org_context
from ifm.ledger.chart.selectors import account_by_role
from ifm.ledger.journal.balancing import balance_funds
from ifm.ledger.journal.releases import NO_AUTOMATIC_RELEASE, RELEASE_MEMO, Leg, purpose_releases
from ifm.ledger.models import (
    Account,
    Function,
    Fund,
    JournalEntry,
    JournalLine,
    LedgerCounter,
    Period,
    PeriodStatus,
    Program,
    SourceType,
)
from ifm.ledger.periods.fiscal_years import EARLIEST_MESSAGE, PostingCalendar, date_error
from ifm.ledger.periods.services import open_period_for
from ifm.tenancy.db import prepared_cursor
from ifm.tenancy.models import Organization

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
    # An account's type, net-asset class and role; a fund's restriction (the release rule).
    kind: str = ""
    net_class: str = ""
    role: str = ""

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


def entry_amount(value: Any, where: str) -> Decimal:
    """A debit, credit or amount: blank is zero; the sign is checked by the caller."""
    return clean_money(value, where, blank=ZERO, allow_negative=True, allow_zero=True)


_LOOKUP_PARTS = {
    "account": (
        "SELECT 'account', a.id, a.number || ' ' || a.name, a.is_active, "
        "EXISTS (SELECT 1 FROM ledger_account c WHERE c.parent_id = a.id), "
        "a.type, a.net_asset_class, a.role "
        "FROM ledger_account a WHERE a.organization_id = %s AND a.id {ids}"
    ),
    "fund": (
        "SELECT 'fund', f.id, f.code || ' ' || f.name, f.is_active, FALSE, "
        "f.restriction, '', '' "
        "FROM ledger_fund f WHERE f.organization_id = %s AND f.id {ids}"
    ),
    "program": (
        "SELECT 'program', p.id, p.code || ' ' || p.name, p.is_active, FALSE, '', '', '' "
        "FROM ledger_program p WHERE p.organization_id = %s AND p.id {ids}"
    ),
}


# A period takes entries while it is open and no closed fiscal year ends on or after its start
# (nothing is posted into or before a closed year); when it does not, post_entry asks
# open_period_for, which says why.
_PERIOD_PART = (
    "SELECT 'period', p.id, p.name, p.status = 'open' AND NOT EXISTS (SELECT 1 "
    "FROM ledger_fiscalyear y WHERE y.organization_id = p.organization_id "
    "AND y.status = 'closed' AND y.end_date >= p.start_date), FALSE, '', '', '' "
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
        for kind, pk, label, active, header, tag, net_class, role in cursor.fetchall():
            found[kind][pk] = _Ref(pk, label, bool(active), bool(header), tag, net_class, role)
    return found


def _referenced_ids(lines: Sequence[LineInput]) -> dict[str, set[int]]:
    """The ids of the accounts, funds and programs the lines name."""
    ids: dict[str, set[int]] = {"account": set(), "fund": set(), "program": set()}
    for line in lines:
        for kind, value in (
            ("account", line.account),
            ("fund", line.fund),
            ("program", line.program),
        ):
            pk = _id(value)
            if pk is not None:
                ids[kind].add(pk)
    return ids


def _amount_errors(where: str, debit: Decimal, credit: Decimal) -> list[dict[str, str]]:
    if debit < 0 or credit < 0:
        return [{"field": where, "message": "Amounts must be positive: use the other column."}]
    if (debit > 0) == (credit > 0):
        return [{"field": where, "message": "Give exactly one of debit or credit, above zero."}]
    return []


def _account_error(account: _Ref | None) -> str | None:
    if account is None:
        return "No such account."
    if not account.is_active:
        return f"Account {account} is inactive."
    if account.is_header:
        return f"{account} is a header: post to one of its sub-accounts."
    return None


def _fund_error(fund: _Ref | None) -> str | None:
    if fund is None:
        return "No such fund."
    if not fund.is_active:
        return f"Fund {fund} is inactive."
    return None


def _reference_errors(
    where: str, line: LineInput, account: _Ref | None, fund: _Ref | None, program: _Ref | None
) -> list[dict[str, str]]:
    """What is wrong with the account, fund, program and function a line names, in that order."""
    problems = [
        ("account", _account_error(account)),
        ("fund", _fund_error(fund)),
        ("program", "No such program." if line.program is not None and program is None else None),
        (
            "function",
            f"Unknown function {line.function!r}."
            if line.function and line.function not in Function.values
            else None,
        ),
    ]
    return [
        {"field": f"{where}.{name}", "message": message}
        for name, message in problems
        if message is not None
    ]


def _resolve_lines(
    lines: Sequence[LineInput], *, organization: Organization, on: date | None = None
) -> tuple[list[_Line], _Ref | None]:
    """Check every line against the chart; with `on`, also find the period of that date."""
    if len(lines) < 2:
        raise ServiceError("An entry needs at least two lines.", field="lines")
    found = _lookup(organization, _referenced_ids(lines), on)
    accounts, funds, programs = found["account"], found["fund"], found["program"]
    period = next(iter(found["period"].values()), None)
    errors: list[dict[str, str]] = []
    resolved: list[_Line] = []
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        debit = entry_amount(line.debit, f"{where}.debit")
        credit = entry_amount(line.credit, f"{where}.credit")
        account = accounts.get(_id(line.account) or 0)
        fund = funds.get(_id(line.fund) or 0)
        program = programs.get(_id(line.program) or 0) if line.program is not None else None
        errors += _amount_errors(where, debit, credit)
        errors += _reference_errors(where, line, account, fund, program)
        if account is not None and fund is not None:
            resolved.append(_Line(account, fund, debit, credit, program, line.function, line.memo))
    if errors:
        raise ServiceError(
            "The entry has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return resolved, period


def _balance_funds(lines: list[_Line]) -> list[_Line]:
    """Add due-to/due-from lines so that each fund balances on its own (journal/balancing.py)."""
    total = sum((line.debit - line.credit for line in lines), ZERO)
    if total != 0:
        debits = sum((line.debit for line in lines), ZERO)
        credits = sum((line.credit for line in lines), ZERO)
        raise ServiceError(
            f"The entry does not balance: debits {debits} and credits {credits} "
            f"differ by {abs(total)}.",
            field="lines",
        )
    funds = {line.fund.pk: line.fund for line in lines}
    roles: dict[str, _Ref] = {}  # the interfund accounts, looked up once and only when needed

    def interfund(role: str) -> _Ref:
        if role not in roles:
            roles[role] = _ref(account_by_role(role))
        return roles[role]

    return balance_funds(
        lines,
        fund=lambda line: line.fund.pk,
        net=lambda line: line.debit - line.credit,
        due_to=lambda fund_id, amount: _Line(
            interfund("interfund_payable"), funds[fund_id], ZERO, amount, memo="Interfund"
        ),
        due_from=lambda fund_id, amount: _Line(
            interfund("interfund_receivable"), funds[fund_id], amount, ZERO, memo="Interfund"
        ),
    )


def _ref(account: Account) -> _Ref:
    return _Ref(
        account.pk,
        str(account),
        account.is_active,
        kind=account.type,
        net_class=account.net_asset_class,
        role=account.role,
    )


def _release_lines(lines: list[_Line], on: date) -> list[_Line]:
    """The lines that release from purpose restriction what the entry spends (releases.py)."""
    releases = purpose_releases(
        [
            Leg(
                line.fund.pk,
                line.fund.kind,
                line.account.kind,
                line.account.net_class,
                line.account.role,
                line.debit - line.credit,
            )
            for line in lines
        ],
        on=on,
    )
    if not releases:
        return []
    with_, without = _ref(account_by_role("release_with")), _ref(account_by_role("release_without"))
    funds = {line.fund.pk: line.fund for line in lines}
    added: list[_Line] = []
    for fund_id, amount in releases.items():
        added.append(_Line(with_, funds[fund_id], amount, ZERO, memo=RELEASE_MEMO))
        added.append(_Line(without, funds[fund_id], ZERO, amount, memo=RELEASE_MEMO))
    return added


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
    actor: User | None,
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

    Posting adds two kinds of lines of its own: due-to / due-from lines that balance each fund
    (journal/balancing.py), and the release from restriction of what the entry spends from a
    purpose-restricted fund (journal/releases.py).

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
        released = [] if source_type in NO_AUTOMATIC_RELEASE else _release_lines(resolved, on=date)
        if period_ref is None or not period_ref.is_active:
            # No period yet, or one that takes no entries: the fiscal-year rules decide
            # (and name the open years), or the period's own status does.
            period_ref = _ref_period(open_period_for(organization, date))
        entry = JournalEntry(
            organization=organization,
            date=date,
            memo=memo,
            reference=reference,
            source_type=source_type,
            source_id=str(source_id),
            reverses=reverses,
            period_id=period_ref.pk,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        changes = {
            "date": str(date),
            "source": f"{source_type}:{source_id}",
            "total": str(sum((line.debit for line in resolved), ZERO)),
        }
        if released:
            changes["released_from_restriction"] = str(sum((line.debit for line in released), ZERO))
            resolved += released
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
    entry: JournalEntry, lines: list[_Line], changes: dict[str, Any] | None, actor: User | None
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
def reverse_entry(
    *,
    organization: Organization,
    actor: User | None,
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
    actor: User | None,
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
                debit = entry_amount(line.debit, f"{where}.debit")
                credit = entry_amount(line.credit, f"{where}.credit")
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
                periods[entry.date] = open_period_for(organization, entry.date, years)
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
        created_by = actor.pk if actor is not None and actor.is_authenticated else None
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
