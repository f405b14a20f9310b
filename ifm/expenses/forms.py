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
    "expense_category_id": "expense_category",
    "category_id": "expense_category",
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
    expense_category = forms.ChoiceField(
        label="Category",
        required=False,
        help_text="What was bought. Needed to submit.",
        widget=forms.Select(attrs={"class": "js-expense-category"}),
    )
    category = AccountChoiceField(
        queryset=None,
        required=False,
        label="Account (for Other)",
        empty_label="Choose an account…",
        help_text="Only when no category fits: the expense account in the chart.",
    )
    fund = CodeChoiceField(
        queryset=None, required=False, empty_label="Choose a fund…", help_text="Needed to submit."
    )
    program = CodeChoiceField(queryset=None, required=False, empty_label="No program")
    function = forms.ChoiceField(
        label="Function (optional)",
        required=False,
        choices=[("", "As the category says"), *Function.choices],
        help_text="Leave it: the category's usual function applies, and finance may correct it.",
    )
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
        self.categories = {str(c.pk): c for c in selectors.active_categories()}
        choices = [(pk, c.name) for pk, c in self.categories.items()]
        self.fields["expense_category"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a category…"),
            *choices,
            (OTHER, "Other (choose an account)"),
        ]
        model_choice_field(self, "category").queryset = selectors.expense_categories()
        model_choice_field(self, "fund").queryset = selectors.active_funds()
        model_choice_field(self, "program").queryset = selectors.active_programs()
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    @property
    def shows_account(self) -> bool:
        """The chart is shown for Other (and when finance defined no category yet)."""
        chosen = self.data.get("expense_category") if self.is_bound else None
        if chosen is None:
            chosen = self.initial.get("expense_category") or ""
        return chosen == OTHER or not self.categories

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = self.categories.get(data.get("expense_category") or "")
        return {
            "kind": data["kind"],
            "payee": data["payee"],
            "date": data["date"],
            "function": data.get("function") or "",
            "amount": data.get("amount"),
            # A category decides the account: a leftover choice in the hidden chart is ignored.
            "expense_category": chosen,
            "category": None if chosen is not None else data.get("category"),
            "fund": data.get("fund"),
            "program": data.get("program"),
            "description": data.get("description", ""),
        }


OTHER = "other"


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


CHECK_NUMBER_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}


class PayForm(BootstrapMixin, forms.Form):
    paid_from = AccountChoiceField(queryset=None, label="Paid from", empty_label=None)
    date = forms.DateField(widget=DateInput(), label="Payment date")
    check_number = forms.CharField(
        label="Check number",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=CHECK_NUMBER_ATTRS),
        help_text="Leave blank for a transfer or card payment.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "paid_from").queryset = selectors.payment_accounts()
        self.fields["paid_from"].initial = selectors.default_payment_account_id()
        self.fields["date"].initial = timezone.localdate()


class BulkPayForm(BootstrapMixin, forms.Form):
    """The batch's shared fields; each row's check number is posted as check_number_<id>."""

    paid_from = AccountChoiceField(queryset=None, label="Paid from", empty_label=None)
    date = forms.DateField(widget=DateInput(), label="Payment date")
    first_check_number = forms.CharField(
        label="First check number",
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs=CHECK_NUMBER_ATTRS),
        help_text="Rows left blank get this number, then the next ones, top to bottom.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "paid_from").queryset = selectors.payment_accounts()
        self.fields["paid_from"].initial = selectors.default_payment_account_id()
        self.fields["date"].initial = timezone.localdate()


class ApproveForm(BootstrapMixin, forms.Form):
    function = forms.ChoiceField(
        label="Function",
        required=False,
        choices=Function.choices,
        help_text="From the category; correct it if this expense serves something else.",
    )


class CategoryForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name staff see",
        help_text="Plain words, such as Office supplies or Travel and mileage.",
    )
    account = AccountChoiceField(queryset=None, label="Expense account", empty_label=None)
    default_function = forms.ChoiceField(
        label="Usual function",
        choices=Function.choices,
        help_text="Applied when staff choose this category; approvers may correct it.",
    )
    is_active = forms.BooleanField(
        label="Active (staff can choose it)", required=False, initial=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "account").queryset = selectors.expense_categories()


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
