"""Forms of the donation list, the campaigns page and the compliance view."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.donors import selectors
from ifm.donors.forms import CodeChoiceField, DateInput
from ifm.donors.models import Appeal, Campaign, DonationStatus, Method
from ifm.tenancy.forms import BootstrapMixin


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
        self.fields["fund"].queryset = selectors.active_funds().order_by("code")  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.all()  # type: ignore[attr-defined]
        self.fields["appeal"].queryset = Appeal.objects.all()  # type: ignore[attr-defined]

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


class AppealForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Appeal name")
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(is_active=True)  # type: ignore[attr-defined]


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
