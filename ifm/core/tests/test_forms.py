"""The shared form fields: money and dates as people type them, refused with a sentence when
they are not one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django import forms

from ifm.core.forms import (
    MoneyField,
    TextDateField,
    currency_sign,
    money_field,
    parse_typed_date,
    text_date_field,
    today_in,
)

D = Decimal


class GiftForm(forms.Form):
    amount = MoneyField()
    fee = MoneyField(min_value=D("0"), required=False)
    date = TextDateField()


def errors_of(data: dict[str, str]) -> dict[str, list[str]]:
    form = GiftForm(data)
    form.is_valid()
    return {k: [str(e) for e in v] for k, v in form.errors.items()}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,250", D("1250.00")),
        ("$1250.00", D("1250.00")),
        ("1250", D("1250.00")),
        (" 1,250.5 ", D("1250.50")),
        ("$ 1,250.50", D("1250.50")),
        ("0.01", D("0.01")),
        ("999999999999.99", D("999999999999.99")),
    ],
)
def test_it_reads_amounts_as_people_type_them(typed: str, expected: Decimal) -> None:
    form = GiftForm({"amount": typed, "date": "2026-01-02"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == expected
    assert isinstance(form.cleaned_data["amount"], Decimal)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "The amount must be more than zero."),
        ("(10.00)", "The amount must be more than zero."),
        ("0", "The amount must be more than zero."),
        ("abc", "Type an amount such as 1,250.00."),
        ("1,25", "Type an amount such as 1,250.00."),
        ("12.5.0", "Type an amount such as 1,250.00."),
        ("1e3", "Type an amount such as 1,250.00."),
        ("NaN", "Type an amount such as 1,250.00."),
        ("10.005", "An amount has at most two decimals."),
        ("1000000000000", "The amount is too large."),
        ("9" * 30, "The amount is too large."),
        ("1" * 500, "Type an amount such as 1,250.00."),
        ("", "This field is required."),
        ("   ", "This field is required."),
    ],
)
def test_it_refuses_what_is_not_an_amount_with_a_sentence(typed: str, message: str) -> None:
    assert errors_of({"amount": typed, "date": "today"}) == {"amount": [message]}


def test_a_money_field_may_allow_zero_and_be_optional() -> None:
    form = GiftForm({"amount": "5", "fee": "0", "date": "today"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["fee"] == D("0.00")
    assert GiftForm({"amount": "5", "fee": "", "date": "today"}).is_valid()
    assert errors_of({"amount": "5", "fee": "-1", "date": "today"}) == {
        "fee": ["The amount must not be negative."]
    }


def test_the_money_box_is_text_with_the_currency_sign_before_it() -> None:
    form = GiftForm(initial={"amount": D("250")})
    html = str(form["amount"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'value="250.00"' in html
    assert '<div class="input-group money-input">' in html
    assert 'id="id_amount_currency"' in html
    assert ">$</span>" in html
    assert 'aria-describedby="id_amount_currency' in html
    money_field(form, "amount").currency = "EUR"
    assert ">€</span>" in str(form["amount"])
    assert currency_sign("chf") == "CHF"
    assert currency_sign("GBP") == "£"


TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", TODAY),
        (" Today ", TODAY),
        ("yesterday", date(2026, 12, 4)),
        ("12/4", date(2026, 12, 4)),
        ("1/1", date(2026, 1, 1)),
        ("12/4/2026", date(2026, 12, 4)),
        ("12/4/25", date(2025, 12, 4)),
        ("2026-12-04", date(2026, 12, 4)),
        ("2026-1-4", date(2026, 1, 4)),
        ("12/20", date(2026, 12, 20)),  # 15 days ahead: a post-dated check, this year
        ("1/4", date(2026, 1, 4)),
    ],
)
def test_it_reads_dates_as_people_type_them(typed: str, expected: date) -> None:
    assert parse_typed_date(typed, today=TODAY) == expected


def test_a_month_and_day_far_ahead_is_last_years() -> None:
    """In January, December's gifts are being caught up: 12/28 is the one just past."""
    january = date(2027, 1, 5)
    assert parse_typed_date("12/28", today=january) == date(2026, 12, 28)
    assert parse_typed_date("1/20", today=january) == date(2027, 1, 20)  # 15 days ahead
    assert parse_typed_date("2/10", today=january) == date(2026, 2, 10)  # 36 days ahead
    assert parse_typed_date("2/10", today=january, future_days=40) == date(2027, 2, 10)
    # A leap day without a leap day last year stays this year's.
    assert parse_typed_date("2/29", today=date(2028, 1, 2)) == date(2028, 2, 29)


@pytest.mark.parametrize(
    "typed",
    ["tomorrow", "13/1", "2/30", "2/29", "0/5", "12/4/0000", "2026-13-01", "4 Dec", "12//4", "1"],
)
def test_it_refuses_what_is_not_a_date(typed: str) -> None:
    assert parse_typed_date(typed, today=TODAY) is None


def test_the_date_field_says_which_forms_it_takes() -> None:
    assert errors_of({"amount": "5", "date": "soon"}) == {
        "date": ["Type a date as today, yesterday, 12/4 (month/day), 12/4/2026 or 2026-12-04."]
    }
    assert "date" in errors_of({"amount": "5", "date": "1/1" * 100})
    assert errors_of({"amount": "5", "date": ""}) == {"date": ["This field is required."]}


def test_today_is_the_organizations_day() -> None:
    """At 02:00 UTC on 5 December it is still 4 December in New York."""
    form = GiftForm({"amount": "5", "date": "today"})
    text_date_field(form, "date").time_zone = "America/New_York"
    two_am = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=two_am):
        assert form.is_valid(), form.errors
        assert form.cleaned_data["date"] == date(2026, 12, 4)
        assert today_in("Asia/Tokyo") == date(2026, 12, 5)
        assert today_in("No/Such_Zone") == date(2026, 12, 5)


def test_the_date_box_is_one_text_input_with_a_hint() -> None:
    form = GiftForm(initial={"date": date(2026, 12, 4)})
    html = str(form["date"])
    assert html.count("<input") == 1
    assert 'type="text"' in html
    assert 'value="2026-12-04"' in html
    assert form["date"].help_text == "Such as today, 12/4 or 2026-12-04."
