"""Matching bank lines to ledger lines, undoing a match, and entries made from a bank line.

Every service takes `organization` and `actor` (and `access` when the caller has it; without
it the actor's own membership is asked), checks `banking.match`, runs in one transaction and
writes an audit event. A match is refused unless the bank lines' amounts add up exactly to
the ledger lines' debit minus credit, every ledger line is on the bank account's cash account, and
nothing in it is matched or reconciled already.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.banking.accounts.access import banking_service
from ifm.banking.matching import suggest
from ifm.banking.matching.selectors import postable_accounts
from ifm.banking.models import (
    BankAccount,
    BankRule,
    BankTransaction,
    LineStatus,
    Match,
    MatchLine,
    MatchVia,
)
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import as_id
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Function, Fund, JournalLine, Program, SourceType
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access

MAX_LINES = 500  # journal lines or bank lines in one match
REASON_LIMIT = 500
MEMO_LIMIT = 500


def _lock_bank_lines(ids: Sequence[int]) -> list[BankTransaction]:
    # Lines are locked in id order so that two people matching overlapping lines queue here
    # rather than deadlock.
    return list(BankTransaction.objects.filter(pk__in=ids).order_by("pk").select_for_update())


def _check_bank_lines(lines: list[BankTransaction], field: str) -> BankAccount:
    accounts = {line.bank_account_id for line in lines}
    if len(accounts) != 1:
        raise ServiceError(
            "Bank lines of one bank account only can be matched together.", field=field
        )
    for line in lines:
        if line.reconciliation_id is not None or line.status == LineStatus.RECONCILED:
            raise ServiceError(
                f"The bank line of {line} is reconciled: it cannot change.", field=field
            )
        if line.status != LineStatus.UNMATCHED or line.match_id is not None:
            raise ConflictError(
                message=f"The bank line of {line} is already matched: unmatch it first."
            )
    return BankAccount.objects.select_related("ledger_account", "default_fund").get(
        pk=lines[0].bank_account_id
    )


def _journal_lines(ids: Sequence[Any], account: BankAccount) -> list[JournalLine]:
    wanted = []
    for i, value in enumerate(ids):
        pk = as_id(value)
        if pk is None:
            raise ServiceError(
                "Give journal line ids (whole numbers).", field=f"journal_line_ids.{i}"
            )
        if pk not in wanted:
            wanted.append(pk)
    if not wanted:
        raise ServiceError("Choose at least one ledger line to match.", field="journal_line_ids")
    if len(wanted) > MAX_LINES:
        raise ServiceError(
            f"At most {MAX_LINES} ledger lines in one match.", field="journal_line_ids"
        )
    lines = {
        line.pk: line for line in JournalLine.objects.select_related("entry").filter(pk__in=wanted)
    }
    errors = []
    for i, pk in enumerate(wanted):
        line = lines.get(pk)
        where = f"journal_line_ids.{i}"
        if line is None:
            errors.append({"field": where, "message": f"No ledger line {pk} in this organization."})
        elif line.account_id != account.ledger_account_id:
            errors.append(
                {
                    "field": where,
                    "message": f"Ledger line {pk} ({line.entry}) is not on "
                    f"{account.ledger_account}, the cash account of {account}.",
                }
            )
    if errors:
        raise ServiceError(
            "Some ledger lines cannot be matched: " + "; ".join(e["message"] for e in errors),
            errors=errors,
        )
    taken = set(
        MatchLine.objects.filter(journal_line_id__in=wanted).values_list(
            "journal_line_id", flat=True
        )
    )
    if taken:
        listed = ", ".join(str(lines[pk].entry) for pk in wanted if pk in taken)
        raise ConflictError(
            message=f"Ledger lines of {listed} are already matched: unmatch them first."
        )
    return [lines[pk] for pk in wanted]


def _create_match(
    *,
    organization: Organization,
    actor: User | None,
    bank_lines: list[BankTransaction],
    journal_lines: list[JournalLine],
    account: BankAccount,
    via: str,
    rule: BankRule | None = None,
) -> Match:
    bank_total = sum((line.amount for line in bank_lines), Decimal("0"))
    ledger_total = sum((line.debit - line.credit for line in journal_lines), Decimal("0"))
    if bank_total != ledger_total:
        raise ServiceError(
            f"The bank lines come to {bank_total:.2f} and the ledger lines to "
            f"{ledger_total:.2f} (debits less credits): they differ by "
            f"{abs(bank_total - ledger_total):.2f}.",
            field="journal_line_ids",
        )
    match = Match.objects.create(
        organization=organization,
        bank_account=account,
        via=via,
        cleared_on=max(line.date for line in bank_lines),
        rule=rule,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            MatchLine.objects.bulk_create(
                [
                    MatchLine(organization=organization, match=match, journal_line=line)
                    for line in journal_lines
                ]
            )
    except IntegrityError:
        raise ConflictError(
            message="Someone matched one of these ledger lines a moment ago: reload and choose "
            "again."
        ) from None
    BankTransaction.objects.filter(pk__in=[line.pk for line in bank_lines]).update(
        status=LineStatus.MATCHED, match=match
    )
    for line in bank_lines:
        line.status, line.match = LineStatus.MATCHED, match
    audit_record(
        action="bank_match.create",
        actor=actor,
        organization=organization,
        obj=match,
        object_repr=f"Match of {bank_lines[0]}"[:200],
        changes={
            "via": via,
            "bank_lines": [line.pk for line in bank_lines],
            "journal_lines": [line.pk for line in journal_lines],
            "entries": sorted({str(line.entry) for line in journal_lines}),
            "amount": f"{bank_total:.2f}",
            "cleared_on": match.cleared_on.isoformat(),
        },
    )
    return match


def _match(
    *,
    organization: Organization,
    actor: User | None,
    bank_lines: Sequence[BankTransaction],
    journal_line_ids: Sequence[Any],
    via: str,
    rule: BankRule | None = None,
) -> Match:
    if via not in MatchVia.values:
        raise ServiceError(f"Unknown way of matching {via!r}.", field="via")
    ids = sorted({line.pk for line in bank_lines})
    if not ids:
        raise ServiceError("Choose the bank line to match.", field="bank_lines")
    if len(ids) > MAX_LINES:
        raise ServiceError(f"At most {MAX_LINES} bank lines in one match.", field="bank_lines")
    locked = _lock_bank_lines(ids)
    if len(locked) != len(ids):
        raise ServiceError("A bank line is not of this organization.", field="bank_lines")
    account = _check_bank_lines(locked, "bank_lines")
    journal_lines = _journal_lines(journal_line_ids, account)
    return _create_match(
        organization=organization,
        actor=actor,
        bank_lines=locked,
        journal_lines=journal_lines,
        account=account,
        via=via,
        rule=rule,
    )


@banking_service("banking.match")
def match_lines(
    *,
    organization: Organization,
    actor: User | None,
    bank_lines: list[BankTransaction],
    journal_line_ids: list[int],
    via: str = MatchVia.MANUAL,
    access: Access | None = None,
) -> Match:
    """Match bank lines (one or several) to ledger lines (one or several) that are the same
    money. The match clears on the latest bank line's date."""
    return _match(
        organization=organization,
        actor=actor,
        bank_lines=bank_lines,
        journal_line_ids=journal_line_ids,
        via=via,
    )


def clean_reason(reason: Any) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ServiceError(
            "Say why the match is undone (it is kept in the audit log).", field="reason"
        )
    if len(text) > REASON_LIMIT:
        raise ServiceError(f"At most {REASON_LIMIT} characters.", field="reason")
    return text


@banking_service("banking.match")
def unmatch(
    *,
    organization: Organization,
    actor: User | None,
    bank_line: BankTransaction,
    reason: str,
    access: Access | None = None,
) -> list[BankTransaction]:
    """Undo the match the bank line is in: every bank line of it is unmatched again and its
    ledger lines are free. An entry created from the line stays posted (reverse it in the
    ledger if it was wrong). Refused for reconciled lines."""
    text = clean_reason(reason)
    current = BankTransaction.objects.filter(pk=bank_line.pk).first()
    if current is None or current.match_id is None:
        raise ConflictError(message="This bank line is not matched.")
    match = Match.objects.select_for_update().filter(pk=current.match_id).first()
    if match is None:
        raise ConflictError(message="This bank line is not matched.")
    lines = list(BankTransaction.objects.filter(match=match).order_by("pk").select_for_update())
    if any(
        line.reconciliation_id is not None or line.status == LineStatus.RECONCILED for line in lines
    ):
        raise ConflictError(
            message="This match is part of a finished reconciliation: reopen the reconciliation "
            "first."
        )
    journal_ids = list(
        MatchLine.objects.filter(match=match).values_list("journal_line_id", flat=True)
    )
    BankTransaction.objects.filter(pk__in=[line.pk for line in lines]).update(
        status=LineStatus.UNMATCHED, match=None
    )
    audit_record(
        action="bank_match.unmatch",
        actor=actor,
        organization=organization,
        obj=match,
        object_repr=f"Match of {lines[0]}"[:200] if lines else "",
        changes={
            "reason": text,
            "via": match.via,
            "bank_lines": [line.pk for line in lines],
            "journal_lines": journal_ids,
        },
    )
    match.delete()
    for line in lines:
        line.status, line.match = LineStatus.UNMATCHED, None
    return lines


# --- Entries from bank lines -------------------------------------------------------------------


def _resolve(qs: Any, value: Any, field: str, message: str) -> Any:
    if value is None:
        return None
    pk = as_id(value)
    row = qs.filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise ServiceError(message, field=field)
    return row


def entry_lines(
    *,
    bank_line: BankTransaction,
    cash_account_id: int,
    account: Account,
    fund: Fund,
    program: Program | None,
    function: str,
    memo: str,
) -> list[LineInput]:
    """A deposit debits cash and credits the account; a withdrawal the other way round."""
    amount = abs(bank_line.amount)
    deposit = bank_line.amount > 0
    return [
        LineInput(
            account=cash_account_id,
            fund=fund,
            debit=amount if deposit else Decimal("0"),
            credit=Decimal("0") if deposit else amount,
            memo=memo,
        ),
        LineInput(
            account=account,
            fund=fund,
            debit=Decimal("0") if deposit else amount,
            credit=amount if deposit else Decimal("0"),
            program=program,
            function=function,
            memo=memo,
        ),
    ]


def post_line_entry(
    *,
    organization: Organization,
    actor: User | None,
    bank_line: BankTransaction,
    account: Any,
    fund: Any = None,
    program: Any = None,
    function: str = "",
    memo: str = "",
    via: str = MatchVia.CREATED,
    rule: BankRule | None = None,
) -> Match:
    locked = _lock_bank_lines([bank_line.pk])
    if not locked:
        raise ServiceError("No such bank line.", field="bank_transaction_id")
    line = locked[0]
    bank_account = _check_bank_lines(locked, "bank_transaction_id")
    if line.amount == 0:
        raise ServiceError("A bank line of 0.00 needs no entry.", field="bank_transaction_id")
    chosen = _resolve(
        postable_accounts(),
        account,
        "account_id",
        "Choose an active account of this organization without sub-accounts.",
    )
    if chosen is None:
        raise ServiceError("Choose the account the money came from or went to.", field="account_id")
    if chosen.pk == bank_account.ledger_account_id:
        raise ServiceError(
            f"{chosen} is the bank account's own cash account: choose where the money came from "
            "or went to.",
            field="account_id",
        )
    chosen_fund = (
        _resolve(
            Fund.objects.filter(is_active=True),
            fund,
            "fund_id",
            "Choose an active fund of this organization.",
        )
        or bank_account.default_fund
    )
    chosen_program = _resolve(
        Program.objects.filter(is_active=True),
        program,
        "program_id",
        "Choose an active program of this organization.",
    )
    if function and function not in Function.values:
        raise ServiceError(
            "Choose program services, management and general, or fundraising.", field="function"
        )
    text = (
        " ".join(str(memo or "").split())[:MEMO_LIMIT]
        or (line.payee or line.memo or str(line))[:MEMO_LIMIT]
    )
    entry = post_entry(
        organization=organization,
        actor=actor,
        date=line.date,
        lines=entry_lines(
            bank_line=line,
            cash_account_id=bank_account.ledger_account_id,
            account=chosen,
            fund=chosen_fund,
            program=chosen_program,
            function=function,
            memo=text,
        ),
        memo=text,
        reference=line.reference[:100],
        source_type=SourceType.BANK,
        source_id=line.pk,
    )
    cash_lines = list(
        JournalLine.objects.select_related("entry").filter(
            entry=entry, account_id=bank_account.ledger_account_id
        )
    )
    return _create_match(
        organization=organization,
        actor=actor,
        bank_lines=locked,
        journal_lines=cash_lines,
        account=bank_account,
        via=via,
        rule=rule,
    )


@banking_service("banking.match")
def create_entry_from_line(
    *,
    organization: Organization,
    actor: User | None,
    bank_line: BankTransaction,
    account: Any,
    fund: Any = None,
    program: Any = None,
    function: str = "",
    memo: str = "",
    access: Access | None = None,
) -> Match:
    """Post an entry for a bank line that has none in the books (a bank fee, interest, a
    transfer): cash against `account`, in `fund` (the bank account's default fund when none
    is given), dated the bank line's day, and match it to the line."""
    return post_line_entry(
        organization=organization,
        actor=actor,
        bank_line=bank_line,
        account=account,
        fund=fund,
        program=program,
        function=function,
        memo=memo,
    )


# --- Accepting every confident suggestion ------------------------------------------------------


def confident_count(bank_account: BankAccount) -> int:
    """How many bank lines `accept_confident` would match now (shown before confirming)."""
    return len(suggest.confident_picks(suggest.suggest_all(bank_account, limit=2)))


@banking_service("banking.match")
def accept_confident(
    *,
    organization: Organization,
    actor: User | None,
    bank_account: BankAccount,
    access: Access | None = None,
) -> int:
    """Match every bank line of the account whose top suggestion is confident, all in one
    transaction; answers how many were matched.

    Written in bulk (a first statement can have thousands of such lines): the matches, their
    ledger lines and the bank lines' status in a few statements, and one audit event listing
    each match's bank line and ledger lines."""
    picks = suggest.confident_picks(suggest.suggest_all(bank_account, limit=2))
    if not picks:
        return 0
    bank_lines = {
        line.pk: line
        for line in BankTransaction.objects.filter(
            pk__in=list(picks), status=LineStatus.UNMATCHED, match__isnull=True
        )
        .order_by("pk")
        .select_for_update()
    }
    chosen = [(bank_lines[pk], picks[pk]) for pk in sorted(picks) if pk in bank_lines]
    for line, pick in chosen:
        if sum(c.cents for c in pick.journal_lines) != suggest.cents(line.amount):
            raise ServiceError(f"The suggestion for {line} does not add up: reload and retry.")
    creator = actor if actor is not None and actor.is_authenticated else None
    matches = Match.objects.bulk_create(
        [
            Match(
                organization=organization,
                bank_account=bank_account,
                via=MatchVia.SUGGESTION,
                cleared_on=line.date,
                created_by=creator,
            )
            for line, _pick in chosen
        ]
    )
    try:
        with transaction.atomic():
            MatchLine.objects.bulk_create(
                [
                    MatchLine(organization=organization, match=match, journal_line_id=line_id)
                    for match, (_line, pick) in zip(matches, chosen, strict=True)
                    for line_id in pick.journal_line_ids
                ],
                batch_size=2000,
            )
    except IntegrityError:
        raise ConflictError(
            message="Someone matched some of these ledger lines a moment ago: reload and "
            "accept again."
        ) from None
    for match, (line, _pick) in zip(matches, chosen, strict=True):
        line.status, line.match = LineStatus.MATCHED, match
    BankTransaction.objects.bulk_update(
        [line for line, _pick in chosen], ["status", "match"], batch_size=1000
    )
    count = len(chosen)
    audit_record(
        action="bank_match.accept_confident",
        actor=actor,
        organization=organization,
        obj=bank_account,
        changes={
            "matched": count,
            "matches": [
                {"match": match.pk, "bank_line": line.pk, "journal_lines": pick.journal_line_ids}
                for match, (line, pick) in zip(matches, chosen, strict=True)
            ],
        },
    )
    return count
