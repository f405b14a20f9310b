"""The fundraising reports' filters, read from the URL (GET forms, so a report can be shared).
Invalid values are shown with their error and the report falls back to its default."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from ifm.core.api_types import EARLIEST_DATE, LATEST_DATE
from ifm.ledger.filters import SmallMixin
from ifm.reports.financial.forms import PeriodForm
from ifm.reports.fundraising import selectors
from ifm.tenancy.forms import BootstrapMixin
from ifm.tenancy.models import Organization

BASIS_CHOICES = [("calendar", "Calendar years"), ("fiscal", "Fiscal years")]


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_bound:
        return {}
    form.is_valid()
    return {
        k: v for k, v in form.cleaned_data.items() if v not in (None, "") and k not in form.errors
    }


def year_field(label: str = "Year") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=EARLIEST_DATE.year + 1, max_value=LATEST_DATE.year
    )


class LapsedForm(SmallMixin, forms.Form):
    year = year_field("Year (this year by default)")
    basis = forms.ChoiceField(label="Years", required=False, choices=BASIS_CHOICES)

    def values(self, organization: Organization) -> tuple[int, str]:
        data = _valid(self)
        basis = data.get("basis") or "calendar"
        year = data.get("year") or selectors.current_year(organization, basis, timezone.localdate())
        return year, basis


class RetentionForm(LapsedForm):
    years = forms.IntegerField(label="Years shown", required=False, min_value=2, max_value=10)

    def span(self) -> int:
        return _valid(self).get("years") or 5


class FundraisingPeriodForm(PeriodForm):
    def values(self, organization: Organization) -> tuple[date, date]:
        return self.period(organization)


class GiftRangeForm(FundraisingPeriodForm):
    ranges = forms.CharField(
        label="Range starts",
        required=False,
        max_length=300,
        help_text="Amounts where each range starts, such as 100, 250, 1000, 5000.",
    )

    def clean_ranges(self) -> tuple[Decimal, ...]:
        try:
            return selectors.ranges_asked(self.cleaned_data.get("ranges") or "")
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def lows(self) -> tuple[Decimal, ...]:
        """The ranges asked for, else the organization's standard ones."""
        return _valid(self).get("ranges") or selectors.standard_ranges()


class GiftRangeSettingsForm(BootstrapMixin, forms.Form):
    ranges = forms.CharField(
        label="Range starts",
        required=False,
        max_length=300,
        help_text=(
            "Amounts where each range starts, such as 100, 250, 1000, 5000 (a range from 0.01 "
            "is added below the smallest). Leave empty for the standard ranges: "
            + ", ".join(f"{low:,.2f}" for low in selectors.DEFAULT_RANGES)
            + "."
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TopDonorsForm(FundraisingPeriodForm):
    limit = forms.IntegerField(label="How many", required=False, min_value=1, max_value=500)

    def size(self) -> int:
        return _valid(self).get("limit") or 25


class CampaignForm(FundraisingPeriodForm):
    def optional_period(self, organization: Organization) -> tuple[date, date] | None:
        """All gifts ever unless a period is given."""
        data = _valid(self)
        if not data.get("date_from") and not data.get("date_to"):
            return None
        return self.period(organization)


def last_twelve_months(today: date) -> tuple[date, date]:
    """From the first day of the month eleven months back to the end of this month."""
    first = (
        date(today.year, 1, 1) if today.month == 12 else date(today.year - 1, today.month + 1, 1)
    )
    next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return first, next_month - timedelta(days=1)


class MonthlyForm(FundraisingPeriodForm):
    def values(self, organization: Organization) -> tuple[date, date]:
        data = _valid(self)
        if not data.get("date_from") and not data.get("date_to"):
            return last_twelve_months(timezone.localdate())
        return self.period(organization)
