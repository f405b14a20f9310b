"""Reads of bank accounts, their statements and lines, and the column profiles. Every query is
scoped to the organization in context (another organization's rows are never seen)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ifm.banking.models import (
    BankAccount,
    BankTransaction,
    CsvProfile,
    LineStatus,
    Statement,
    StatementImport,
)
from ifm.banking.statements import ColumnProfile

STATUSES = tuple(LineStatus.values)


def _unmatched_count() -> Coalesce:
    counted = (
        BankTransaction.objects.filter(bank_account=OuterRef("pk"), status=LineStatus.UNMATCHED)
        .order_by()
        .values("bank_account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def bank_account_list(*, q: str = "", archived: bool | None = False) -> QuerySet[BankAccount]:
    """Bank accounts by name, each with `unmatched_count` (its lines not matched yet).
    `archived`: False (default) the active ones, True the archived ones, None all."""
    accounts = BankAccount.objects.select_related("ledger_account", "default_fund").annotate(
        unmatched_count=_unmatched_count()
    )
    if archived is not None:
        accounts = accounts.filter(is_archived=archived)
    text = " ".join(q.split())
    if text:
        accounts = accounts.filter(
            Q(name__icontains=text)
            | Q(institution__icontains=text)
            | Q(account_last_digits__contains=text)
            | Q(ledger_account__number__startswith=text)
        )
    return accounts.order_by("name", "id")


def bank_account_get(bank_account_id: int) -> BankAccount | None:
    return (
        BankAccount.objects.select_related("ledger_account", "default_fund")
        .annotate(unmatched_count=_unmatched_count())
        .filter(pk=bank_account_id)
        .first()
    )


def _amount(text: str) -> Decimal | None:
    cleaned = text.replace(",", "").replace("$", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        return None
    return abs(value)


def bank_transaction_list(
    *, bank_account: BankAccount, status: str | None = None, q: str = ""
) -> QuerySet[BankTransaction]:
    """The account's lines, newest first; `status` unmatched, matched or reconciled; `q`
    searches payee, memo and reference, or an amount (either sign) when it is a number."""
    lines = BankTransaction.objects.filter(bank_account=bank_account)
    if status:
        lines = lines.filter(status=status)
    text = " ".join(q.split())
    if text:
        found = Q(payee__icontains=text) | Q(memo__icontains=text) | Q(reference__icontains=text)
        amount = _amount(text)
        if amount is not None:
            found |= Q(amount=amount) | Q(amount=-amount)
        lines = lines.filter(found)
    return lines.order_by("-date", "-id")


def statement_list(*, bank_account: BankAccount) -> QuerySet[Statement]:
    return Statement.objects.filter(bank_account=bank_account).select_related(
        "imported_by", "profile"
    )


def statement_get(statement_id: int) -> Statement | None:
    return (
        Statement.objects.select_related("bank_account", "imported_by", "profile")
        .filter(pk=statement_id)
        .first()
    )


def statement_import_list(*, bank_account: BankAccount) -> QuerySet[StatementImport]:
    """Imports of large files that are waiting, running or stopped (finished ones are their
    statements)."""
    return (
        StatementImport.objects.filter(bank_account=bank_account, statement__isnull=True)
        .defer("data")
        .order_by("-created_at", "-id")
    )


def csv_profile_list(*, q: str = "") -> QuerySet[CsvProfile]:
    profiles = CsvProfile.objects.all()
    text = " ".join(q.split())
    if text:
        profiles = profiles.filter(name__icontains=text)
    return profiles.order_by("name", "id")


def csv_profile_get(profile_id: int) -> CsvProfile | None:
    return CsvProfile.objects.filter(pk=profile_id).first()


def column_profile(profile: CsvProfile) -> ColumnProfile:
    """The profile as the statement readers take it."""
    return ColumnProfile(
        date_column=profile.date_column,
        date_format=profile.date_format,
        amount_column=profile.amount_column,
        debit_column=profile.debit_column,
        credit_column=profile.credit_column,
        payee_column=profile.payee_column,
        memo_column=profile.memo_column,
        reference_column=profile.reference_column,
        balance_column=profile.balance_column,
        decimal_comma=profile.decimal_comma,
        negate_amounts=profile.negate_amounts,
    )
