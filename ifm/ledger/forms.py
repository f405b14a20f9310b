"""Forms of the ledger pages: they read what people typed; the services decide what is allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.money import MoneyError, parse_money
from ifm.ledger.models import Account, Function, Fund, Program, SourceType
from ifm.tenancy.forms import BootstrapMixin

MAX_LINES = 200
ZERO = Decimal("0.00")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SmallMixin:
    """Small Bootstrap controls, for filter bars."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select form-select-sm" if isinstance(f, forms.ChoiceField) else None
            f.widget.attrs.setdefault("class", css or "form-control form-control-sm")


# --- Manual journal entry ------------------------------------------------------------------------


class EntryForm(BootstrapMixin, forms.Form):
    """The entry's header; its lines are read by `read_lines`."""

    date = forms.DateField(widget=_date_widget())
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


# --- Filters -------------------------------------------------------------------------------------


class DateRangeMixin:
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # type: ignore[misc]
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")  # type: ignore[attr-defined]
        return data

    def valid_data(self) -> dict[str, Any]:
        """The filters that are valid (invalid ones are shown with their error and ignored)."""
        form: Any = self
        if not form.is_bound:
            return {}
        form.is_valid()
        return {
            k: v
            for k, v in form.cleaned_data.items()
            if v not in (None, "") and k not in form.errors
        }


def _account_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(a.pk), str(a)) for a in Account.objects.order_by("number"))]


def _fund_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(f.pk), str(f)) for f in Fund.objects.order_by("code"))]


class EntryFilterForm(SmallMixin, DateRangeMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, memo, reference"}),
    )
    date_from = forms.DateField(label="From", required=False, widget=_date_widget())
    date_to = forms.DateField(label="To", required=False, widget=_date_widget())
    account = forms.TypedChoiceField(label="Account", required=False, coerce=int, empty_value=None)
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)
    source_type = forms.ChoiceField(
        label="Source", required=False, choices=[("", "Any source"), *SourceType.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = _account_choices("Any account")  # type: ignore[attr-defined]
        self.fields["fund"].choices = _fund_choices("Any fund")  # type: ignore[attr-defined]


class TrialBalanceForm(SmallMixin, forms.Form):
    as_of = forms.DateField(label="As of", required=False, widget=_date_widget())
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = _fund_choices("All funds")  # type: ignore[attr-defined]

    def values(self) -> tuple[date, int | None]:
        as_of, fund = timezone.localdate(), None
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
            if data.get("as_of") and "as_of" not in self.errors:
                as_of = data["as_of"]
            if data.get("fund") and "fund" not in self.errors:
                fund = data["fund"]
        return as_of, fund


class FundBalancesForm(SmallMixin, forms.Form):
    as_of = forms.DateField(label="As of", required=False, widget=_date_widget())

    def value(self) -> date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()


class AccountLedgerForm(SmallMixin, DateRangeMixin, forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=_date_widget())
    date_to = forms.DateField(label="To", required=False, widget=_date_widget())
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = _fund_choices("All funds")  # type: ignore[attr-defined]


# --- Actions -------------------------------------------------------------------------------------


class ReverseForm(BootstrapMixin, forms.Form):
    date = forms.DateField(
        label="Date of the reversal",
        required=False,
        widget=_date_widget(),
        help_text="Leave empty to use the original entry's date.",
    )
    memo = forms.CharField(label="Memo", max_length=500, required=False)


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, required=False)


def program_choices() -> list[tuple[str, str]]:
    return [
        ("", "—"),
        *((str(p.pk), str(p)) for p in Program.objects.filter(is_active=True).order_by("code")),
    ]


FUNCTION_CHOICES = [("", "—"), *Function.choices]


# --- Chart of accounts, funds, programs, imports -------------------------------------------------


class ChartFilterForm(SmallMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number or name"}),
    )
    type = forms.ChoiceField(label="Type", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ifm.ledger.models import AccountType

        self.fields["type"].choices = [("", "Any type"), *AccountType.choices]  # type: ignore[attr-defined]

    def values(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class AccountForm(BootstrapMixin, forms.Form):
    number = forms.CharField(max_length=20, help_text="Digits, dots and dashes, e.g. 1010.")
    name = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=[])
    parent = forms.TypedChoiceField(
        label="Parent (header)", required=False, coerce=int, empty_value=None
    )
    net_asset_class = forms.ChoiceField(
        label="Net asset class",
        required=False,
        help_text="For net-asset and contribution accounts only.",
    )
    description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label="Active (takes postings)", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, account: Account | None = None, **kwargs: Any) -> None:
        from ifm.ledger.models import AccountType, NetAssetClass

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = AccountType.choices  # type: ignore[attr-defined]
        self.fields["net_asset_class"].choices = [("", "—"), *NetAssetClass.choices]  # type: ignore[attr-defined]
        parents = Account.objects.order_by("number")
        if account is not None:
            parents = parents.exclude(pk=account.pk).filter(type=account.type)
            self.fields["type"].disabled = True
            self.fields["type"].help_text = "The type of an existing account does not change."
        else:
            del self.fields["is_active"]
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", "— none (top level) —"),
            *((str(a.pk), str(a)) for a in parents),
        ]


class FundForm(BootstrapMixin, forms.Form):
    code = forms.CharField(max_length=20, help_text="Short code shown in pickers, e.g. YOUTH.")
    name = forms.CharField(max_length=200)
    restriction = forms.ChoiceField(choices=[])
    purpose = forms.CharField(
        max_length=500, required=False, help_text="What a purpose restriction is for."
    )
    restricted_until = forms.DateField(
        label="Restricted until",
        required=False,
        widget=_date_widget(),
        help_text="For time restrictions.",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        from ifm.ledger.models import Restriction

        super().__init__(*args, **kwargs)
        self.fields["restriction"].choices = Restriction.choices  # type: ignore[attr-defined]
        if not editing:
            del self.fields["is_active"]


class ProgramForm(BootstrapMixin, forms.Form):
    code = forms.CharField(max_length=20)
    name = forms.CharField(max_length=200)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]


MAX_INLINE_CSV = 1_000_000  # characters kept in the page between the check and the import


class ChartImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="number,name,type,parent_number[,net_asset_class], or a UCOA export "
        "(Group,Account,Description,Gr).",
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def data_to_import(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload
        content = self.cleaned_data.get("content") or ""
        return content or None


class OpeningBalancesForm(ChartImportForm):
    date = forms.DateField(
        label="Date of the opening balances",
        widget=_date_widget(),
        help_text="Usually the day before the first day you keep the books here.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = "account_number,fund_code,debit,credit — one row per account and fund."


class ReleaseForm(BootstrapMixin, forms.Form):
    """Release restricted money: how much, on which date, why."""

    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    date = forms.DateField(widget=_date_widget(), initial=timezone.localdate)
    memo = forms.CharField(
        max_length=500,
        required=False,
        help_text="What the money was spent on, or that the time restriction has passed.",
    )
