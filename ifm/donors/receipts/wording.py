"""The wording of donation receipts, following IRS Publication 1771.

Pure functions over plain values, so every rule is testable without a database:

* cash gifts state their date and amount; non-cash gifts (in-kind, stock) a description and
  never a value (valuing them is the donor's job);
* every gift carries the goods-or-services statement: none were provided, or their description
  and good-faith estimate of value, or (for churches and ministries that set the flag, when
  nothing else was given) that only intangible religious benefits were provided;
* a payment of more than $75 that partly bought goods or services carries the quid-pro-quo
  disclosure: only the amount above their value is deductible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NON_CASH_METHODS = frozenset({"in_kind", "stock"})
METHOD_LABELS = {
    "cash": "Cash",
    "check": "Check",
    "card": "Card",
    "bank_transfer": "Bank transfer",
    "online": "Online",
    "in_kind": "In-kind",
    "stock": "Stock",
}
QUID_PRO_QUO_THRESHOLD = Decimal("75.00")  # disclosure for payments OVER this amount
ACKNOWLEDGMENT_THRESHOLD = Decimal("250.00")  # written acknowledgment for gifts of this or more

NO_GOODS = "No goods or services were provided in exchange for this contribution."
NO_GOODS_PLURAL = "No goods or services were provided in exchange for these contributions."
RELIGIOUS_ONLY = (
    "Only intangible religious benefits were provided in exchange for this contribution."
)
RELIGIOUS_ONLY_PLURAL = (
    "Only intangible religious benefits were provided in exchange for these contributions."
)
RELIGIOUS_ALSO = "Intangible religious benefits were also provided."


def money(value: Decimal) -> str:
    """$1,250.00"""
    return f"${value.quantize(Decimal('0.01')):,}"


@dataclass(frozen=True)
class Gift:
    """One donation as a receipt sees it."""

    date: date
    amount: Decimal
    method: str
    description: str = ""
    goods_services_description: str = ""
    goods_services_value: Decimal = Decimal("0")

    @property
    def is_cash(self) -> bool:
        return self.method not in NON_CASH_METHODS

    @property
    def has_goods(self) -> bool:
        return self.goods_services_value > 0 or bool(self.goods_services_description.strip())

    @property
    def deductible_amount(self) -> Decimal:
        return max(self.amount - self.goods_services_value, Decimal("0"))


def needs_quid_pro_quo(gift: Gift) -> bool:
    """A payment of more than $75 made partly for goods or services (IRC 6115)."""
    return gift.is_cash and gift.amount > QUID_PRO_QUO_THRESHOLD and gift.goods_services_value > 0


def needs_acknowledgment(amount: Decimal) -> bool:
    """A single contribution of $250 or more needs a contemporaneous written acknowledgment."""
    return amount >= ACKNOWLEDGMENT_THRESHOLD


def goods_statement(gift: Gift, *, religious_only: bool) -> str:
    if gift.has_goods:
        what = gift.goods_services_description.strip() or "goods or services"
        text = (
            f"In exchange for this contribution we provided {what}, "
            f"with a good-faith estimated value of {money(gift.goods_services_value)}."
        )
        return f"{text} {RELIGIOUS_ALSO}" if religious_only else text
    return RELIGIOUS_ONLY if religious_only else NO_GOODS


def quid_pro_quo_disclosure(gift: Gift) -> str:
    if not needs_quid_pro_quo(gift):
        return ""
    return (
        "The amount of this contribution that is deductible for federal income tax purposes is "
        f"limited to the excess of the amount paid ({money(gift.amount)}) over the value of the "
        f"goods or services provided ({money(gift.goods_services_value)}): "
        f"{money(gift.deductible_amount)}."
    )


def gift_lines(gifts: Iterable[Gift], *, religious_only: bool) -> list[dict[str, str]]:
    """Each gift as the strings a letter shows. Non-cash gifts have no amount, by design."""
    lines = []
    for gift in gifts:
        lines.append(
            {
                "date": gift.date.isoformat(),
                "date_display": f"{gift.date:%B} {gift.date.day}, {gift.date.year}",
                "kind": "cash" if gift.is_cash else "non-cash",
                "method": gift.method,
                "method_label": METHOD_LABELS.get(gift.method, gift.method),
                "amount": money(gift.amount) if gift.is_cash else "",
                "description": gift.description.strip(),
                "goods_statement": goods_statement(gift, religious_only=religious_only),
                "quid_pro_quo": quid_pro_quo_disclosure(gift),
                "deductible_amount": money(gift.deductible_amount) if gift.is_cash else "",
            }
        )
    return lines


def summary_statement(gifts: list[Gift], *, religious_only: bool) -> str:
    """The one goods-or-services sentence for a whole letter when no gift bought anything;
    empty when some did (each gift's own statement then says what)."""
    if any(g.has_goods for g in gifts):
        return ""
    plural = len(gifts) > 1
    if religious_only:
        return RELIGIOUS_ONLY_PLURAL if plural else RELIGIOUS_ONLY
    return NO_GOODS_PLURAL if plural else NO_GOODS


def totals(gifts: list[Gift]) -> dict[str, str]:
    cash = [g for g in gifts if g.is_cash]
    total = sum((g.amount for g in cash), Decimal("0"))
    deductible = sum((g.deductible_amount for g in cash), Decimal("0"))
    return {
        "cash_total": money(total),
        "deductible_total": money(deductible),
        "non_cash_count": str(len(gifts) - len(cash)),
    }
