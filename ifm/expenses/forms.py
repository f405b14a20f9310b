"""Forms of the expense pages: they translate between people and the services, nothing more."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.forms import model_choice_field
from ifm.expenses import selectors
from ifm.expenses.models import Function, Kind, Status
from ifm.tenancy.forms import BootstrapMixin

# Service field names (the API's) -> form field names.
SERVICE_FIELDS = {
    "category_id": "category",
    "fund_id": "fund",
    "program_id": "program",
    "paid_from_account_id": "paid_from",
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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ExpenseForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=Kind.choices,
        initial=Kind.CLAIM,
        widget=forms.RadioSelect,
        help_text="A claim pays you back for something you paid; a bill pays a vendor.",
    )
    payee = forms.CharField(
        max_length=200,
        help_text="Who is paid: your name for a claim, the vendor for a bill.",
    )
    date = forms.DateField(widget=DateInput(), help_text="The date on the receipt or invoice.")
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="Needed to submit.",
    )
    category = AccountChoiceField(
        queryset=None,
        required=False,
        empty_label="Choose a category…",
        help_text="The expense account. Needed to submit.",
    )
    fund = CodeChoiceField(
        queryset=None, required=False, empty_label="Choose a fund…", help_text="Needed to submit."
    )
    program = CodeChoiceField(queryset=None, required=False, empty_label="No program")
    function = forms.ChoiceField(choices=Function.choices, initial=Function.PROGRAM)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    receipt = forms.FileField(
        required=False,
        label="Receipt",
        help_text="PDF, JPEG or PNG, at most 10 MB. You can add more on the next page.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = selectors.expense_categories()
        model_choice_field(self, "fund").queryset = selectors.active_funds()
        model_choice_field(self, "program").queryset = selectors.active_programs()
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "payee": data["payee"],
            "date": data["date"],
            "function": data["function"],
            "amount": data.get("amount"),
            "category": data.get("category"),
            "fund": data.get("fund"),
            "program": data.get("program"),
            "description": data.get("description", ""),
        }


class ReceiptForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="Add a receipt",
        help_text="PDF, JPEG or PNG, at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The submitter is told this.",
    )


class PayForm(BootstrapMixin, forms.Form):
    paid_from = AccountChoiceField(queryset=None, label="Paid from", empty_label=None)
    date = forms.DateField(widget=DateInput(), label="Payment date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "paid_from").queryset = selectors.payment_accounts()
        self.fields["paid_from"].initial = selectors.default_payment_account_id()
        self.fields["date"].initial = timezone.localdate()


class ExpenseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Payee, description, EXP-12", "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Claims and bills"), *Kind.choices]
    )
    scope = forms.ChoiceField(
        label="Whose",
        required=False,
        choices=[("mine", "Mine"), ("all", "Everyone's")],
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, can_view_all: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_view_all:
            del self.fields["scope"]

    def selector_kwargs(self) -> dict[str, Any]:
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "kind": data.get("kind") or "",
            "mine": data.get("scope", "mine") != "all",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    @property
    def filtered(self) -> bool:
        kwargs = self.selector_kwargs()
        return any(v for k, v in kwargs.items() if k != "mine")


class QueueFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Payee, description, person", "type": "search"}
        ),
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Claims and bills"), *Kind.choices]
    )
    fund = CodeChoiceField(label="Fund", queryset=None, required=False, empty_label="Any fund")
    step = forms.ChoiceField(
        label="Approval",
        required=False,
        choices=[
            ("", "Any"),
            ("first", "Needs a first approval"),
            ("second", "Needs a second approval"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "fund").queryset = selectors.active_funds()

    def selector_kwargs(self) -> dict[str, Any]:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        fund = data.get("fund")
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or "",
            "fund_id": fund.pk if fund else None,
            "step": data.get("step") or "",
        }


class SettingsForm(BootstrapMixin, forms.Form):
    two_step_threshold = forms.DecimalField(
        label="Two-step approval above",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=(
            "An expense above this amount needs two approvals: finance or an admin first, "
            "then a different admin."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
