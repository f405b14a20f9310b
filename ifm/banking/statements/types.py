"""The shapes every statement reader returns, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ParsedLine:
    date: date
    amount: Decimal  # signed: deposits positive, withdrawals negative; never a float
    payee: str = ""
    memo: str = ""
    reference: str = ""  # check number or the bank's reference shown to people
    bank_id: str = ""  # the bank's own transaction id: OFX FITID, CAMT AcctSvcrRef or NtryRef
    kind: str = ""  # the bank's transaction type (OFX TRNTYPE, CAMT bank transaction code)
    balance: Decimal | None = None  # running balance after this line, when the file has one
    where: str = ""  # "line 12", "row 5", "entry 3": where it is in the file, for messages


@dataclass
class ParsedStatement:
    format: str  # "ofx", "camt", "csv" or "xlsx" (StatementFormat values)
    lines: list[ParsedLine]
    account_number: str = ""  # as the file gives it (OFX ACCTID, CAMT IBAN or Othr/Id), if any
    currency: str = ""  # ISO 4217 code the file states, if any
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    closing_balance_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    # What the reader left out or changed on the way, for the import's summary ("2 pending
    # entries were left out", "3 amounts were rounded to cents").
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    where: str  # "line 12", "row 5", "entry 3", "file"
    field: str  # "amount", "date", "DTPOSTED", "header", ...
    message: str  # what is wrong and what to do about it

    def __str__(self) -> str:
        field = f" {self.field}" if self.field else ""
        return f"{self.where}{field}: {self.message}"


class StatementError(Exception):
    """The file cannot be imported; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


@dataclass(frozen=True)
class ColumnProfile:
    """How to read a bank's CSV/XLSX export (the `CsvProfile` model as a plain value)."""

    date_column: str
    date_format: str = "%Y-%m-%d"
    amount_column: str = ""
    debit_column: str = ""
    credit_column: str = ""
    payee_column: str = ""
    memo_column: str = ""
    reference_column: str = ""
    balance_column: str = ""
    decimal_comma: bool = False
    negate_amounts: bool = False
    extra: dict[str, str] = field(default_factory=dict)
