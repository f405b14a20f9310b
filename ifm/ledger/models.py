"""Fund accounting: chart of accounts, funds, programs, periods and the double-entry journal.

The ledger knows nothing of donations, expenses or banks: an entry records its source as a
type and an id. Invariants (each entry balances in total and per fund; a line is one-sided and
positive; posted lines never change) are checked by services first and, on PostgreSQL, by the
database (ifm/ledger/sql/).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ifm.core.models import TenantModel, VersionedModel


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    NET_ASSETS = "net_assets", "Net assets"
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"

    @property
    def normal_debit(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)


class NetAssetClass(models.TextChoices):
    WITHOUT = "without_donor_restrictions", "Without donor restrictions"
    WITH = "with_donor_restrictions", "With donor restrictions"


class Account(TenantModel, VersionedModel):
    number = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=AccountType.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # For net-asset and contribution accounts: which class they belong to (blank when not relevant).
    net_asset_class = models.CharField(max_length=40, choices=NetAssetClass.choices, blank=True)
    # Marks the accounts the posting services look up by role (interfund, closing, release).
    role = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=500, blank=True)
    # Cash on hand or money in a bank (asset accounts only): the accounts offered where money is
    # deposited or paid from (chart.selectors.cash_accounts).
    is_cash = models.BooleanField("Cash or bank account", default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="ledger_account_org_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "role"],
                condition=~Q(role=""),
                name="ledger_account_org_role_unique",
            ),
        ]
        indexes = [models.Index(fields=["organization", "type", "number"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Restriction(models.TextChoices):
    NONE = "none", "Without donor restrictions"
    PURPOSE = "purpose", "Purpose restricted"
    TIME = "time", "Time restricted"
    PERPETUAL = "perpetual", "Perpetual (endowment)"


class Fund(TenantModel, VersionedModel):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    restriction = models.CharField(
        max_length=20, choices=Restriction.choices, default=Restriction.NONE
    )
    purpose = models.CharField(max_length=500, blank=True)
    restricted_until = models.DateField(null=True, blank=True)
    is_general = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="ledger_fund_org_code_unique"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_general=True),
                name="ledger_fund_one_general",
            ),
            models.CheckConstraint(
                condition=Q(is_general=False) | Q(restriction="none"),
                name="ledger_fund_general_unrestricted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def net_asset_class(self) -> str:
        return NetAssetClass.WITHOUT if self.restriction == Restriction.NONE else NetAssetClass.WITH


class Program(TenantModel, VersionedModel):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="ledger_program_org_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Function(models.TextChoices):
    PROGRAM = "program", "Program services"
    MANAGEMENT = "management", "Management and general"
    FUNDRAISING = "fundraising", "Fundraising"


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class FiscalYear(TenantModel):
    name = models.CharField(max_length=20)  # "FY2026"
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closing_entry = models.ForeignKey(
        "JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "start_date"], name="ledger_fy_org_start_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="ledger_fy_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Period(TenantModel):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="periods")
    name = models.CharField(max_length=20)  # "2026-03"
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "start_date"], name="ledger_period_org_start_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "start_date", "end_date"])]

    def __str__(self) -> str:
        return self.name


class SourceType(models.TextChoices):
    MANUAL = "manual", "Manual"
    DONATION = "donation", "Donation"
    DEPOSIT = "deposit", "Deposit"
    EXPENSE = "expense", "Expense"
    BANK = "bank", "Bank"
    IMPORT = "import", "Import"
    REVERSAL = "reversal", "Reversal"
    CLOSING = "closing", "Year-end closing"
    RELEASE = "release", "Release from restriction"
    OPENING = "opening", "Opening balances"


class JournalEntry(TenantModel):
    """A posted entry. Never updated or deleted: a correction is a reversing entry."""

    number = models.PositiveIntegerField()
    date = models.DateField()
    memo = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    source_type = models.CharField(
        max_length=20, choices=SourceType.choices, default=SourceType.MANUAL
    )
    source_id = models.CharField(max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="ledger_entry_org_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "date", "number"]),
            models.Index(fields=["organization", "source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"JE-{self.number}"


class JournalLine(TenantModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="lines")
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    function = models.CharField(max_length=20, choices=Function.choices, blank=True)
    debit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    credit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    memo = models.CharField(max_length=500, blank=True)
    # Denormalised from the entry so balances aggregate without a join.
    date = models.DateField()

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="ledger_line_one_sided_positive",
            ),
        ]
        indexes = [
            # Covering on PostgreSQL: an account's totals over a range (a bank reconciliation's
            # book balance, the edges of a period) are read from the index alone.
            models.Index(
                fields=["organization", "account", "date"],
                include=["debit", "credit"],
                name="ledger_line_account_date",
            ),
            models.Index(fields=["organization", "fund", "account"]),
            # Covering too: the days at the edges of a period the stored balances do not hold
            # (balances/monthly.py) are summed from the index alone.
            models.Index(
                fields=["organization", "date"],
                include=["account", "fund", "program", "function", "debit", "credit", "entry"],
                name="ledger_line_date",
            ),
        ]


class LedgerCounter(TenantModel):
    """Per-organization counter for entry numbers; its row lock serializes numbering, not reads."""

    next_entry_number = models.PositiveIntegerField(default=1)

    class Meta:
        base_manager_name = "all_orgs"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="ledger_counter_one_per_org")
        ]


# What a read of stored balances needs besides the period and the account: on PostgreSQL their
# indexes include these, so a range of months, quarters or years is read from the index alone.
# The account is a key column of those indexes, so a read of some accounts (a statement's
# revenue and expenses) uses them rather than the unique key, which would read the table.
BALANCE_COLUMNS = ("closing", "fund", "program", "function", "debit", "credit")


class MonthlyBalance(TenantModel):
    """The debits and credits of one month's lines, per account, fund, program and function.

    Kept by the database itself: triggers on the journal line table add every line written
    (and take out one removed) in the same transaction, on PostgreSQL and SQLite alike
    (ifm/ledger/sql/ledger_monthly_balances*.sql). Closing entries are kept apart (`closing`):
    the statements leave them out, the trial balance counts them. Reads of whole months come
    from here (balances/monthly.py); `ifm ledger_verify` checks these rows against the lines.
    """

    # No index of their own on the keys: the unique key and the covering index serve every
    # read, and each index is one more to write as the triggers update a row with every entry.
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+", db_index=False)
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    function = models.CharField(max_length=20, choices=Function.choices, blank=True)
    month = models.DateField()  # the first day of the month
    closing = models.BooleanField(default=False)
    debit = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    credit = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["month", "account_id", "fund_id"]
        constraints = [
            # The triggers' upsert names these columns, program as COALESCE(program_id, 0).
            models.UniqueConstraint(
                "organization",
                "account",
                "fund",
                Coalesce("program", Value(0)),
                "function",
                "month",
                "closing",
                name="ledger_monthlybalance_key",
            ),
        ]
        indexes = [
            # Covering on PostgreSQL: a range of months is read from the index alone.
            models.Index(
                fields=["organization", "month", "account"],
                include=BALANCE_COLUMNS,
                name="ledger_monthlybalance_months",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} account {self.account_id} fund {self.fund_id}"


class Span(models.TextChoices):
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class PeriodBalance(TenantModel):
    """The debits and credits of one calendar quarter's or year's lines, per account, fund,
    program and function: MonthlyBalance rolled up, so that a balance on a date reads a row per
    key and past year, and a few per quarter, instead of one per month.

    Kept by the database the same way (triggers on the journal line table,
    ifm/ledger/sql/ledger_period_balances*.sql); read by balances/monthly.py for the whole
    quarters and years of a date range; checked against the lines by `ifm ledger_verify`."""

    # As MonthlyBalance: no index of their own on the keys.
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+", db_index=False)
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    function = models.CharField(max_length=20, choices=Function.choices, blank=True)
    span = models.CharField(max_length=10, choices=Span.choices)
    start = models.DateField()  # the first day of the quarter or year
    closing = models.BooleanField(default=False)
    debit = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    credit = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        base_manager_name = "all_orgs"
        ordering = ["span", "start", "account_id", "fund_id"]
        constraints = [
            # The triggers' upsert names these columns, program as COALESCE(program_id, 0).
            models.UniqueConstraint(
                "organization",
                "account",
                "fund",
                Coalesce("program", Value(0)),
                "function",
                "span",
                "start",
                "closing",
                name="ledger_periodbalance_key",
            ),
            models.CheckConstraint(
                condition=Q(span__in=["quarter", "year"]), name="ledger_periodbalance_span"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "span", "start", "account"],
                include=BALANCE_COLUMNS,
                name="ledger_periodbalance_spans",
            )
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.start:%Y-%m} account {self.account_id} fund {self.fund_id}"
