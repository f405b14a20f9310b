"""Forms of the matching and rules pages: they translate between people and the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ifm.banking.matching.selectors import (
    active_funds,
    active_programs,
    bank_account_list,
    postable_accounts,
)
from ifm.banking.models import BankRule, Direction, LineStatus
from ifm.core.errors import ServiceError
from ifm.ledger.models import Function
from ifm.tenancy.forms import BootstrapMixin

SERVICE_FIELDS = {
    "account_id": "account",
    "fund_id": "fund",
    "program_id": "program",
    "bank_account_id": "bank_account",
}


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, error["message"])


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name}"


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


STATUS_CHOICES = [*LineStatus.choices, ("all", "All")]


class LineFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Payee, memo or amount"}),
    )

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return LineStatus.UNMATCHED, ""
        return self.cleaned_data["status"] or LineStatus.UNMATCHED, self.cleaned_data["q"].strip()


class FindForm(BootstrapMixin, forms.Form):
    find = forms.CharField(
        label="Find ledger lines",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Amount or words of the memo"}
        ),
    )


class UnmatchForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log with the match that is undone.",
    )


class EntryForm(BootstrapMixin, forms.Form):
    account = AccountChoiceField(
        queryset=None,
        help_text="Where the money came from (a deposit) or went to (a withdrawal).",
    )
    fund = CodeChoiceField(
        queryset=None, required=False, help_text="The bank account's default fund when left empty."
    )
    program = CodeChoiceField(queryset=None, required=False)
    function = forms.ChoiceField(
        choices=[("", "—"), *Function.choices],
        required=False,
        help_text="For an expense: program services, management and general, or fundraising.",
    )
    memo = forms.CharField(
        max_length=500, required=False, help_text="The bank line's payee when left empty."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = postable_accounts()  # type: ignore[attr-defined]
        self.fields["fund"].queryset = active_funds()  # type: ignore[attr-defined]
        self.fields["program"].queryset = active_programs()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "account": data["account"],
            "fund": data["fund"],
            "program": data["program"],
            "function": data["function"] or "",
            "memo": data["memo"],
        }


class RuleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="Such as Bank fees or Interest.")
    priority = forms.IntegerField(
        min_value=0, max_value=1_000_000, initial=100, help_text="Lower runs first."
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    bank_account: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Every bank account"
    )
    payee_contains = forms.CharField(
        max_length=100,
        required=False,
        help_text="Upper and lower case alike; part of a word counts.",
    )
    memo_contains = forms.CharField(max_length=100, required=False)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.ANY)
    amount_min = forms.DecimalField(
        label="Amount from",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text="Compared with the amount without its sign.",
    )
    amount_max = forms.DecimalField(
        label="Amount up to",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
    )
    account = AccountChoiceField(queryset=None, help_text="The account the entry posts to.")
    fund = CodeChoiceField(
        queryset=None, required=False, help_text="The bank account's default fund when left empty."
    )
    program = CodeChoiceField(queryset=None, required=False)
    function = forms.ChoiceField(choices=[("", "—"), *Function.choices], required=False)
    memo = forms.CharField(
        label="Entry memo",
        max_length=200,
        required=False,
        help_text="The bank line's payee when left empty.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, rule: BankRule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": rule.name,
                "priority": rule.priority,
                "is_active": rule.is_active,
                "bank_account": rule.bank_account_id,
                "payee_contains": rule.payee_contains,
                "memo_contains": rule.memo_contains,
                "direction": rule.direction,
                "amount_min": rule.amount_min,
                "amount_max": rule.amount_max,
                "account": rule.account_id,
                "fund": rule.fund_id,
                "program": rule.program_id,
                "function": rule.function,
                "memo": rule.memo,
                "version": rule.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].queryset = bank_account_list()  # type: ignore[attr-defined]
        self.fields["account"].queryset = postable_accounts()  # type: ignore[attr-defined]
        self.fields["fund"].queryset = active_funds()  # type: ignore[attr-defined]
        self.fields["program"].queryset = active_programs()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["function"] = data["function"] or ""
        return data


class RuleFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, text or account"}),
    )
