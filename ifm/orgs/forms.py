"""Forms of the organization's own pages: members and settings."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.core.forms import choice_field
from ifm.orgs.currencies import CURRENCIES, currency_choices
from ifm.orgs.services import LOGO_MAX_BYTES, ORGANIZATION_EDITABLE_FIELDS
from ifm.orgs.time_zones import time_zone_choices
from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]


class MemberRoleForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    role = forms.ChoiceField(choices=Role.choices)


class MemberStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    is_active = forms.TypedChoiceField(
        choices=[("1", "Active"), ("0", "Inactive")], coerce=lambda v: v == "1"
    )


class MemberFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    role = forms.ChoiceField(required=False, choices=[("", "All roles"), *Role.choices])
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            ("active", "Active"),
            ("inactive", "Inactive"),
            ("sign_in_trouble", "Failed sign-ins (7 days)"),
        ],
    )


class CurrencyField(forms.ChoiceField):
    """An ISO 4217 code from the list; "usd" is read as USD."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


class OrganizationSettingsForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in",
        choices=MONTHS,
        coerce=int,
        help_text="A fiscal year is named after the calendar year it ends in.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=(),
        help_text=(
            "Dates of gifts, entries and the audit log follow this time zone. Type a city, "
            "country or UTC offset to narrow the list."
        ),
    )
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    currency = CurrencyField(
        label="Currency",
        choices=(),
        help_text="The currency of every amount in the books, on receipts and in reports.",
    )

    class Meta:
        model = Organization
        fields = [*ORGANIZATION_EDITABLE_FIELDS, "logo"]
        widgets = {"country": forms.TextInput(attrs={"size": 2, "autocomplete": "country"})}
        labels = {
            "name": "Name people know you by",
            "legal_name": "Legal name",
            "ein": "EIN",
            "address_line1": "Street address",
            "address_line2": "Address line 2",
            "state": "State or province",
            "postal_code": "ZIP or postal code",
            "require_2fa_for_admin_finance": "Require two-factor sign-in for admins and finance",
        }
        help_texts = {
            "legal_name": "As registered with the IRS; printed on receipts.",
            "ein": "Employer Identification Number, like 12-3456789.",
            "address_line2": "Suite, floor or PO box, if any.",
            "country": "Two-letter code, for example US.",
            "logo": "PNG, JPEG or GIF, at most 2 MB. Shown on receipts and letters.",
            "require_2fa_for_admin_finance": (
                "People with these roles must set up an authenticator app before they can "
                "work in the organization."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = time_zone_choices()
        known = {zone for _, group in zones for zone, _ in group}
        current = self.instance.time_zone if self.instance.pk else ""
        if current and current not in known:  # kept selectable if Python no longer lists it
            zones = [("Current", [(current, current)]), *zones]
        choice_field(self, "time_zone").choices = zones
        self.fields["time_zone"].widget.attrs.update({"data-tz-select": "true"})
        currencies = currency_choices()
        if self.instance.pk and self.instance.currency not in CURRENCIES:
            currencies = [(self.instance.currency, self.instance.currency), *currencies]
        choice_field(self, "currency").choices = currencies
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("The logo may be at most 2 MB.")
        return logo

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The model's validators, so every mistake shows at once (the service checks again).
        for name in ORGANIZATION_EDITABLE_FIELDS:
            if name in data and name not in self.errors and data[name] not in ("", None):
                try:
                    Organization._meta.get_field(name).run_validators(data[name])  # type: ignore[union-attr]
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def _post_clean(self) -> None:
        # The service validates and saves; the form must not touch the instance.
        pass

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of organization_update."""
        fields = {name: self.cleaned_data[name] for name in ORGANIZATION_EDITABLE_FIELDS}
        logo = self.cleaned_data.get("logo")
        if logo is False:
            fields["logo"] = None
        elif logo and logo != self.instance.logo:
            fields["logo"] = logo
        return fields
