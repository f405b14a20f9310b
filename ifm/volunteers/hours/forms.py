"""Forms of the hours pages: the list's filters, logging and correcting hours, a rejection's
reason, the report's period and the hourly value."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from ifm.core.forms import model_choice_field
from ifm.tenancy.forms import BootstrapMixin
from ifm.volunteers.models import HoursEntry, HoursSource, HoursStatus, Opportunity, Volunteer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.sort_name} ({obj.email})" if obj.email else str(obj.sort_name)


class HoursFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": "Volunteer, description, opportunity", "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *HoursStatus.choices]
    )
    volunteer = VolunteerChoiceField(
        label="Volunteer", queryset=None, required=False, empty_label="Anyone"
    )
    opportunity: forms.ModelChoiceField[Opportunity] = forms.ModelChoiceField(
        label="Opportunity", queryset=None, required=False, empty_label="Any opportunity"
    )
    source = forms.ChoiceField(
        label="Source", required=False, choices=[("", "Any source"), *HoursSource.choices]
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only volunteers with hours: the list of everyone would be as long as the program.
        with_hours = HoursEntry.objects.values("volunteer_id")
        model_choice_field(self, "volunteer").queryset = Volunteer.objects.filter(pk__in=with_hours)
        model_choice_field(self, "opportunity").queryset = Opportunity.objects.all()

    def selector_kwargs(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        # An unbound form (the page opened without a period) has no cleaned data.
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        volunteer, opportunity = data.get("volunteer"), data.get("opportunity")
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "source": data.get("source") or "",
            "volunteer_id": volunteer.pk if volunteer else None,
            "opportunity_id": opportunity.pk if opportunity else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.selector_kwargs().values())


class HoursForm(BootstrapMixin, forms.Form):
    volunteer = VolunteerChoiceField(label="Volunteer", queryset=None)
    date = forms.DateField(widget=DateInput(), help_text="The day the hours were given.")
    hours = forms.DecimalField(
        min_value=0,
        max_value=24,
        decimal_places=2,
        max_digits=4,
        help_text="Above 0, at most 24, such as 2.5.",
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    opportunity: forms.ModelChoiceField[Opportunity] = forms.ModelChoiceField(
        label="Opportunity", queryset=None, required=False, empty_label="None"
    )
    description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "volunteer").queryset = Volunteer.objects.exclude(
            status="inactive"
        )
        model_choice_field(self, "opportunity").queryset = Opportunity.objects.filter(
            is_archived=False
        )
        if editing:
            del self.fields["volunteer"]


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(max_length=500, label="Why are these hours rejected?")


class PeriodForm(BootstrapMixin, forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def period(self, today: date) -> tuple[date, date]:
        """The chosen range; by default this year so far. Reversed dates are swapped."""
        data: dict[str, Any] = {}
        # An unbound form (the page opened without a period) has no cleaned data.
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        start = data.get("date_from") or today.replace(month=1, day=1)
        end = data.get("date_to") or today
        if start > end:
            start, end = end, start
        # A century is the longest range a report reads.
        if (end - start).days > 36600:
            start = end - timedelta(days=36600)
        return start, end


class HourlyValueForm(BootstrapMixin, forms.Form):
    hourly_value = forms.DecimalField(
        label="Value of an hour of volunteer time",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text="Used in reports only; nothing is posted to the ledger.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
