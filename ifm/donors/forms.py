"""Forms of the donor pages: they translate between people and the services, nothing more."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ifm.core.errors import ServiceError
from ifm.donors import selectors
from ifm.donors.models import (
    ContactLabel,
    Donor,
    DonorKind,
    Household,
    Method,
    Tag,
)
from ifm.tenancy.forms import BootstrapMixin

# Service field names (the API's) -> form field names.
SERVICE_FIELDS = {
    "donor_id": "donor",
    "fund_id": "fund",
    "campaign_id": "campaign",
    "appeal_id": "appeal",
    "household_id": "household",
    "deposit_account_id": "deposit_account",
}

DONOR_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "salutation",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "household",
    "no_email",
    "no_mail",
    "no_phone",
    "anonymous",
    "is_deceased",
    "is_active",
)


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, error["message"])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.name}"


def _money(**kwargs: Any) -> forms.DecimalField:
    attrs = {"step": "0.01", "inputmode": "decimal", "autocomplete": "off"}
    attrs.update(kwargs.pop("attrs", {}))
    return forms.DecimalField(
        max_digits=14, decimal_places=2, widget=forms.NumberInput(attrs=attrs), **kwargs
    )


# --- Donors ------------------------------------------------------------------------------------


class DonorFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Name, email, phone, postal code", "type": "search"}
        ),
    )
    tag: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any tag"
    )
    active = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active"), ("all", "Active and inactive"), ("inactive", "Inactive")],
    )
    gave = forms.ChoiceField(
        label="Giving",
        required=False,
        choices=[
            ("", "Any"),
            ("this_year", "Gave this year"),
            ("not_this_year", "Not this year"),
            ("never", "Never gave"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.all()  # type: ignore[attr-defined]

    @property
    def filtered(self) -> bool:
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(k) for k in ("q", "tag", "active", "gave"))


class DonorForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=DonorKind.choices, initial=DonorKind.INDIVIDUAL, widget=forms.RadioSelect
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    organization_name = forms.CharField(max_length=200, required=False)
    salutation = forms.CharField(
        max_length=200,
        required=False,
        help_text='How letters greet them, such as "Dear Ann and Bob". Empty: "Dear" and the name.',
    )
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False)
    address_line1 = forms.CharField(max_length=200, required=False, label="Address")
    address_line2 = forms.CharField(max_length=200, required=False, label="Address (line 2)")
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(max_length=2, required=False, initial="US")
    household: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No household"
    )
    tags = forms.CharField(
        max_length=500,
        required=False,
        help_text="Separate tags with commas, such as: board, volunteer, major donor.",
    )
    no_email = forms.BooleanField(required=False, label="Do not email")
    no_mail = forms.BooleanField(required=False, label="Do not mail")
    no_phone = forms.BooleanField(required=False, label="Do not call")
    anonymous = forms.BooleanField(required=False, label="Gives anonymously")
    is_deceased = forms.BooleanField(required=False, label="Deceased")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicates = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.all()  # type: ignore[attr-defined]
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == DonorKind.ORGANIZATION:
            if not data.get("organization_name"):
                self.add_error("organization_name", "Give the organization's name.")
        elif data.get("kind") and not (data.get("first_name") or data.get("last_name")):
            self.add_error("last_name", "Give a first or a last name.")
        return data

    def tag_names(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        seen: dict[str, str] = {}
        for part in raw.split(","):
            name = " ".join(part.split())[:60]
            if name and name.lower() not in seen:
                seen[name.lower()] = name
        return list(seen.values())

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in DONOR_FIELDS}
        for name in DONOR_FIELDS:
            if isinstance(self.fields[name], forms.CharField) and fields[name] is None:
                fields[name] = ""
        fields["country"] = (fields["country"] or "US").upper()
        return fields

    @classmethod
    def initial_for(cls, donor: Donor) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(donor, name) for name in DONOR_FIELDS}
        initial["household"] = donor.household_id
        initial["tags"] = ", ".join(t.name for t in donor.tags.all())
        initial["version"] = donor.version
        return initial

    def duplicate_kwargs(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name: data.get(name) or ""
            for name in (
                "email",
                "first_name",
                "last_name",
                "organization_name",
                "postal_code",
                "phone",
            )
        }


class NoteForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label="Add a note", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class _ContactForm(BootstrapMixin, forms.Form):
    """Add one email, phone or address on the donor's profile (labels, errors beside fields)."""

    kind = ""
    label = forms.ChoiceField(label="Label", choices=ContactLabel.choices, initial="home")
    is_primary = forms.BooleanField(label="Make it the primary one", required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EmailContactForm(_ContactForm):
    kind = "email"
    email = forms.CharField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    field_order = ["email", "label", "is_primary"]


class PhoneContactForm(_ContactForm):
    kind = "phone"
    phone = forms.CharField(
        label="Phone", max_length=40, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    field_order = ["phone", "label", "is_primary"]


class AddressContactForm(_ContactForm):
    kind = "address"
    address_line1 = forms.CharField(label="Address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.CharField(label="State", max_length=50, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.CharField(label="Country", max_length=2, initial="US")
    field_order = [
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "country",
        "label",
        "is_primary",
    ]


CONTACT_FORMS: dict[str, type[_ContactForm]] = {
    "email": EmailContactForm,
    "phone": PhoneContactForm,
    "address": AddressContactForm,
}


def contact_forms(bound: _ContactForm | None = None) -> dict[str, _ContactForm]:
    """The three add forms of the profile, each with its own prefix (ids stay unique)."""
    forms_ = {kind: cls(prefix=kind) for kind, cls in CONTACT_FORMS.items()}
    if bound is not None:
        forms_[bound.kind] = bound
    return forms_


# --- Donations ---------------------------------------------------------------------------------


def _funds() -> Any:
    return selectors.active_funds().order_by("-is_general", "code")


class DonationForm(BootstrapMixin, forms.Form):
    """The fast entry form: a donor picker (text with a hidden id), then the gift."""

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
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "Type a name, email or phone"}
        ),
    )
    amount = _money(min_value=Decimal("0.01"), attrs={"min": "0.01"})
    date = forms.DateField(widget=DateInput())
    method = forms.ChoiceField(choices=Method.choices, initial=Method.CHECK)
    check_number = forms.CharField(max_length=30, required=False, label="Check number")
    fund = CodeChoiceField(queryset=None, empty_label=None)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )
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
    goods_services_value = _money(
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Donor.objects.filter(merged_into__isnull=True)  # type: ignore[attr-defined]
        self.fields["fund"].queryset = _funds()  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = selectors.active_campaigns()  # type: ignore[attr-defined]
        self.fields["appeal"].queryset = selectors.active_appeals()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deposit_account"].queryset = selectors.deposit_accounts()  # type: ignore[attr-defined]


class BatchGiftForm(BootstrapMixin, forms.Form):
    """One row of a batch: only what a deposit slip has."""

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
    method = forms.ChoiceField(choices=Method.choices, initial=Method.CHECK)
    check_number = forms.CharField(max_length=30, required=False, label="Check no.")
    fund = CodeChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Donor.objects.filter(merged_into__isnull=True)  # type: ignore[attr-defined]
        self.fields["fund"].queryset = _funds()  # type: ignore[attr-defined]
