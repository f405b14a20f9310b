"""The statements' filters, read from the URL (a GET form, so a statement can be shared)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from ifm.core.forms import choice_field
from ifm.ledger.chart.selectors import active_programs
from ifm.ledger.filters import DateRangeMixin, SmallMixin, date_widget, fund_choices
from ifm.ledger.periods.fiscal_years import fiscal_year_bounds
from ifm.reports.financial.selectors import compare_period, prior_year_end
from ifm.tenancy.models import Organization

POSITION_COMPARE = [("", "No comparison"), ("prior_year_end", "Prior year-end"), ("date", "A date")]
ACTIVITY_COMPARE = [
    ("", "No comparison"),
    ("prior_year", "Same period, prior year"),
    ("prior_period", "Prior period of the same length"),
]

NET_ASSET_CLASSES = [
    ("", "Both classes"),
    ("without", "Without donor restrictions"),
    ("with", "With donor restrictions"),
]


def _net_asset_class_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="Net assets", required=False, choices=NET_ASSET_CLASSES)


class PositionForm(SmallMixin, forms.Form):
    as_of = forms.DateField(label="As of", required=False, widget=date_widget())
    compare = forms.ChoiceField(label="Compare with", required=False, choices=POSITION_COMPARE)
    compare_date = forms.DateField(label="Comparison date", required=False, widget=date_widget())
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)
    net_asset_class = _net_asset_class_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "fund").choices = fund_choices("All funds")

    def filters(self, organization: Organization) -> dict[str, Any]:
        """The arguments of `statement_of_financial_position`."""
        as_of, compare_to = self.values(organization)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "as_of": as_of,
            "compare_to": compare_to,
            "fund_id": data.get("fund"),
            "net_asset_class": data.get("net_asset_class", ""),
        }

    def values(self, organization: Organization) -> tuple[date, date | None]:
        """The balance date (today by default) and the date compared with (the prior
        year-end when nothing is asked for)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        as_of = data.get("as_of") or timezone.localdate()
        kind = data.get("compare", "") if self.is_bound else "prior_year_end"
        if kind == "prior_year_end":
            return as_of, prior_year_end(organization, as_of)
        if kind == "date" and data.get("compare_date"):
            return as_of, data["compare_date"]
        return as_of, None


class PeriodForm(SmallMixin, DateRangeMixin, forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=date_widget())
    date_to = forms.DateField(label="To", required=False, widget=date_widget())

    def period(self, organization: Organization) -> tuple[date, date]:
        """The period asked for; by default the fiscal year to date."""
        data = self.valid_data()
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or fiscal_year_bounds(organization, date_to)[0]
        return (date_from, date_to) if date_from <= date_to else (date_to, date_to)


class ActivitiesForm(PeriodForm):
    compare = forms.ChoiceField(label="Compare with", required=False, choices=ACTIVITY_COMPARE)
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)
    program = forms.TypedChoiceField(label="Program", required=False, coerce=int, empty_value=None)
    net_asset_class = _net_asset_class_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "fund").choices = fund_choices("All funds")
        choice_field(self, "program").choices = [
            ("", "All programs"),
            *((str(p.pk), str(p)) for p in active_programs()),
        ]

    def filters(self, organization: Organization) -> dict[str, Any]:
        """The arguments of `statement_of_activities`."""
        date_from, date_to = self.period(organization)
        data = self.valid_data()
        return {
            "date_from": date_from,
            "date_to": date_to,
            "compare": compare_period(data.get("compare", ""), date_from, date_to),
            "fund_id": data.get("fund"),
            "program_id": data.get("program"),
            "net_asset_class": data.get("net_asset_class", ""),
        }


class CashFlowForm(PeriodForm):
    compare = forms.ChoiceField(label="Compare with", required=False, choices=ACTIVITY_COMPARE)
    fund = forms.TypedChoiceField(label="Fund", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "fund").choices = fund_choices("All funds")

    def filters(self, organization: Organization) -> dict[str, Any]:
        """The arguments of `cash_flow`."""
        date_from, date_to = self.period(organization)
        data = self.valid_data()
        return {
            "date_from": date_from,
            "date_to": date_to,
            "compare": compare_period(data.get("compare", ""), date_from, date_to),
            "fund_id": data.get("fund"),
        }
