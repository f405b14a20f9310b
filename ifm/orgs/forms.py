"""Forms of the organization's own pages: members and settings."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms

from ifm.core.forms import choice_field
from ifm.orgs.services import LOGO_MAX_BYTES, ORGANIZATION_EDITABLE_FIELDS
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


class OrganizationSettingsForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in", choices=MONTHS, coerce=int
    )
    time_zone = forms.ChoiceField(choices=())
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    currency = forms.CharField(
        max_length=3,
        min_length=3,
        help_text="Three-letter ISO code, for example USD.",
    )

    class Meta:
        model = Organization
        fields = [*ORGANIZATION_EDITABLE_FIELDS, "logo"]
        widgets = {"country": forms.TextInput(attrs={"size": 2})}
        help_texts = {
            "ein": "Employer Identification Number, like 12-3456789.",
            "country": "Two-letter code, for example US.",
            "logo": "PNG, JPEG or GIF, at most 2 MB.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "time_zone").choices = [
            (tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())
        ]
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
