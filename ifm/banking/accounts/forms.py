"""Forms of the bank account and column profile pages: they collect input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.banking.models import LineStatus
from ifm.core.errors import ServiceError
from ifm.ledger.chart.selectors import active_funds, cash_accounts
from ifm.tenancy.forms import BootstrapMixin

# A service names the field of its model; the form may call it otherwise.
SERVICE_FIELDS = {"account_last_digits": "account_number"}


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, error["message"])


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name}"


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class BankAccountForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text='As people call it: "Checking".')
    institution = forms.CharField(label="Bank", max_length=100, required=False)
    account_number = forms.CharField(
        label="Account number",
        max_length=64,
        required=False,
        help_text="Only the last 4 digits are kept; a file for another account is refused.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    ledger_account = AccountChoiceField(
        label="Cash account in the ledger",
        queryset=None,
        help_text="The asset account marked as cash that this bank account's money is booked "
        "in; its lines are matched against that account.",
    )
    default_fund = FundChoiceField(
        label="Default fund",
        queryset=None,
        required=False,
        empty_label="The general fund",
        help_text="The fund entries created from its lines use unless a rule says otherwise.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ledger_account"].queryset = cash_accounts()  # type: ignore[attr-defined]
        self.fields["default_fund"].queryset = active_funds()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "institution": data["institution"],
            "account_number": data["account_number"],
            "ledger_account": data["ledger_account"],
            "default_fund": data["default_fund"],
        }


class BankAccountFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Name, bank, last digits", "type": "search"}),
    )
    archived = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Active accounts"), ("yes", "Archived accounts"), ("all", "All accounts")],
    )

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        shown = data.get("archived") or ""
        return {
            "q": data.get("q") or "",
            "archived": {"": False, "yes": True, "all": None}[shown],
        }


class LineFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Payee, memo, reference or amount", "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *LineStatus.choices]
    )

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"q": data.get("q") or "", "status": data.get("status") or None}


class CsvProfileForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text='The bank\'s: "Chase CSV".')
    date_column = forms.CharField(label="Date column", max_length=100)
    date_format = forms.CharField(
        label="Date format",
        max_length=40,
        initial="%Y-%m-%d",
        help_text="%d/%m/%Y for 25/12/2031, %m/%d/%Y for 12/25/2031, %Y-%m-%d for 2031-12-25.",
    )
    amount_column = forms.CharField(
        label="Amount column",
        max_length=100,
        required=False,
        help_text="One signed amount column (withdrawals negative)…",
    )
    debit_column = forms.CharField(
        label="Withdrawals column",
        max_length=100,
        required=False,
        help_text="…or a withdrawals column and a deposits column.",
    )
    credit_column = forms.CharField(label="Deposits column", max_length=100, required=False)
    payee_column = forms.CharField(
        label="Payee or description column", max_length=100, required=False
    )
    memo_column = forms.CharField(label="Memo column", max_length=100, required=False)
    reference_column = forms.CharField(
        label="Reference or check number column", max_length=100, required=False
    )
    balance_column = forms.CharField(
        label="Running balance column",
        max_length=100,
        required=False,
        help_text="When given, each line's balance is checked.",
    )
    decimal_comma = forms.BooleanField(
        label='Amounts use a decimal comma ("1.234,56")', required=False
    )
    negate_amounts = forms.BooleanField(
        label="Withdrawals are written as positive amounts", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    COLUMNS = (
        "date_column",
        "date_format",
        "amount_column",
        "debit_column",
        "credit_column",
        "payee_column",
        "memo_column",
        "reference_column",
        "balance_column",
        "decimal_comma",
        "negate_amounts",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], **{c: data[c] for c in self.COLUMNS}}
