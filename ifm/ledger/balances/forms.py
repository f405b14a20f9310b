"""Forms of the balance pages: their filters and the release of restricted money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from ifm.core.forms import choice_field
from ifm.ledger.balances.selectors import ACCOUNT_GROUPS
from ifm.ledger.filters import DateRangeMixin, SmallMixin, date_widget, fund_choices
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.models import Organization


class TrialBalanceForm(SmallMixin, forms.Form):
    as_of = forms.DateField(label="As of", required=False, widget=date_widget())
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)
    accounts = forms.ChoiceField(
        label="Accounts",
        required=False,
        choices=[("", "All accounts"), *ACCOUNT_GROUPS.items()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "fund").choices = fund_choices("All funds")

    def values(self) -> tuple[date, int | None]:
        as_of, fund = timezone.localdate(), None
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
            if data.get("as_of") and "as_of" not in self.errors:
                as_of = data["as_of"]
            if data.get("fund") and "fund" not in self.errors:
                fund = data["fund"]
        return as_of, fund

    def account_group(self) -> str:
        """The group of accounts asked for (a key of ACCOUNT_GROUPS), or "" for all."""
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data.get("accounts") or "")
        return ""


class FundBalancesForm(SmallMixin, DateRangeMixin, forms.Form):
    date_from = forms.DateField(
        label="Releases from",
        required=False,
        widget=date_widget(),
        help_text="Start of the period whose releases from restriction are shown.",
    )
    as_of = forms.DateField(label="As of", required=False, widget=date_widget())

    def values(self, organization: Organization) -> tuple[date, date]:
        """The balance date (today by default) and the start of the release period (the
        first day of the fiscal year holding the balance date by default)."""
        data = self.valid_data() if self.is_bound else {}
        as_of = data.get("as_of") or timezone.localdate()
        start = data.get("date_from") or fiscal_year_bounds(organization, as_of)[0]
        if start > as_of:
            start = as_of
        return as_of, start

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or {}
        start, end = data.get("date_from"), data.get("as_of")
        if start and end and start > end:
            self.add_error("date_from", "The period must start on or before the balance date.")
        return data

    def value(self) -> date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()


class AccountLedgerForm(SmallMixin, DateRangeMixin, forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=date_widget())
    date_to = forms.DateField(label="To", required=False, widget=date_widget())
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "fund").choices = fund_choices("All funds")


class ReleaseForm(BootstrapMixin, forms.Form):
    """Release restricted money: how much, on which date, why."""

    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    date = forms.DateField(widget=date_widget(), initial=timezone.localdate)
    memo = forms.CharField(
        max_length=500,
        required=False,
        help_text="What the money was spent on, or that the time restriction has passed.",
    )
