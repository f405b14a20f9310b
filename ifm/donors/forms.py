"""Form pieces the donor, gift and pledge pages share: service errors onto fields, date and
money inputs, fund and account choices, the donor picker label, and the compliance filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from ifm.core.errors import ServiceError
from ifm.donors import choices
from ifm.donors.models import Donor
from ifm.tenancy.forms import BootstrapMixin


def picker_label(donor: Donor) -> str:
    parts = [donor.name, donor.email or donor.city or donor.postal_code, donor.reference]
    return " · ".join(p for p in parts if p)


# Service field names (the API's) -> form field names.
SERVICE_FIELDS = {
    "donor_id": "donor",
    "fund_id": "fund",
    "campaign_id": "campaign",
    "appeal_id": "appeal",
    "household_id": "household",
    "deposit_account_id": "deposit_account",
}


def add_service_errors(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    for error in exc.errors or [{"field": "", "message": exc.message}]:
        name = error.get("field") or ""
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, error["message"])


def model_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's model choice field `name`, whose choices (its queryset) are set per request."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field.")
    return field


def field_choices(form: forms.BaseForm, name: str) -> QuerySet[Any]:
    """The rows the form's model choice field `name` offers (set when the form was made)."""
    queryset = model_field(form, name).queryset
    if queryset is None:
        raise TypeError(f"{name} has no choices yet.")
    return queryset


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


# --- Funds and compliance ----------------------------------------------------------------------


def _funds() -> Any:
    return choices.active_funds().order_by("-is_general", "code")


class ComplianceForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(
        label="Tax year",
        required=False,
        min_value=1900,
        max_value=2999,
        help_text="All years if empty",
    )

    def year_or_none(self) -> int | None:
        if self.is_bound and self.is_valid():
            year: int | None = self.cleaned_data.get("year")
            return year
        return None
