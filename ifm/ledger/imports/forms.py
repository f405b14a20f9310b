"""Forms of the import page."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.ledger.filters import date_widget
from ifm.tenancy.forms import BootstrapMixin

MAX_INLINE_CSV = 1_000_000  # characters kept in the page between the check and the import


class ChartImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="number,name,type,parent_number[,net_asset_class], or a UCOA export "
        "(Group,Account,Description,Gr).",
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def data_to_import(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload
        content = self.cleaned_data.get("content") or ""
        return content or None


class OpeningBalancesForm(ChartImportForm):
    date = forms.DateField(
        label="Date of the opening balances",
        widget=date_widget(),
        help_text="Usually the day before the first day you keep the books here.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = "account_number,fund_code,debit,credit — one row per account and fund."
