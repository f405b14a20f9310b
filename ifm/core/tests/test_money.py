"""The one money parser: what it accepts, what it refuses and why, the same for every caller."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ifm.core.api_types import MAX_MONEY as API_MAX_MONEY
from ifm.core.api_types import MONEY_PATTERN
from ifm.core.errors import ServiceError
from ifm.core.money import MAX_MONEY, ZERO, MoneyError, clean_money, parse_money

D = Decimal


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("12.50", D("12.50")),
        ("  7 ", D("7.00")),
        ("007.5", D("7.50")),
        (".5", D("0.50")),
        ("10.500", D("10.50")),
        (D("3.1"), D("3.10")),
        (D("1E+3"), D("1000.00")),
        (5, D("5.00")),
        ("999999999999.99", MAX_MONEY),
    ],
)
def test_plain_amounts(given: object, expected: Decimal) -> None:
    got = parse_money(given)
    assert got == expected
    assert got.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (None, "blank"),
        ("", "blank"),
        ("   ", "blank"),
        (12.5, "float"),
        (True, "float"),
        ("ten", "not_a_number"),
        ("1e3", "not_a_number"),
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        (D("NaN"), "not_a_number"),
        ("+5", "not_a_number"),
        ("5.", "not_a_number"),
        ("1,250.00", "not_a_number"),  # thousands separators only with text=True
        ("$5", "not_a_number"),  # currency signs only with text=True
        (b"5", "not_a_number"),
        ("10.005", "decimals"),
        (D("0.001"), "decimals"),
        ("-5", "negative"),
        ("0", "zero"),
        ("-0.00", "zero"),
        ("1000000000000", "too_large"),
        (D("1E+30"), "too_large"),
        ("-1000000000000", "too_large"),
    ],
)
def test_refusals_say_why(given: object, reason: str) -> None:
    with pytest.raises(MoneyError) as exc:
        parse_money(given)
    assert exc.value.reason == reason
    assert exc.value.message


def test_blank_means_what_the_caller_says() -> None:
    assert parse_money("", blank=ZERO) == ZERO
    assert parse_money(None, blank=ZERO) == ZERO
    assert parse_money(" ", blank=D("1.00")) == D("1.00")


def test_zero_and_negative_only_when_allowed() -> None:
    assert parse_money("0", allow_zero=True) == ZERO
    assert str(parse_money("-0", allow_zero=True)) == "0.00"
    assert parse_money("-5.25", allow_negative=True) == D("-5.25")
    with pytest.raises(MoneyError, match="must not be negative"):
        parse_money("-5", allow_zero=True)
    with pytest.raises(MoneyError, match="more than zero"):
        parse_money("-5")
    with pytest.raises(MoneyError) as exc:
        parse_money("0", allow_negative=True)
    assert exc.value.reason == "zero"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("$1,250.50", D("1250.50")),
        ("1,234,567", D("1234567.00")),
        ("€ 12", D("12.00")),
        ("12.00 USD", D("12.00")),
        ("cad 3", D("3.00")),
        ("(10.00)", D("-10.00")),
        ("($1,000)", D("-1000.00")),
        ("-$5", D("-5.00")),
        ("$-5", D("-5.00")),
        ("1250", D("1250.00")),
    ],
)
def test_text_accepts_what_people_type(given: str, expected: Decimal) -> None:
    assert parse_money(given, text=True, allow_negative=True) == expected


@pytest.mark.parametrize(
    "given", ["1,25", "12,50", "1,2,3", ",125", "1 250", "(-5)", "--5", "$$5", "5 dollars", "1e3"]
)
def test_text_refuses_what_could_be_misread(given: str) -> None:
    with pytest.raises(MoneyError) as exc:
        parse_money(given, text=True, allow_negative=True)
    assert exc.value.reason == "not_a_number"


def test_text_keeps_the_other_rules() -> None:
    with pytest.raises(MoneyError, match="two decimals"):
        parse_money("$1,250.505", text=True)
    with pytest.raises(MoneyError) as exc:
        parse_money("(10.00)", text=True)
    assert exc.value.reason == "negative"


def test_every_api_money_string_parses_to_its_value() -> None:
    assert API_MAX_MONEY == MAX_MONEY
    samples = ["0", "0.5", "0.05", "1", "12.5", "125.50", "999999999999.99", "100000000000"]
    for sample in samples:
        assert re.fullmatch(MONEY_PATTERN, sample)
        assert parse_money(sample, allow_zero=True) == D(sample)


def test_clean_money_names_the_field() -> None:
    assert clean_money("4.20", "amount") == D("4.20")
    assert clean_money(None, "lines[0].debit", blank=ZERO, allow_zero=True) == ZERO
    with pytest.raises(ServiceError) as exc:
        clean_money("1.005", "lines[0].debit")
    assert exc.value.errors == [
        {"field": "lines[0].debit", "message": "An amount has at most two decimals."}
    ]
