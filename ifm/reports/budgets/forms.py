"""The budget pages' forms: the grid (one small form per row), the import, the copy and the
report's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from ifm.core.forms import choice_field
from ifm.ledger.filters import SmallMixin
from ifm.reports.budgets.models import MONTH_FIELDS, BudgetLine
from ifm.reports.budgets.services import COPY_SOURCES, MAX_PERCENT, MIN_PERCENT, LineIn
from ifm.reports.budgets.years import Month
from ifm.tenancy.forms import BootstrapMixin

EXTRA_ROWS = 3
MAX_ROWS = 400


class GridRow(forms.Form):
    """One row of the grid. A row of the budget or of the chart is `fixed` (its account, fund
    and program ride in hidden fields); a blank row at the end lets a line be added."""

    fixed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    account = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    fund = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    program = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, choices: dict[str, list[Any]], label: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.label = label
        for name in ("account", "fund", "program"):
            field = choice_field(self, name)
            field.choices = choices[name]
            field.widget.attrs["class"] = "form-select form-select-sm"
        for name in MONTH_FIELDS:
            self.fields[name] = forms.CharField(
                required=False,
                max_length=20,
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm text-end font-monospace",
                        "inputmode": "decimal",
                        "size": 9,
                    }
                ),
            )
        posted = self.is_bound and self.data.get(self.add_prefix("fixed")) == "True"
        if posted or self.initial.get("fixed"):
            for name in ("account", "fund", "program"):
                self.fields[name].widget = forms.HiddenInput()

    @property
    def is_fixed(self) -> bool:
        return isinstance(self.fields["account"].widget, forms.HiddenInput)

    def months(self) -> list[Any]:
        return [self[name] for name in MONTH_FIELDS]

    def line(self) -> LineIn | None:
        """The row as a line for the service; None for a blank row."""
        data = self.cleaned_data
        amounts = [data.get(name, "") for name in MONTH_FIELDS]
        if data.get("account") is None and not any(a.strip() for a in amounts):
            return None
        return LineIn(data.get("account"), data.get("fund"), data.get("program"), amounts)


def row_initial(line: BudgetLine | None, account_id: int, fund_id: Any, program_id: Any) -> dict:
    initial: dict[str, Any] = {
        "fixed": True,
        "account": account_id,
        "fund": fund_id,
        "program": program_id,
    }
    for name in MONTH_FIELDS:
        value: Decimal | None = getattr(line, name) if line is not None else None
        initial[name] = f"{value:.2f}" if value else ""
    return initial


def bound_rows(
    data: QueryDict, choices: dict[str, list[Any]], labels: dict[str, str]
) -> list[GridRow]:
    """The grid's rows as posted (`rows` says how many)."""
    try:
        count = min(max(int(data.get("rows", "0")), 0), MAX_ROWS)
    except ValueError:
        count = 0
    return [
        GridRow(data, prefix=f"r{i}", choices=choices, label=labels.get(f"r{i}", ""))
        for i in range(count)
    ]


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="Budget file (CSV or XLSX)",
        help_text="The template's columns: account, account_name, fund, program, "
        "month_1 … month_12.",
    )


class CopyForm(BootstrapMixin, forms.Form):
    source = forms.ChoiceField(
        label="Copy from",
        choices=[(key, text.capitalize()) for key, text in COPY_SOURCES.items()],
        widget=forms.RadioSelect,
    )
    percent = forms.DecimalField(
        label="Increase by (%)",
        initial=Decimal("0"),
        min_value=MIN_PERCENT,
        max_value=MAX_PERCENT,
        decimal_places=2,
        max_digits=6,
        help_text="A negative percentage decreases every amount.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(SmallMixin, forms.Form):
    fiscal_year = forms.TypedChoiceField(label="Fiscal year", coerce=int, required=False)
    through_month = forms.TypedChoiceField(label="Through", coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], months: list[Month], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "fiscal_year").choices = [(y, f"FY{y}") for y in years]
        choice_field(self, "through_month").choices = [
            (m.number, f"{m.label} (month {m.number})") for m in months
        ]

    def values(self, default_year: int) -> tuple[int, int]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("fiscal_year") or default_year, data.get("through_month") or 12
