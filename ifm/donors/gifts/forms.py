"""Forms of the gift pages: the donation form, void, gift batches, the donation list's filters,
campaigns and appeals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ifm.core.forms import MoneyField, TextDateField, money_field, text_date_field
from ifm.donors import choices
from ifm.donors.forms import (
    AccountChoiceField,
    CodeChoiceField,
    DateInput,
    _funds,
    _money,
    model_field,
    picker_label,
)
from ifm.donors.gifts import selectors
from ifm.donors.models import (
    NON_CASH_METHODS,
    Appeal,
    Campaign,
    DonationStatus,
    Donor,
    Method,
)
from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.models import Organization


class DonationForm(BootstrapMixin, forms.Form):
    """The fast entry form. The donor is a combobox (text with a hidden id the script fills);
    without the script, or when the text was typed and not picked, the text is read as a donor
    number or a search that must find one donor (gifts.selectors.donor_from_text). Fields are
    declared in the order of the page: Amount, then Check number one Tab away."""

    donor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose a donor from the list."},
    )
    donor_text = forms.CharField(
        label="Donor",
        required=False,
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "Type a name, email or phone"}
        ),
    )
    amount = MoneyField()
    check_number = forms.CharField(max_length=30, required=False, label="Check number")
    method = forms.ChoiceField(choices=Method.choices, initial=Method.CHECK)
    fund = CodeChoiceField(queryset=None, empty_label=None)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )
    date = TextDateField(label="Date")
    appeal: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No appeal"
    )
    description = forms.CharField(
        max_length=2000,
        required=False,
        label="What was given",
        help_text=(
            "For in-kind and stock gifts: describe the property (the receipt states no value)."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    designation = forms.CharField(max_length=500, required=False, label="Designation note")
    goods_services_description = forms.CharField(
        max_length=2000,
        required=False,
        label="Goods or services provided",
        help_text="Such as a gala dinner. Leave empty when the donor received nothing.",
    )
    goods_services_value = MoneyField(
        min_value=Decimal("0"),
        required=False,
        label="Their fair-market value",
        help_text="The deductible amount is the gift minus this value.",
    )
    anonymous = forms.BooleanField(required=False, label="Anonymous gift")
    notes = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "donor").queryset = Donor.objects.filter(merged_into__isnull=True)
        model_field(self, "fund").queryset = _funds()
        model_field(self, "campaign").queryset = choices.active_campaigns()
        model_field(self, "appeal").queryset = choices.active_appeals()
        if organization is not None:
            for name in ("amount", "goods_services_value"):
                money_field(self, name).currency = organization.currency
            text_date_field(self, "date").time_zone = organization.time_zone

    def _clean_donor(self, data: dict[str, Any]) -> None:
        """The picked donor, unless the text was changed since (it no longer reads as that
        donor's label or name); else the one donor the text names."""
        if "donor" in self.errors or "donor_text" in self.errors:
            return
        donor, text = data.get("donor"), (data.get("donor_text") or "").strip()
        if donor is not None and text.casefold() in {
            "",
            picker_label(donor).casefold(),
            donor.name.casefold(),
        }:
            return
        if not text:
            self.add_error("donor", "Choose a donor: type a name, email or donor number.")
            return
        found, problem = selectors.donor_from_text(text)
        if found is None:
            self.add_error("donor", problem)
        else:
            data["donor"] = found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_donor(data)
        value = data.get("goods_services_value") or Decimal("0")
        amount = data.get("amount")
        if amount is not None and value > amount:
            self.add_error(
                "goods_services_value", "The goods or services cannot be worth more than the gift."
            )
        if value and not data.get("goods_services_description"):
            self.add_error("goods_services_description", "Describe what the donor received.")
        if data.get("method") in (Method.IN_KIND, Method.STOCK) and not data.get("description"):
            self.add_error("description", "Describe what was given.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "date": data["date"],
            "method": data["method"],
            "fund": data["fund"],
            "check_number": data.get("check_number") or "",
            "description": data.get("description") or "",
            "designation": data.get("designation") or "",
            "goods_services_description": data.get("goods_services_description") or "",
            "goods_services_value": data.get("goods_services_value") or Decimal("0"),
            "campaign": data.get("campaign"),
            "appeal": data.get("appeal"),
            "anonymous": bool(data.get("anonymous")),
            "notes": data.get("notes") or "",
        }


class VoidForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why void it?",
        help_text="The ledger entry is reversed; the gift stays on record as voided.",
    )


# --- Gift batches ------------------------------------------------------------------------------


class GiftBatchForm(BootstrapMixin, forms.Form):
    """A new batch: the slip's count and total, and the defaults of its gifts."""

    name = forms.CharField(max_length=200, help_text="Such as: Sunday deposit, 12 May.")
    date = forms.DateField(widget=DateInput(), help_text="The deposit date; gifts default to it.")
    expected_count = forms.IntegerField(
        min_value=1, max_value=100_000, label="Number of gifts", help_text="Counted on the slip."
    )
    expected_total = _money(
        min_value=Decimal("0.01"), label="Total", help_text="The deposit total."
    )
    deposit_account = AccountChoiceField(
        queryset=None,
        required=False,
        empty_label="Undeposited funds",
        label="Deposited to",
        help_text="Cash and bank accounts only.",
    )
    fund = CodeChoiceField(
        queryset=None, required=False, empty_label="General fund", label="Default fund"
    )
    method = forms.ChoiceField(
        choices=[(m, label) for m, label in Method.choices if m not in NON_CASH_METHODS],
        initial=Method.CHECK,
        required=False,
        label="Default method",
    )
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign", label="Default campaign"
    )
    appeal: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No appeal", label="Default appeal"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "deposit_account").queryset = choices.deposit_accounts()
        model_field(self, "fund").queryset = _funds()
        model_field(self, "campaign").queryset = choices.active_campaigns()
        model_field(self, "appeal").queryset = choices.active_appeals()

    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or Method.CHECK


class BatchGiftForm(BootstrapMixin, forms.Form):
    """One row of a batch: what a deposit slip has, prefilled from the batch's defaults (never
    from the gift entered before). Also the in-place edit of a row (with its `version`)."""

    donor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a donor from the list.",
            "invalid_choice": "Choose a donor from the list.",
        },
    )
    donor_text = forms.CharField(
        label="Donor",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Name, email, phone"}),
    )
    amount = _money(min_value=Decimal("0.01"), attrs={"min": "0.01"})
    method = forms.ChoiceField(
        choices=[(m, label) for m, label in Method.choices if m not in NON_CASH_METHODS],
        initial=Method.CHECK,
    )
    check_number = forms.CharField(max_length=30, required=False, label="Check no.")
    fund = CodeChoiceField(queryset=None, empty_label=None)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )
    appeal: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No appeal"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, row_form: str = "", **kwargs: Any) -> None:
        """`row_form`: the id of the <form> of a table row being edited in place; its fields sit
        in the row's cells, tied to that form by their `form` attribute and named by aria-label
        (the column headers show no label per field)."""
        super().__init__(*args, **kwargs)
        model_field(self, "donor").queryset = Donor.objects.filter(merged_into__isnull=True)
        model_field(self, "fund").queryset = _funds()
        model_field(self, "campaign").queryset = choices.active_campaigns()
        model_field(self, "appeal").queryset = choices.active_appeals()
        if row_form:
            for name, field in self.fields.items():
                field.widget.attrs.update(form=row_form, **{"aria-label": str(field.label or name)})
                css = field.widget.attrs.get("class", "")
                if "form-select" in css:
                    field.widget.attrs["class"] = f"{css} form-select-sm"
                elif "form-control" in css:
                    field.widget.attrs["class"] = f"{css} form-control-sm"

    @classmethod
    def initial_for(cls, defaults: dict[str, Any]) -> dict[str, Any]:
        """The form's initial values from the batch's defaults (selectors.batch_defaults)."""
        pk = {k: getattr(defaults[k], "pk", None) for k in ("fund", "campaign", "appeal")}
        return {"method": defaults["method"], **pk}

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "donor": data["donor"],
            "amount": data["amount"],
            "method": data["method"],
            "check_number": data.get("check_number") or "",
            "fund": data["fund"],
            "campaign": data.get("campaign"),
            "appeal": data.get("appeal"),
        }


class DonationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Donor",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Name, email, phone, postal code", "type": "search"}
        ),
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())
    fund = CodeChoiceField(queryset=None, required=False, empty_label="Any fund")
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any campaign"
    )
    appeal: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any appeal"
    )
    method = forms.ChoiceField(required=False, choices=[("", "Any method"), *Method.choices])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *DonationStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "fund").queryset = choices.active_funds().order_by("code")
        model_field(self, "campaign").queryset = Campaign.objects.all()
        model_field(self, "appeal").queryset = Appeal.objects.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments for the valid filters (none when invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        found = {
            "q": data.get("q") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "fund_id": data["fund"].pk if data.get("fund") else None,
            "campaign_id": data["campaign"].pk if data.get("campaign") else None,
            "appeal_id": data["appeal"].pk if data.get("appeal") else None,
            "method": data.get("method") or "",
            "status": data.get("status") or "",
        }
        return {k: v for k, v in found.items() if v}


class CampaignForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Campaign name")
    goal = _money(
        min_value=Decimal("0.01"), required=False, label="Goal", help_text="What it means to raise."
    )
    start_date = forms.DateField(label="Starts", required=False, widget=DateInput())
    end_date = forms.DateField(label="Ends", required=False, widget=DateInput())


class AppealForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Appeal name")
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "campaign").queryset = Campaign.objects.filter(is_active=True)
