"""Reads of matching: the ledger lines a bank line may match, bank lines as the matching page
lists them, counts per status, rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ifm.banking.models import (
    BankAccount,
    BankLineMonth,
    BankRule,
    BankTransaction,
    LineStatus,
    Match,
    MatchLine,
)
from ifm.banking.months import status_totals
from ifm.ledger.models import Account, Fund, JournalLine, Program


def bank_account_get(bank_account_id: int) -> BankAccount | None:
    return (
        BankAccount.objects.select_related("ledger_account", "default_fund")
        .filter(pk=bank_account_id)
        .first()
    )


def bank_account_list() -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(is_archived=False).order_by("name", "id")


def bank_line_get(bank_transaction_id: int) -> BankTransaction | None:
    return (
        BankTransaction.objects.select_related(
            "bank_account", "bank_account__ledger_account", "bank_account__default_fund"
        )
        .filter(pk=bank_transaction_id)
        .first()
    )


def candidate_lines(bank_account: BankAccount) -> QuerySet[JournalLine]:
    """Ledger lines a bank line of this account may be matched to: on its cash account, in no
    match yet, and in an entry that neither reverses another nor has been reversed (a voided
    gift's or a corrected bill's lines and their mirror image cancel out in the books)."""
    return JournalLine.objects.filter(account_id=bank_account.ledger_account_id).filter(
        ~Exists(MatchLine.objects.filter(journal_line_id=OuterRef("pk"))),
        entry__reverses__isnull=True,
        entry__reversed_by__isnull=True,
    )


def bank_lines(
    *, bank_account: BankAccount, status: str = "unmatched", q: str = ""
) -> QuerySet[BankTransaction]:
    """The bank lines of an account as the matching page lists them: newest first."""
    lines = BankTransaction.objects.filter(bank_account=bank_account)
    if status in LineStatus.values:
        lines = lines.filter(status=status)
    for word in q.split()[:5]:
        text = Q(payee__icontains=word) | Q(memo__icontains=word) | Q(reference__icontains=word)
        amount = _amount_of(word)
        if amount is not None:
            text |= Q(amount=amount) | Q(amount=-amount)
        lines = lines.filter(text)
    return lines.order_by("-date", "-id")


def _amount_of(word: str) -> Decimal | None:
    cleaned = word.replace(",", "").removeprefix("$").removeprefix("-")
    if not cleaned or len(cleaned) > 15:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or value >= 10**12:
        return None
    return value


def status_counts(bank_account: BankAccount) -> dict[str, int]:
    """How many lines the account has in each status: exact, from the lines per month the
    database keeps (`banking.months`), a few rows per month however long the history."""
    kept = status_totals(bank_account)
    return {status: kept.get(status, 0) for status in LineStatus.values}


def count_shown(n: int) -> str:
    return f"{n:,}"


def unmatched_by_account() -> list[tuple[BankAccount, int]]:
    """Active bank accounts with their unmatched lines, most first (the dashboard tile)."""
    unmatched = (
        BankLineMonth.objects.filter(bank_account=OuterRef("pk"), status=LineStatus.UNMATCHED)
        .values("bank_account")
        .annotate(n=Sum("lines"))
        .values("n")
    )
    accounts = (
        BankAccount.objects.filter(is_archived=False)
        .annotate(unmatched=Coalesce(Subquery(unmatched), 0))
        .order_by("-unmatched", "name", "id")
    )
    return [(account, int(account.unmatched)) for account in accounts]


def match_of(bank_line: BankTransaction) -> Match | None:
    if bank_line.match_id is None:
        return None
    return Match.objects.select_related("rule", "created_by").filter(pk=bank_line.match_id).first()


def match_journal_lines(match: Match) -> list[JournalLine]:
    return list(
        JournalLine.objects.filter(
            pk__in=MatchLine.objects.filter(match=match).values("journal_line_id")
        )
        .select_related("entry")
        .order_by("date", "id")
    )


def match_bank_lines(match: Match) -> list[BankTransaction]:
    return list(BankTransaction.objects.filter(match=match).order_by("date", "id"))


def rule_list(*, q: str = "", bank_account: BankAccount | None = None) -> QuerySet[BankRule]:
    rules = BankRule.objects.select_related("account", "fund", "program", "bank_account")
    if bank_account is not None:
        rules = rules.filter(Q(bank_account=bank_account) | Q(bank_account__isnull=True))
    for word in q.split()[:5]:
        rules = rules.filter(
            Q(name__icontains=word)
            | Q(payee_contains__icontains=word)
            | Q(memo_contains__icontains=word)
            | Q(account__name__icontains=word)
            | Q(account__number__startswith=word)
        )
    return rules.order_by("priority", "name", "id")


def rule_get(rule_id: int) -> BankRule | None:
    return rule_list().filter(pk=rule_id).first()


def postable_accounts() -> QuerySet[Account]:
    """Active accounts without sub-accounts: where an entry from a bank line may post."""
    return Account.objects.filter(is_active=True, children__isnull=True).order_by("number")


def active_funds() -> QuerySet[Fund]:
    return Fund.objects.filter(is_active=True).order_by("code")


def active_programs() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).order_by("code")


def ledger_line_search(
    *, bank_account: BankAccount, q: str = "", near: date | None = None, limit: int = 20
) -> list[JournalLine]:
    """Unmatched ledger lines of the account for matching by hand: by amount or words of the
    memo, entry memo or reference; nearest to `near` first."""
    lines = candidate_lines(bank_account).select_related("entry")
    for word in q.split()[:5]:
        text = (
            Q(memo__icontains=word)
            | Q(entry__memo__icontains=word)
            | Q(entry__reference__icontains=word)
        )
        amount = _amount_of(word)
        if amount is not None:
            text |= Q(debit=amount) | Q(credit=amount)
        lines = lines.filter(text)
    if near is not None:
        before = list(lines.filter(date__lte=near).order_by("-date", "-id")[:limit])
        after = list(lines.filter(date__gt=near).order_by("date", "id")[:limit])
        both = sorted(before + after, key=lambda ln: (abs((ln.date - near).days), ln.pk))
        return both[:limit]
    return list(lines.order_by("-date", "-id")[:limit])
