"""What the ledger's filter and action forms share: the date widget, small inputs, date ranges
and the account and fund choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from ifm.ledger.models import Account, Fund


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SmallMixin:
    """Small Bootstrap controls, for filter bars."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select form-select-sm" if isinstance(f, forms.ChoiceField) else None
            f.widget.attrs.setdefault("class", css or "form-control form-control-sm")


class DateRangeMixin:
    cleaned_data: dict[str, Any]
    add_error: Callable[[str | None, Any], None]  # the form's (this is a mixin)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # type: ignore[misc]
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def valid_data(self) -> dict[str, Any]:
        """The filters that are valid (invalid ones are shown with their error and ignored)."""
        form: Any = self
        if not form.is_bound:
            return {}
        form.is_valid()
        return {
            k: v
            for k, v in form.cleaned_data.items()
            if v not in (None, "") and k not in form.errors
        }


def account_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(a.pk), str(a)) for a in Account.objects.order_by("number"))]


def fund_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(f.pk), str(f)) for f in Fund.objects.order_by("code"))]
