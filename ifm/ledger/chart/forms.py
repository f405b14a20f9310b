"""Forms of the chart pages: the chart filter, accounts, funds and programs."""

from __future__ import annotations

from typing import Any

from django import forms

from ifm.core.forms import choice_field
from ifm.ledger.filters import SmallMixin, date_widget
from ifm.ledger.models import Account, AccountType, NetAssetClass, Restriction
from ifm.tenancy.forms import BootstrapMixin


class ChartFilterForm(SmallMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number or name"}),
    )
    type = forms.ChoiceField(label="Type", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        choice_field(self, "type").choices = [("", "Any type"), *AccountType.choices]

    def values(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class AccountForm(BootstrapMixin, forms.Form):
    number = forms.CharField(max_length=20, help_text="Digits, dots and dashes, e.g. 1010.")
    name = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=[])
    parent = forms.TypedChoiceField(
        label="Parent (header)", required=False, coerce=int, empty_value=None
    )
    net_asset_class = forms.ChoiceField(
        label="Net asset class",
        required=False,
        help_text="For net-asset and contribution accounts only.",
    )
    description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_cash = forms.BooleanField(
        label="Cash or bank account",
        required=False,
        help_text="Asset accounts only: offered where gifts are deposited and expenses paid from.",
    )
    is_active = forms.BooleanField(label="Active (takes postings)", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, account: Account | None = None, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        choice_field(self, "type").choices = AccountType.choices
        choice_field(self, "net_asset_class").choices = [("", "—"), *NetAssetClass.choices]
        parents = Account.objects.order_by("number")
        if account is not None:
            parents = parents.exclude(pk=account.pk).filter(type=account.type)
            self.fields["type"].disabled = True
            self.fields["type"].help_text = "The type of an existing account does not change."
        else:
            del self.fields["is_active"]
        choice_field(self, "parent").choices = [
            ("", "— none (top level) —"),
            *((str(a.pk), str(a)) for a in parents),
        ]


class FundForm(BootstrapMixin, forms.Form):
    code = forms.CharField(max_length=20, help_text="Short code shown in pickers, e.g. YOUTH.")
    name = forms.CharField(max_length=200)
    restriction = forms.ChoiceField(choices=[])
    purpose = forms.CharField(
        max_length=500, required=False, help_text="What a purpose restriction is for."
    )
    restricted_until = forms.DateField(
        label="Restricted until",
        required=False,
        widget=date_widget(),
        help_text="For time restrictions.",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        choice_field(self, "restriction").choices = Restriction.choices
        if not editing:
            del self.fields["is_active"]


class ProgramForm(BootstrapMixin, forms.Form):
    code = forms.CharField(max_length=20)
    name = forms.CharField(max_length=200)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]
