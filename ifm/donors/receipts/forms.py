"""Forms of the tax receipt pages: they translate between people and ifm.donors.receipts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from ifm.core.forms import integer_field
from ifm.donors.models import ReceiptKind
from ifm.donors.models.receipts import DeliveryStatus
from ifm.donors.receipts.issue import MIN_YEAR, SETTINGS_FIELDS
from ifm.tenancy.forms import BootstrapMixin

RECEIPT_STATUSES = [
    ("", "Any status"),
    ("issued", "Issued (standing)"),
    ("corrected", "Replaced by a correction"),
    ("void", "Voided"),
]


class ReceiptFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Receipt number or donor name", "type": "search"}
        ),
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind"), *ReceiptKind.choices], label="Kind"
    )
    status = forms.ChoiceField(required=False, choices=RECEIPT_STATUSES, label="Status")
    delivery = forms.ChoiceField(
        required=False, choices=[("", "Any delivery"), *DeliveryStatus.choices], label="Delivery"
    )
    year = forms.IntegerField(
        label="Tax year",
        required=False,
        min_value=MIN_YEAR,
        max_value=2200,
        widget=forms.NumberInput(attrs={"placeholder": "Any"}),
    )

    @property
    def filtered(self) -> bool:
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(k) for k in ("q", "kind", "status", "delivery", "year"))


class ReceiptVoidForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why void it?",
        help_text="The receipt keeps its number and stays on record as voided.",
    )


class ReceiptSendForm(BootstrapMixin, forms.Form):
    to = forms.EmailField(
        label="Send to",
        required=False,
        max_length=254,
        help_text="Leave empty to use the donor's email address.",
    )


class YearEndForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="Tax year", min_value=MIN_YEAR)
    joint = forms.BooleanField(
        label="One statement per household",
        required=False,
        help_text="A household's members get one statement together, addressed to the "
        "household and listing all their gifts; donors of no household get their own.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        integer_field(self, "year").max_value = timezone.localdate().year
        self.fields["year"].widget.attrs["max"] = timezone.localdate().year


class ReceiptSettingsForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    letter_template = forms.CharField(
        label="Letter template",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace", "spellcheck": "false"}),
        help_text="HTML with Django template tags. Available: org, donor, receipt, gifts, "
        "totals, summary_statement, thank_you, signature, logo. Tags: if, for (over the "
        "receipt's lists only), with, comment, now, firstof, spaceless; common filters such "
        "as date, default, upper, lower, title, linebreaks, pluralize.",
    )
    thank_you_text = forms.CharField(
        label="Thank-you text", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    signature_name = forms.CharField(label="Signed by", max_length=200, required=False)
    signature_title = forms.CharField(label="Signer's title", max_length=200, required=False)
    intangible_religious_benefits_only = forms.BooleanField(
        label="Only intangible religious benefits are provided",
        required=False,
        help_text="For churches and ministries: receipts say that only intangible religious "
        "benefits were provided when nothing else was.",
    )
    email_subject = forms.CharField(label="Email subject", max_length=200)
    email_body = forms.CharField(
        label="Email text", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    @staticmethod
    def initial_for(row: Any) -> dict[str, Any]:
        return {name: getattr(row, name) for name in (*SETTINGS_FIELDS, "version")}

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}


class ReceiptLogoForm(BootstrapMixin, forms.Form):
    logo = forms.FileField(
        label="Letter logo",
        required=False,
        help_text="PNG, JPEG or GIF, at most 1 MB. Without one, letters use the "
        "organization's logo.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )
    remove = forms.BooleanField(label="Remove the letter logo", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("logo") and not data.get("remove"):
            self.add_error("logo", "Choose an image, or tick Remove.")
        return data
