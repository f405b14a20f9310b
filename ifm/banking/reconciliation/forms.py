"""Forms of the reconciliation pages: they translate between people and the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ifm.banking.models import BankAccount, Reconciliation
from ifm.core.errors import ServiceError
from ifm.core.forms import MAX_TYPED, MoneyField, TextDateField
from ifm.core.money import MoneyError, parse_money
from ifm.tenancy.forms import BootstrapMixin

# Service field names (the API's) -> form field names.
SERVICE_FIELDS = {"bank_account_id": "bank_account"}


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, error["message"])


class BalanceField(MoneyField):
    """A statement balance: like any amount, but it may be zero or negative (overdrawn)."""

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and len(value) > MAX_TYPED:
            raise ValidationError(self.error_messages["not_a_number"], code="not_a_number")
        try:
            return parse_money(value, text=True, allow_zero=True, allow_negative=True)
        except MoneyError as exc:
            if exc.reason == "not_a_number":
                raise ValidationError(
                    self.error_messages["not_a_number"], code="not_a_number"
                ) from None
            raise ValidationError(exc.message, code=exc.reason) from None


class AccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        digits = f" {obj.masked_number}" if obj.masked_number else ""
        return f"{obj.name}{digits}"


def _accounts() -> Any:
    return BankAccount.objects.filter(is_archived=False).order_by("name", "id")


class StartForm(BootstrapMixin, forms.Form):
    bank_account = AccountField(queryset=BankAccount.all_orgs.none(), empty_label=None)
    statement_date = TextDateField(
        label="Statement date", help_text="The last day the statement covers, such as 2026-03-31."
    )
    statement_balance = BalanceField(
        label="Statement ending balance",
        required=False,
        help_text="Leave it empty to take the closing balance of an imported statement that "
        "ends on that day. Negative when the account is overdrawn.",
    )
    books_from = TextDateField(
        label="Bank records begin on",
        required=False,
        help_text="The account's first reconciliation only: ledger lines before this day are in "
        "the statement's opening balance. Empty: the first imported statement's start.",
    )

    def __init__(self, *args: Any, currency: str = "USD", time_zone: str = "UTC", **kw: Any):
        super().__init__(*args, **kw)
        account = self.fields["bank_account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = _accounts()
        balance = self.fields["statement_balance"]
        assert isinstance(balance, MoneyField)
        balance.currency = currency
        for name in ("statement_date", "books_from"):
            day = self.fields[name]
            assert isinstance(day, TextDateField)
            day.time_zone = time_zone
            day.future_days = 1

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "bank_account": data["bank_account"],
            "statement_date": data["statement_date"],
            "statement_balance": data.get("statement_balance"),
            "books_from": data.get("books_from"),
        }


class BalanceForm(BootstrapMixin, forms.Form):
    statement_balance = BalanceField(label="Statement ending balance")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 2)

    def __init__(self, *args: Any, currency: str = "USD", **kw: Any):
        super().__init__(*args, **kw)
        balance = self.fields["statement_balance"]
        assert isinstance(balance, MoneyField)
        balance.currency = currency


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="Why reopen it?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log and shown on the reconciliation.",
    )


class FilterForm(BootstrapMixin, forms.Form):
    bank_account = AccountField(
        queryset=BankAccount.all_orgs.none(), required=False, empty_label="All bank accounts"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Reconciliation.Status.choices], required=False
    )

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        account = self.fields["bank_account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = BankAccount.objects.order_by("name", "id")

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())
