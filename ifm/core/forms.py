"""Form fields every app shares.

- Money and dates as people type them: `MoneyField` (a text box with the currency sign, read by
  the one money parser) and `TextDateField` (`today`, `12/4`, ISO; one Tab stop). Set their
  organization's currency and time zone when the form is made (`money_field(form, "amount")
  .currency = org.currency`, `text_date_field(form, "date").time_zone = org.time_zone`).
- A form's fields by their kind, for forms that set choices, querysets or limits when they are
  made: `choice_field(self, "fund").choices = ...` is checked (by mypy, and at run time) where
  `self.fields["fund"].choices` is not."""

from __future__ import annotations

import contextlib
import re
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ifm.core.money import CENT, MoneyError, parse_money

F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not {kind}.")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return field_of(form, name, forms.ChoiceField)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return field_of(form, name, forms.ModelChoiceField)


def integer_field(form: forms.BaseForm, name: str) -> forms.IntegerField:
    return field_of(form, name, forms.IntegerField)


# --- Money and dates as people type them -------------------------------------------------------

# A typed date or amount is short; a longer text is refused before any parsing.
MAX_TYPED = 40
CURRENCY_SIGNS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def currency_sign(code: str) -> str:
    """The sign shown before an amount: "$" for dollars, else the ISO code itself ("CHF")."""
    code = (code or "").upper()
    return CURRENCY_SIGNS.get(code, code or "$")


class MoneyInput(forms.TextInput):
    """A text box (not a number spinner) with the currency sign as a visible prefix: a Bootstrap
    input group whose sign is tied to the box by aria-describedby, so it is read out too."""

    template_name = "core/widgets/money.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, currency: str = "USD") -> None:
        base = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})
        self.currency = currency

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        sign_id = f"{widget['attrs'].get('id') or name}_currency"
        described = widget["attrs"].get("aria-describedby", "")
        widget["attrs"]["aria-describedby"] = f"{sign_id} {described}".strip()
        widget["sign"] = currency_sign(self.currency)
        widget["sign_id"] = sign_id
        widget["currency"] = (self.currency or "").upper()
        return context

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return super().format_value(value)


class MoneyField(forms.Field):
    """An amount typed by a person: `1,250`, `$1250.00`, `1250` and ` 1,250.5 ` are all 1250.xx,
    read by the one money parser (ifm.core.money.parse_money with text=True). Negative,
    garbage, more than two decimals and amounts past the ledger's limit are refused with a
    sentence saying so; `min_value` (default one cent) may allow zero."""

    widget = MoneyInput
    default_error_messages = {
        "not_a_number": "Type an amount such as 1,250.00.",
        "min_value": "The amount must be at least %(limit)s.",
    }

    def __init__(self, *, min_value: Decimal = CENT, currency: str = "USD", **kwargs: Any) -> None:
        self.min_value = min_value
        kwargs.setdefault("widget", MoneyInput(currency=currency))
        super().__init__(**kwargs)

    @property
    def currency(self) -> str:
        return getattr(self.widget, "currency", "USD")

    @currency.setter
    def currency(self, code: str) -> None:
        if isinstance(self.widget, MoneyInput):
            self.widget.currency = code

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and len(value) > MAX_TYPED:
            raise ValidationError(self.error_messages["not_a_number"], code="not_a_number")
        try:
            amount = parse_money(value, text=True, allow_zero=self.min_value <= 0)
        except MoneyError as exc:
            if exc.reason == "not_a_number":
                raise ValidationError(
                    self.error_messages["not_a_number"], code="not_a_number"
                ) from None
            raise ValidationError(exc.message, code=exc.reason) from None
        if amount < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit": f"{self.min_value:,.2f}"},
            )
        return amount

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def money_field(form: forms.BaseForm, name: str) -> MoneyField:
    return field_of(form, name, MoneyField)


DATE_WORDS = {"today": 0, "yesterday": -1}
_MONTH_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# The forms a date may be typed in, for the hint and the error.
DATE_HINT = "today, yesterday, 12/4 (month/day), 12/4/2026 or 2026-12-04"


def today_in(time_zone: str) -> date:
    """Today's date where the organization is (its time zone), not where the server is."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def parse_typed_date(text: str, *, today: date, future_days: int = 30) -> date | None:
    """The date a person typed, or None when the text is not one of DATE_HINT's forms.

    `12/4` is month/day of the year `today` is in, unless that lands more than `future_days`
    ahead of today: then it is last year's. Gifts are recorded after they arrive, so on 5
    January `12/28` is the 28 December just past (a bookkeeper catching up after year end),
    while on 1 December `12/4` is three days ahead (a post-dated check) and stays this year.
    A year written out (`12/4/2026`, `2026-12-04`) is taken as written; two digits are 20xx."""
    body = " ".join(text.split()).lower()
    if body in DATE_WORDS:
        return today + timedelta(days=DATE_WORDS[body])
    iso = _ISO.fullmatch(body)
    us = None if iso else _MONTH_DAY.fullmatch(body)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if us is None:
            return None
        month, day = int(us[1]), int(us[2])
        if us[3]:
            year = int(us[3]) + (2000 if len(us[3]) == 2 else 0)
            return date(year, month, day)
        # 2/29 in a year without it is no date (ValueError), as any other impossible day.
        found = date(today.year, month, day)
    except ValueError:
        return None
    if found > today + timedelta(days=future_days):
        with contextlib.suppress(ValueError):  # no 29 February last year: keep this year's
            found = date(today.year - 1, month, day)
    return found


class TextDateInput(forms.TextInput):
    """A date as one text box (one Tab stop, no spinners or segments), shown as YYYY-MM-DD."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"autocomplete": "off", "spellcheck": "false", "placeholder": "today"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return value.isoformat()
        return super().format_value(value)


class TextDateField(forms.Field):
    """A date typed as text: `today`, `yesterday`, `12/4`, `12/4/2026` or `2026-12-04`.

    "Today" is the organization's (`time_zone`, an IANA name; set it when the form is made),
    and a month/day without a year follows parse_typed_date's rule. Anything else is refused
    with the forms it takes."""

    widget = TextDateInput
    default_error_messages = {"invalid": f"Type a date as {DATE_HINT}."}

    def __init__(self, *, time_zone: str = "UTC", future_days: int = 30, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Such as today, 12/4 or 2026-12-04.")
        super().__init__(**kwargs)
        self.time_zone = time_zone
        self.future_days = future_days

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        text = str(value)
        found = None
        if len(text) <= MAX_TYPED:
            found = parse_typed_date(
                text, today=today_in(self.time_zone), future_days=self.future_days
            )
        if found is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return found


def text_date_field(form: forms.BaseForm, name: str) -> TextDateField:
    return field_of(form, name, TextDateField)
