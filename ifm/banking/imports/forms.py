"""The upload form of the statement import page: it collects input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.banking.accounts.selectors import bank_account_list, csv_profile_list
from ifm.tenancy.forms import BootstrapMixin

ACCEPT = ".ofx,.qfx,.qbo,.xml,.csv,.txt,.xlsx"


class BankAccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        number = f" {obj.masked_number}" if obj.masked_number else ""
        return f"{obj.name}{number} ({obj.currency})"


class StatementUploadForm(BootstrapMixin, forms.Form):
    bank_account = BankAccountChoiceField(
        label="Bank account",
        queryset=None,
        empty_label=None,
        help_text="A file for another account or in another currency is refused.",
    )
    file = forms.FileField(
        label="Statement file",
        help_text="OFX or QFX, CAMT.053 (XML), CSV or Excel (XLSX) as the bank exports it. "
        "The type is read from the content, not the name.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    profile: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Column profile (CSV and Excel files)",
        queryset=None,
        required=False,
        empty_label="None (OFX, QFX and CAMT files need none)",
        help_text="Which columns hold the date, amount and description in your bank's export.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].queryset = bank_account_list()  # type: ignore[attr-defined]
        self.fields["profile"].queryset = csv_profile_list()  # type: ignore[attr-defined]
