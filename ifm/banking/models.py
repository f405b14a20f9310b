"""Bank accounts, their imported statements and lines, matches to ledger lines, rules and
reconciliations.

A bank line (`BankTransaction`) is what the bank says happened: a signed amount, deposits
positive. It is matched to the ledger lines of the bank account's cash account through a
`Match`, which groups one or more bank lines with one or more ledger lines whose amounts agree
(one deposit to a batch of gifts, two bank lines to one transfer). A finished `Reconciliation`
locks the bank lines it cleared and their matches. The ledger rows are read and referenced,
never written here: entries are posted through `ledger.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class BankAccount(TenantModel, VersionedModel):
    name = models.CharField(max_length=100)
    institution = models.CharField(max_length=100, blank=True)
    # Only the last digits are kept ("1234"), shown as "••••1234"; a file's account number is
    # compared on them.
    account_last_digits = models.CharField(max_length=8, blank=True)
    ledger_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    default_fund = models.ForeignKey("ledger.Fund", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("name"), name="banking_account_org_name_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "ledger_account"],
                name="banking_account_one_per_ledger_account",
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_archived", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_number(self) -> str:
        return f"••••{self.account_last_digits}" if self.account_last_digits else ""


class CsvProfile(TenantModel, VersionedModel):
    """How one bank writes its CSV or XLSX export: which columns hold what, and how.

    Column names are matched to the header row, case- and space-insensitively; rows above the
    header are skipped. Either `amount_column` (signed) or `debit_column`/`credit_column`
    (withdrawals and deposits, both written as positive numbers or with any sign) is set.
    """

    name = models.CharField(max_length=100)
    date_column = models.CharField(max_length=100)
    date_format = models.CharField(max_length=40, default="%Y-%m-%d")
    amount_column = models.CharField(max_length=100, blank=True)
    debit_column = models.CharField(max_length=100, blank=True)
    credit_column = models.CharField(max_length=100, blank=True)
    payee_column = models.CharField(max_length=100, blank=True)
    memo_column = models.CharField(max_length=100, blank=True)
    reference_column = models.CharField(max_length=100, blank=True)
    balance_column = models.CharField(max_length=100, blank=True)
    # "1.234,56": comma as the decimal separator.
    decimal_comma = models.BooleanField(default=False)
    # A signed amount column where withdrawals are written positive (some card exports).
    negate_amounts = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("name"), name="banking_csvprofile_org_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StatementFormat(models.TextChoices):
    OFX = "ofx", "OFX / QFX"
    CAMT = "camt", "CAMT.053"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"


class Statement(TenantModel):
    """One imported file: where it came from, the balances it states, what it added."""

    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="statements"
    )
    format = models.CharField(max_length=10, choices=StatementFormat.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    profile = models.ForeignKey(
        CsvProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    opening_balance = models.DecimalField(**MONEY, null=True, blank=True)
    closing_balance = models.DecimalField(**MONEY, null=True, blank=True)
    # The day the closing balance is stated for (OFX LEDGERBAL DTASOF, CAMT CLBD date).
    closing_balance_date = models.DateField(null=True, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    imported_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "bank_account", "created_at"])]

    def __str__(self) -> str:
        return self.filename


class LineStatus(models.TextChoices):
    UNMATCHED = "unmatched", "Unmatched"
    MATCHED = "matched", "Matched"
    RECONCILED = "reconciled", "Reconciled"


class MatchVia(models.TextChoices):
    MANUAL = "manual", "Matched by hand"
    SUGGESTION = "suggestion", "Accepted suggestion"
    RULE = "rule", "Entry created by a rule"
    CREATED = "created", "Entry created from the line"


class Match(TenantModel):
    """Bank lines and ledger lines that are the same money. Sum of the bank lines' amounts ==
    sum of (debit - credit) of the ledger lines (checked by the service that creates it)."""

    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="+")
    via = models.CharField(max_length=20, choices=MatchVia.choices, default=MatchVia.MANUAL)
    # The latest date among its bank lines: from this day on the match is cleared, so its
    # ledger lines are no longer outstanding in a reconciliation (set by the matching service).
    cleared_on = models.DateField()
    rule = models.ForeignKey(
        "banking.BankRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "matches"
        indexes = [models.Index(fields=["organization", "bank_account", "cleared_on"])]


class MatchLine(TenantModel):
    """A ledger line in a match. A ledger line is in at most one match."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="ledger_lines")
    journal_line = models.ForeignKey(
        "ledger.JournalLine", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "journal_line"], name="banking_matchline_once"
            ),
        ]
        indexes = [models.Index(fields=["organization", "match"])]


class Reconciliation(TenantModel, VersionedModel):
    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        FINISHED = "finished", "Finished"

    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="reconciliations"
    )
    statement_date = models.DateField()
    statement_balance = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Figures as they stood when finished (live while open).
    book_balance = models.DecimalField(**MONEY, null=True, blank=True)
    cleared_balance = models.DecimalField(**MONEY, null=True, blank=True)
    deposits_in_transit = models.DecimalField(**MONEY, null=True, blank=True)
    outstanding_payments = models.DecimalField(**MONEY, null=True, blank=True)
    # Ledger lines dated before this day are held in the bank's opening balance and are never
    # outstanding (the first statement's start); fixed when finished, live while open.
    books_from = models.DateField(null=True, blank=True)
    # What it left outstanding when finished: the next reconciliation of the account starts
    # from these instead of the whole history (reconciliation.selectors), and its report lists
    # exactly them. The watermark is the ledger's next entry number at the time: entries
    # numbered from it on were posted after it was finished.
    outstanding_line_ids = models.JSONField(null=True, blank=True)
    uncleared_bank_line_ids = models.JSONField(null=True, blank=True)
    ledger_watermark = models.PositiveBigIntegerField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-statement_date", "-id"]
        constraints = [
            # One reconciliation in progress per bank account at a time.
            models.UniqueConstraint(
                fields=["organization", "bank_account"],
                condition=Q(status="open"),
                name="banking_reconciliation_one_open",
            ),
        ]
        indexes = [models.Index(fields=["organization", "bank_account", "statement_date"])]

    def __str__(self) -> str:
        return f"{self.bank_account} to {self.statement_date:%Y-%m-%d}"


class BankTransaction(TenantModel):
    """A line of a bank statement. Never edited after import; only its status, match and
    reconciliation change, and not at all once its reconciliation is finished."""

    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="transactions"
    )
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    date = models.DateField()
    amount = models.DecimalField(**MONEY)  # signed: deposits positive, withdrawals negative
    payee = models.CharField(max_length=255, blank=True)
    memo = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=100, blank=True)  # check number or bank reference
    kind = models.CharField(max_length=40, blank=True)  # the bank's type (OFX TRNTYPE, CAMT code)
    bank_id = models.CharField(max_length=255, blank=True)  # FITID, AcctSvcrRef, NtryRef
    # Stable identity within the bank account: "id:<bank id>" or "h:<sha256 of the fields and
    # the occurrence number among identical lines of one file>". Re-imports skip known ones.
    identity = models.CharField(max_length=300)
    running_balance = models.DecimalField(**MONEY, null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=LineStatus.choices, default=LineStatus.UNMATCHED
    )
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="bank_lines"
    )
    reconciliation = models.ForeignKey(
        Reconciliation, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "bank_account", "identity"],
                name="banking_line_identity_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="unmatched") | Q(match__isnull=True),
                name="banking_line_unmatched_has_no_match",
            ),
            # Reconciled exactly when a reconciliation holds it, and only with its match.
            models.CheckConstraint(
                condition=(
                    Q(status="reconciled")
                    & Q(reconciliation__isnull=False)
                    & Q(match__isnull=False)
                )
                | (~Q(status="reconciled") & Q(reconciliation__isnull=True)),
                name="banking_line_reconciled_has_reconciliation",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "bank_account", "status", "date"]),
            models.Index(fields=["organization", "bank_account", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.amount} {self.payee}".strip()


class BankLineMonth(TenantModel):
    """How many lines of a bank account are in each status, and their sum, per month of their
    date: kept by the database itself (triggers on the bank lines, in the statement that
    changes them), so the matching and reconciliation pages read a few rows per month instead
    of every line of a long history. `banking.months.drift` checks it against the lines."""

    bank_account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day
    status = models.CharField(max_length=12, choices=LineStatus.choices)
    lines = models.BigIntegerField(default=0)
    cents = models.BigIntegerField(default=0)  # whole cents: exact on SQLite too

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "bank_account", "month", "status"],
                name="banking_line_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}: {self.lines} lines, {self.cents} cents"


class Direction(models.TextChoices):
    ANY = "any", "Deposits and withdrawals"
    IN = "in", "Deposits only"
    OUT = "out", "Withdrawals only"


class BankRule(TenantModel, VersionedModel):
    """ "Payee contains X (and memo contains Y, amount in a range) → post to this account": creates
    the journal entry for a bank line that has none (fees, interest, transfers). Text tests are
    case-insensitive substring tests, never regular expressions a user could make slow."""

    name = models.CharField(max_length=100)
    priority = models.PositiveIntegerField(default=100)  # lower runs first
    is_active = models.BooleanField(default=True)
    bank_account = models.ForeignKey(
        BankAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    payee_contains = models.CharField(max_length=100, blank=True)
    memo_contains = models.CharField(max_length=100, blank=True)
    direction = models.CharField(max_length=5, choices=Direction.choices, default=Direction.ANY)
    amount_min = models.DecimalField(**MONEY, null=True, blank=True)  # on the absolute amount
    amount_max = models.DecimalField(**MONEY, null=True, blank=True)
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        "ledger.Fund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        "ledger.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    function = models.CharField(max_length=20, blank=True)
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["priority", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("name"), name="banking_rule_org_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class StatementImport(TenantModel):
    """A large statement file waiting for, or imported by, a background job: its bytes (kept
    until the job is done), its progress, and the statement it became or the problems that
    stopped it. Small files import in the request and leave no row here."""

    bank_account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(
        CsvProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(blank=True, default=b"", editable=False)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(max_length=40, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # [{"where", "field", "message"}] when the file was refused.
    errors = models.JSONField(default=list, blank=True)
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "bank_account", "created_at"])]

    def __str__(self) -> str:
        return f"Import of {self.filename or 'a statement'}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0
