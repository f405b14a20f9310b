"""Forms of the journal: the manual entry and its lines, the journal filter, reversal."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from ifm.core.errors import ServiceError
from ifm.core.forms import choice_field
from ifm.core.money import MoneyError, parse_money
from ifm.ledger.filters import (
    DateRangeMixin,
    SmallMixin,
    account_choices,
    date_widget,
    fund_choices,
)
from ifm.ledger.models import Account, Function, Fund, Program, SourceType
from ifm.tenancy.forms import BootstrapMixin

MAX_LINES = 200


ZERO = Decimal("0.00")


class EntryForm(BootstrapMixin, forms.Form):
    """The entry's header; its lines are read by `read_lines`."""

    date = forms.DateField(widget=date_widget())
    memo = forms.CharField(max_length=500, required=False)
    reference = forms.CharField(max_length=100, required=False)


# The entry form's wording for ifm.core.money's reasons (the rules are there).
_AMOUNT_PROBLEMS = {
    "not_a_number": "Not an amount.",
    "negative": "Amounts must be positive: use the other column.",
    "decimals": "At most two decimals.",
    "too_large": "Too large.",
}


def _amount(text: str) -> tuple[Decimal, str | None]:
    """A debit or credit as typed: blank is zero."""
    try:
        return parse_money(text, blank=ZERO, text=True, allow_zero=True), None
    except MoneyError as exc:
        return ZERO, _AMOUNT_PROBLEMS.get(exc.reason, exc.message)


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@dataclass
class LineRow:
    """One line of the entry form as typed, with what it resolved to and its errors."""

    key: int
    account_id: int | None = None
    account_text: str = ""
    fund_id: int | None = None
    fund_text: str = ""
    program_id: int | None = None
    function: str = ""
    debit_text: str = ""
    credit_text: str = ""
    memo: str = ""
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def row_errors(self) -> list[str]:
        return self.errors.get("", [])

    @property
    def is_blank(self) -> bool:
        return not any(
            [
                self.account_id,
                self.account_text.strip(),
                self.debit_text.strip(),
                self.credit_text.strip(),
                self.memo.strip(),
            ]
        )

    @property
    def has_amount_errors(self) -> bool:
        return bool(self.errors.get("debit") or self.errors.get("credit"))


def new_line(key: int, fund: Fund | None = None) -> LineRow:
    row = LineRow(key=key)
    if fund is not None:
        row.fund_id, row.fund_text = fund.pk, str(fund)
    return row


def read_lines(data: QueryDict) -> list[LineRow]:
    """The lines of a posted entry form, in the order shown, with typed text resolved to ids.

    A picker submits the chosen id in a hidden field; without it (no JavaScript, or text typed
    but not picked) the account number or fund code typed first is looked up.
    """
    rows: list[LineRow] = []
    seen: set[int] = set()
    for raw in data.getlist("line")[:MAX_LINES]:
        key = _int(raw)
        if key is None or key in seen:
            continue
        seen.add(key)
        row = LineRow(
            key=key,
            account_id=_int(data.get(f"account_{key}", "")),
            account_text=data.get(f"account_text_{key}", "")[:300],
            fund_id=_int(data.get(f"fund_{key}", "")),
            fund_text=data.get(f"fund_text_{key}", "")[:300],
            program_id=_int(data.get(f"program_{key}", "")),
            function=data.get(f"function_{key}", "")[:20],
            debit_text=data.get(f"debit_{key}", "")[:30],
            credit_text=data.get(f"credit_{key}", "")[:30],
            memo=data.get(f"memo_{key}", "")[:500],
        )
        row.debit, debit_error = _amount(row.debit_text)
        row.credit, credit_error = _amount(row.credit_text)
        if debit_error:
            row.add_error("debit", debit_error)
        if credit_error:
            row.add_error("credit", credit_error)
        rows.append(row)
    _resolve(rows)
    return rows


def _first_token(text: str) -> str:
    parts = text.strip().split()
    return parts[0] if parts else ""


def _resolve(rows: list[LineRow]) -> None:
    accounts = Account.objects.in_bulk([r.account_id for r in rows if r.account_id])
    funds = Fund.objects.in_bulk([r.fund_id for r in rows if r.fund_id])
    for row in rows:
        account = accounts.get(row.account_id) if row.account_id else None
        if account is None and row.account_text.strip():
            account = Account.objects.filter(number=_first_token(row.account_text)).first()
        if account is not None:
            row.account_id, row.account_text = account.pk, str(account)
        else:
            row.account_id = None
        fund = funds.get(row.fund_id) if row.fund_id else None
        if fund is None and row.fund_text.strip():
            fund = Fund.objects.filter(code=_first_token(row.fund_text)).first()
        if fund is not None:
            row.fund_id, row.fund_text = fund.pk, str(fund)
        else:
            row.fund_id = None


@dataclass
class Balance:
    total_debit: Decimal
    total_credit: Decimal
    by_fund: list[dict[str, Any]]
    lines: int
    invalid: bool

    @property
    def difference(self) -> Decimal:
        return self.total_debit - self.total_credit

    @property
    def abs_difference(self) -> Decimal:
        return abs(self.difference)

    @property
    def is_balanced(self) -> bool:
        return not self.invalid and self.total_debit > 0 and self.difference == 0

    @property
    def funds_unbalanced(self) -> bool:
        return any(f["difference"] != 0 for f in self.by_fund)


def balance_of(rows: list[LineRow]) -> Balance:
    by_fund: dict[str, Decimal] = {}
    debit = credit = ZERO
    invalid = False
    count = 0
    for row in rows:
        if row.is_blank:
            continue
        count += 1
        invalid = invalid or row.has_amount_errors
        debit += row.debit
        credit += row.credit
        label = row.fund_text if row.fund_id else "(no fund chosen)"
        by_fund[label] = by_fund.get(label, ZERO) + row.debit - row.credit
    funds = [{"fund": k, "difference": v} for k, v in sorted(by_fund.items())]
    return Balance(debit, credit, funds, count, invalid or count < 2)


def map_line_errors(exc: ServiceError, rows: list[LineRow]) -> list[tuple[str, str]]:
    """Put a service's errors ("lines[2].account") beside the line and field they name.

    `rows` are the lines that were sent to the service, in order. Returns the errors that
    belong to no line as (field, message), for the form's own fields or the top of the form.
    """
    leftover: list[tuple[str, str]] = []
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        message = error["message"]
        if name.startswith("lines[") and "]" in name:
            index_text, _, rest = name[len("lines[") :].partition("]")
            index = _int(index_text)
            if index is not None and index < len(rows):
                sub = rest.lstrip(".")
                rows[index].add_error(
                    sub
                    if sub in {"account", "fund", "program", "function", "debit", "credit"}
                    else "",
                    message,
                )
                continue
        leftover.append((name, message))
    return leftover


class EntryFilterForm(SmallMixin, DateRangeMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, memo, reference"}),
    )
    date_from = forms.DateField(label="From", required=False, widget=date_widget())
    date_to = forms.DateField(label="To", required=False, widget=date_widget())
    account = forms.TypedChoiceField(label="Account", required=False, coerce=int, empty_value=None)
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)
    source_type = forms.ChoiceField(
        label="Source", required=False, choices=[("", "Any source"), *SourceType.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "account").choices = account_choices("Any account")
        choice_field(self, "fund").choices = fund_choices("Any fund")


class ReverseForm(BootstrapMixin, forms.Form):
    date = forms.DateField(
        label="Date of the reversal",
        required=False,
        widget=date_widget(),
        help_text="Leave empty to use the original entry's date.",
    )
    memo = forms.CharField(label="Memo", max_length=500, required=False)


def program_choices() -> list[tuple[str, str]]:
    return [
        ("", "—"),
        *((str(p.pk), str(p)) for p in Program.objects.filter(is_active=True).order_by("code")),
    ]


FUNCTION_CHOICES = [("", "—"), *Function.choices]
