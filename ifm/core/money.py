"""The one money parser: amounts typed into forms, read from CSV files or given to services.

`parse_money(value, ...)` returns a Decimal with exactly two decimals or raises MoneyError,
whose `reason` says what is wrong and whose message says it to a person. Callers that have
their own wording (a CSV problem naming the row, an entry form's line) map the reason; the rule
itself lives only here.

The rules, the same for every caller:

- Values: a Decimal, an int or a string. A float (or bool) is refused ("float"): money is never
  binary floating point.
- Empty: None, "" or only spaces is refused ("blank"), unless the caller passes `blank=`, the
  value an empty field means (the ledger's debit/credit columns: `blank=ZERO`).
- Strings are a plain decimal: optional minus sign, digits, optional point and digits, with
  spaces around. No exponent ("1e3"), no "NaN" or "Infinity"; leading zeros are accepted.
- `text=True`, for what people type or export from other programs (forms, CSV): also a currency
  sign or code before or after the number ("$1,250.50", "12.00 USD"; $ € £, USD CAD EUR GBP),
  thousands separators in groups of three ("1,250" but not "1,25" or "12,50"), and accounting
  parentheses for a negative ("(10.00)").
- More than two decimals is refused ("decimals"), never rounded: "10.005" is an error, and
  "10.500" (the same value as 10.50) is accepted.
- Negative amounts are refused ("negative") unless `allow_negative=True`; zero is refused
  ("zero") unless `allow_zero=True`. Both checks look at the value, so "-0" is zero.
- Services call `clean_money(value, field, ...)`: the same rules, as a ServiceError naming the
  field. Services get Decimals from forms and API schemas, so they leave `text` off.
- Above MAX_MONEY (999,999,999,999.99) in size is refused ("too_large").

The API's money strings (`ifm.core.api_types.MONEY_PATTERN`) are a strict subset on purpose: the
wire format is canonical (no sign, no leading zeros, at most two decimal digits written), while
people's text may be looser. Every string the API pattern accepts, this parser accepts with the
same value.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from ifm.core.errors import ServiceError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_MONEY = Decimal("999999999999.99")

Reason = Literal["blank", "float", "not_a_number", "decimals", "negative", "zero", "too_large"]

_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?|-?\.[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_CURRENCY = re.compile(r"^(?:[$€£]|USD|CAD|EUR|GBP)\s*|\s*(?:[$€£]|USD|CAD|EUR|GBP)$", re.I)


class MoneyError(ValueError):
    """Not an amount; `reason` is one of Reason, `value` what was given (for messages)."""

    def __init__(self, message: str, *, reason: Reason, value: object) -> None:
        super().__init__(message)
        self.message = message
        self.reason: Reason = reason
        self.value = value


def _shown(value: object) -> str:
    return repr(str(value)[:40])


def _from_text(raw: str, *, text: bool) -> Decimal | None:
    """The number a string spells, or None when it spells none under the rules above."""
    body = raw.strip()
    if text:
        sign = ""
        if body.startswith("(") and body.endswith(")"):
            body, sign = body[1:-1].strip(), "-"
        elif body.startswith("-"):
            body, sign = body[1:].lstrip(), "-"
        body = _CURRENCY.sub("", body).strip()
        if _GROUPED.fullmatch(body):
            body = body.replace(",", "")
        body = sign + body
    if not _PLAIN.fullmatch(body):
        return None
    return Decimal(body)


def parse_money(
    value: object,
    *,
    blank: Decimal | None = None,
    text: bool = False,
    allow_negative: bool = False,
    allow_zero: bool = False,
) -> Decimal:
    """The amount `value` means, quantized to cents; MoneyError when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank is not None:
            return blank.quantize(CENT)
        raise MoneyError("Give an amount.", reason="blank", value=value)
    if isinstance(value, float | bool):
        raise MoneyError(
            "Give the amount as a decimal number, such as 12.50.", reason="float", value=value
        )
    amount: Decimal | None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        amount = _from_text(value, text=text)
    else:
        amount = None
    if amount is None or not amount.is_finite():
        raise MoneyError(f"{_shown(value)} is not an amount.", reason="not_a_number", value=value)
    if amount and amount.adjusted() >= 12:
        raise MoneyError("The amount is too large.", reason="too_large", value=value)
    if amount != amount.quantize(CENT):
        raise MoneyError("An amount has at most two decimals.", reason="decimals", value=value)
    if amount < 0 and not allow_negative:
        wording = "must not be negative" if allow_zero else "must be more than zero"
        raise MoneyError(f"The amount {wording}.", reason="negative", value=value)
    if amount == 0 and not allow_zero:
        raise MoneyError("The amount must be more than zero.", reason="zero", value=value)
    # adjusted() < 12 and two decimals at most: abs(amount) <= MAX_MONEY.
    return ZERO if amount == 0 else amount.quantize(CENT)


def clean_money(
    value: object,
    field: str,
    *,
    blank: Decimal | None = None,
    allow_negative: bool = False,
    allow_zero: bool = False,
) -> Decimal:
    """parse_money for services: a ServiceError naming `field` instead of MoneyError."""
    try:
        return parse_money(value, blank=blank, allow_negative=allow_negative, allow_zero=allow_zero)
    except MoneyError as exc:
        raise ServiceError(exc.message, field=field) from None
