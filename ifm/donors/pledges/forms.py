"""Forms of the pledge and recurring gift pages, and the "apply to a pledge" part of the
donation form: they translate between people and the services, nothing more."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from ifm.donors import choices
from ifm.donors.forms import CodeChoiceField, DateInput, _funds, _money, field_choices, model_field
from ifm.donors.models import (
    NON_CASH_METHODS,
    Campaign,
    Donation,
    Donor,
    Frequency,
    Method,
    Pledge,
    PledgeStatus,
    RecurringGift,
    RecurringStatus,
)
from ifm.donors.pledges import selectors
from ifm.tenancy.forms import BootstrapMixin

SCHEDULE_FREQUENCIES = [
    (Frequency.MONTHLY.value, "Monthly"),
    (Frequency.QUARTERLY.value, "Quarterly"),
    (Frequency.ANNUALLY.value, "Annually"),
]


class _DonorPicker(forms.Form):
    """A donor picker: a text box with a datalist (donors/donors.js) and the hidden id."""

    donor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a donor from the list.",
            "invalid_choice": "Choose a donor from the list.",
        },
    )
    donor_text = forms.CharField(label="Donor", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "donor").queryset = Donor.objects.filter(merged_into__isnull=True)


# --- Pledges -----------------------------------------------------------------------------------


class PledgeFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Donor",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Name, email, phone", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *PledgeStatus.choices], label="Status"
    )
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any campaign"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "campaign").queryset = Campaign.objects.order_by("name")

    @property
    def data_or_empty(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    @property
    def filtered(self) -> bool:
        return any(self.data_or_empty.get(k) for k in ("q", "status", "campaign"))

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.data_or_empty
        campaign = data.get("campaign")
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "campaign_id": campaign.pk if campaign else None,
        }


class PledgeForm(BootstrapMixin, _DonorPicker):
    total = _money(min_value=Decimal("0.01"), label="Total pledged", attrs={"min": "0.01"})
    date = forms.DateField(
        widget=DateInput(), label="Start date", help_text="The pledge date: the first payment."
    )
    fund = CodeChoiceField(queryset=None, empty_label=None)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )
    schedule = forms.ChoiceField(
        choices=[("once", "One payment"), ("installments", "Installments")],
        initial="once",
        widget=forms.RadioSelect,
    )
    installment_count = forms.IntegerField(
        label="Number of installments",
        required=False,
        min_value=2,
        max_value=120,
        help_text="Equal installments; the cents left over go on the first.",
    )
    frequency = forms.ChoiceField(
        choices=SCHEDULE_FREQUENCIES, initial=Frequency.MONTHLY, label="Every", required=False
    )
    notes = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "fund").queryset = _funds()
        model_field(self, "campaign").queryset = choices.active_campaigns()
        self.fields["schedule"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("schedule") == "installments" and not data.get("installment_count"):
            self.add_error("installment_count", "How many installments?")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {
            "donor": data["donor"],
            "total": data["total"],
            "date": data["date"],
            "fund": data["fund"],
            "campaign": data.get("campaign"),
            "notes": data.get("notes") or "",
        }
        if data.get("schedule") == "installments":
            kwargs["installment_count"] = data["installment_count"]
            kwargs["frequency"] = data.get("frequency") or Frequency.MONTHLY
        return kwargs


# --- Recurring gifts ---------------------------------------------------------------------------


class RecurringFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Donor",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Name, email, phone", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *RecurringStatus.choices], label="Status"
    )
    overdue = forms.ChoiceField(
        required=False,
        label="Next gift",
        choices=[("", "Any"), ("1", "Overdue")],
    )

    @property
    def data_or_empty(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    @property
    def filtered(self) -> bool:
        return any(self.data_or_empty.get(k) for k in ("q", "status", "overdue"))

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.data_or_empty
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "overdue": data.get("overdue") == "1",
        }


class RecurringGiftForm(BootstrapMixin, _DonorPicker):
    amount = _money(min_value=Decimal("0.01"), attrs={"min": "0.01"})
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.MONTHLY)
    fund = CodeChoiceField(queryset=None, empty_label=None)
    method = forms.ChoiceField(
        choices=[(v, label) for v, label in Method.choices if v not in NON_CASH_METHODS],
        initial=Method.CARD,
    )
    start_date = forms.DateField(
        widget=DateInput(), label="First gift", help_text="The next gift is expected on this date."
    )
    end_date = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Last gift by",
        help_text="Optional: the gift ends after this date.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "fund").queryset = _funds()

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "donor": data["donor"],
            "amount": data["amount"],
            "frequency": data["frequency"],
            "fund": data["fund"],
            "method": data["method"],
            "start_date": data["start_date"],
            "end_date": data.get("end_date"),
        }


# Page actions -> the status recurring_gift_set_status sets.
RECURRING_ACTIONS = {
    "pause": RecurringStatus.PAUSED,
    "resume": RecurringStatus.ACTIVE,
    "end": RecurringStatus.ENDED,
}


class PledgeCancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why cancel it?",
        help_text="Kept with the pledge. Gifts already applied stay recorded.",
        error_messages={"required": "Say why the pledge is cancelled."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecurringStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[(k, k) for k in RECURRING_ACTIONS])
    version = forms.IntegerField(min_value=0, max_value=2**31)


# --- The donation form: apply a gift to a pledge or a recurring gift ---------------------------


class _PledgeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        balance = getattr(obj, "balance_amount", obj.balance_due)
        return (
            f"Pledge {obj.pk} of {obj.total:,.2f} on {obj.date:%Y-%m-%d}: "
            f"{balance:,.2f} due ({obj.fund.code})"
        )


class _RecurringChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = f"{obj.amount:,.2f} {obj.get_frequency_display().lower()}"
        if obj.next_date:
            text += f", next {obj.next_date:%Y-%m-%d}"
        if obj.status != RecurringStatus.ACTIVE:
            text += f" ({obj.get_status_display().lower()})"
        return text


class DonationLinksForm(BootstrapMixin, forms.Form):
    """The open pledge a gift pays and the recurring gift it is one of (the chosen donor's)."""

    pledge = _PledgeChoice(
        queryset=None,
        required=False,
        empty_label="Not for a pledge",
        label="Apply to pledge",
        error_messages={"invalid_choice": "Choose an open pledge of this donor."},
    )
    recurring = _RecurringChoice(
        queryset=None,
        required=False,
        empty_label="Not a recurring gift",
        label="Recurring gift",
        error_messages={"invalid_choice": "Choose a recurring gift of this donor."},
    )
    pledge_overpayment = forms.BooleanField(
        required=False,
        label="Overpayment: the gift is more than the pledge still owes, and that is meant",
    )

    def __init__(
        self, *args: Any, donor: Any = None, donation: Donation | None = None, **kwargs: Any
    ) -> None:
        """With `donation` (its edit form): the pledge it is applied to stays a choice whatever
        its status, and the recurring gift is not changed here."""
        super().__init__(*args, **kwargs)
        self.chosen: dict[str, Any] = {}
        if donation is not None:
            donor = donation.donor_id
            del self.fields["recurring"]
            if not self.is_bound:
                self.initial.update(
                    pledge=donation.pledge_id, pledge_overpayment=donation.pledge_overpayment
                )
        if donor is None and self.is_bound:
            raw = str(self.data.get("donor") or "")
            donor = int(raw) if raw.isdigit() and len(raw) < 12 else None
        donor_id = donor.pk if isinstance(donor, Donor) else donor
        open_or_kept = Q(status=PledgeStatus.OPEN)
        if donation is not None and donation.pledge_id:
            open_or_kept |= Q(pk=donation.pledge_id)
        pledges = Pledge.objects.filter(open_or_kept, donor_id=donor_id or 0)
        model_field(self, "pledge").queryset = selectors.with_amounts(
            pledges.select_related("fund")
        ).order_by("date", "id")
        if "recurring" in self.fields:
            model_field(self, "recurring").queryset = (
                RecurringGift.objects.filter(donor_id=donor_id or 0)
                .exclude(status=RecurringStatus.ENDED)
                .order_by("next_date", "id")
            )

    @classmethod
    def for_query(cls, query: Any, *, donor: Any) -> DonationLinksForm:
        """Unbound, with the pledge or recurring gift named in the query (?pledge=, ?recurring=)
        chosen when it is one of the donor's."""
        form = cls(donor=donor)
        for name in ("pledge", "recurring"):
            raw = str(query.get(name) or "")
            if raw.isdigit() and len(raw) < 12:
                row = field_choices(form, name).filter(pk=int(raw)).first()
                if row is not None:
                    form.initial[name] = row.pk
                    form.chosen[name] = row
        return form

    def donation_initial(self) -> dict[str, Any]:
        """What the gift form starts with for the chosen pledge (its next installment, fund and
        campaign) or recurring gift (its amount, fund and method)."""
        gift = self.chosen.get("recurring")
        pledge = self.chosen.get("pledge")
        initial: dict[str, Any] = {}
        if gift is not None:
            initial.update(amount=gift.amount, fund=gift.fund_id, method=gift.method)
        if pledge is not None:
            upcoming = selectors.next_installment(pledge)
            initial.update(fund=pledge.fund_id, campaign=pledge.campaign_id)
            if upcoming is not None and "amount" not in initial:
                initial["amount"] = upcoming.left
        return initial

    @property
    def has_choices(self) -> bool:
        return any(
            field_choices(self, name).exists()
            for name in ("pledge", "recurring")
            if name in self.fields
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {
            "pledge": data.get("pledge"),
            "pledge_overpayment": bool(data.get("pledge_overpayment")),
        }
        if "recurring" in self.fields:
            out["recurring"] = data.get("recurring")
        return out
