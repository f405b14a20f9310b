"""Amounts and dates as banks write them in spreadsheets and CSV exports.

`text_amount` reads what a person sees in a bank's export and leaves the number rules (digits,
thousands groups, at most two decimals, the largest amount) to the one money parser,
`ifm.core.money.parse_money`. What it handles before that, each seen in real exports:

- a minus sign before or after the currency sign (`-$7,971.39`, `$-7,971.39`), a trailing minus
  (`1,234.56-`), accounting parentheses (`(1,234.56)`), a plus sign, the Unicode minus;
- `CR`/`DR` after the number (or before it): credit is money in, debit money out;
- currency signs and ISO codes around the number (`$`, `€`, `£`, `USD 12.00`, `12.00 EUR`);
- a decimal comma (`1.234,56`, `1 234,56`, `1'234,56`) when the profile says so, and spaces,
  no-break spaces or apostrophes between thousands in either style.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from ifm.core.money import CENT, MoneyError, parse_money

_CURRENCY = re.compile(r"^(?:[$€£¥]|[A-Z]{3})|(?:[$€£¥]|[A-Z]{3})$")
_GROUP_MARKS = re.compile(r"[ \u00a0\u202f\u2009']")
_SPACE_GROUPS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?")
_SWAP_POINT_COMMA = str.maketrans({",": ".", ".": ","})
_PLAIN_POINT = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?")
_PLAIN_COMMA = re.compile(r"-?\d{1,12}(?:,\d{1,2})?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]*)?")
EXCEL_EPOCH = date(1899, 12, 30)

_REASONS = {
    "not_a_number": "is not an amount",
    "decimals": "has more than two decimals",
    "too_large": "is too large",
}


class AmountError(ValueError):
    """A cell that is not an amount; the message says why, for the problem list."""


def to_cents(amount: Decimal) -> Decimal:
    """An amount rounded to cents (half away from zero), the precision the ledger keeps."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _sign_and_body(text: str) -> tuple[bool, str]:
    """Strip every way of writing a sign and a currency; True when the amount is negative."""
    body = text.strip().replace("\u2212", "-").upper()
    signs = 0
    if body.startswith("(") and body.endswith(")"):
        body, signs = body[1:-1].strip(), 1
    for marker in ("CR", "DR"):
        if body.endswith(marker) and not body[-3:-2].isalpha():
            body, signs = body[:-2].strip(), signs + (marker == "DR")
        elif body.startswith(marker) and not body[2:3].isalpha():
            body, signs = body[2:].strip(), signs + (marker == "DR")
    for _ in range(3):
        stripped = _CURRENCY.sub("", body).strip()
        if stripped.endswith("-"):
            stripped, signs = stripped[:-1].strip(), signs + 1
        elif stripped.startswith("-"):
            stripped, signs = stripped[1:].strip(), signs + 1
        elif stripped.startswith("+"):
            stripped = stripped[1:].strip()
        if stripped == body:
            break
        body = stripped
    if signs > 1:
        raise AmountError(f"{text.strip()!r} has more than one sign")
    return signs == 1, body


def text_amount(text: str, *, decimal_comma: bool = False) -> Decimal:
    """The signed amount a cell spells, in cents; AmountError saying why not."""
    plain = (_PLAIN_COMMA if decimal_comma else _PLAIN_POINT).fullmatch(text)
    if plain:  # the common case, "-12.50", read without the money parser's detours
        value = Decimal(text.replace(",", ".")).quantize(CENT)
        return value if value else abs(value)  # "-0" is 0.00
    negative, body = _sign_and_body(text)
    if not body:
        raise AmountError(f"{text.strip()!r} is not an amount")
    number = _GROUP_MARKS.sub("", body) if _SPACE_GROUPS.fullmatch(body) else body
    if decimal_comma:
        number = number.translate(_SWAP_POINT_COMMA)
    try:
        amount = parse_money(number, text=True, allow_zero=True)
    except MoneyError as exc:
        reason = _REASONS.get(exc.reason, "is not an amount")
        hint = ""
        if exc.reason in ("not_a_number", "decimals") and not decimal_comma and "," in body:
            hint = ": if the bank writes 12,50 for twelve and a half, set the decimal comma"
        elif exc.reason == "decimals" and decimal_comma and "." in body:
            hint = ": the profile reads a comma as the decimal point; is that right for this file?"
        raise AmountError(f"{text.strip()!r} {reason}{hint}") from None
    return -amount if negative and amount else amount


def machine_number(text: str) -> Decimal | None:
    """A workbook number cell's value (written with a point, maybe with float noise such as
    7971.390000000001) in cents, or None when the cell is not a plain number."""
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        return None
    cents = to_cents(value)
    return cents if abs(value - cents) < Decimal("0.000001") else None


@lru_cache(maxsize=4096)  # a statement's rows share few dates
def text_date(text: str, date_format: str, *, workbook: bool = False) -> date:
    """The date a cell spells in the profile's format (a time after it is ignored); a
    workbook's real dates (shown as YYYY-MM-DD) and date serial numbers are read too."""
    value = text.strip()
    if workbook:
        iso = _ISO_DATE.fullmatch(value)
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if value.isdigit() and 1 <= int(value) <= 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
    try:
        return datetime.strptime(value, date_format).date()
    except ValueError:
        head = value.split(" ", 1)[0].split("T", 1)[0]
        if head != value:
            return datetime.strptime(head, date_format).date()
        raise


def shown_format(date_format: str) -> str:
    """A strptime format as people write it: %d/%m/%Y → DD/MM/YYYY."""
    for code, shown in (
        ("%d", "DD"),
        ("%m", "MM"),
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%b", "Mon"),
        ("%B", "Month"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
        ("%j", "DDD"),
    ):
        date_format = date_format.replace(code, shown)
    return date_format
