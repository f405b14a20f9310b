"""A cell of an imported file as a typed value: money, dates, yes/no, payment methods.
A value that cannot be read is a ValueProblem whose message the dry run shows."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from ifm.core.money import MoneyError
from ifm.core.money import parse_money as core_parse_money


class ValueProblem(ValueError):
    pass


def parse_money(text: str) -> Decimal:
    """An amount in an imported file (ifm.core.money's text rules); rows check its sign."""
    try:
        return core_parse_money(text, text=True, allow_negative=True, allow_zero=True)
    except MoneyError as exc:
        raise ValueProblem(exc.message) from None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%B %d, %Y",
)


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_date(text: str) -> date:
    raw = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", raw):
        raw = raw[:10]  # "2024-03-01 00:00:00" (CiviCRM), "2024-03-01T10:00:00Z"
    if _ISO_DATE.match(raw):  # the common case, without strptime's cost
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a date (no such day).") from None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(f"{text!r} is not a date (use YYYY-MM-DD or MM/DD/YYYY).")


_TRUE = {"1", "y", "yes", "true", "t", "x", "checked"}
_FALSE = {"", "0", "n", "no", "false", "f"}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueProblem(f"{text!r} is not yes or no.")


_METHODS = {
    "cash": "cash",
    "check": "check",
    "cheque": "check",
    "chk": "check",
    "ck": "check",
    "card": "card",
    "creditcard": "card",
    "credit": "card",
    "debitcard": "card",
    "visa": "card",
    "mastercard": "card",
    "amex": "card",
    "americanexpress": "card",
    "discover": "card",
    "cc": "card",
    "banktransfer": "bank_transfer",
    "bank": "bank_transfer",
    "ach": "bank_transfer",
    "eft": "bank_transfer",
    "wire": "bank_transfer",
    "wiretransfer": "bank_transfer",
    "directdebit": "bank_transfer",
    "online": "online",
    "paypal": "online",
    "stripe": "online",
    "web": "online",
    "website": "online",
    "inkind": "in_kind",
    "giftinkind": "in_kind",
    "noncash": "in_kind",
    "stock": "stock",
    "securities": "stock",
    "stockgift": "stock",
    "": "",
    "gift": "",  # LGL's and DonorPerfect's gift type "Gift"/"G" says nothing of the method
    "g": "",
    "donation": "",
}


def parse_method(text: str, *, has_check_number: bool) -> str:
    key = re.sub(r"[^a-z]", "", text.lower())
    default = "check" if has_check_number else "cash"
    if key in _METHODS:
        return _METHODS[key] or default
    raise ValueProblem(
        f"{text!r} is not a payment method (cash, check, card, bank transfer, online, "
        "in-kind, stock)."
    )
