"""IRS Publication 1771 wording rules, as pure functions (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ifm.donors.receipts import wording as w


def gift(amount: str, method: str = "check", **extra: object) -> w.Gift:
    return w.Gift(date=date(2025, 3, 14), amount=Decimal(amount), method=method, **extra)  # type: ignore[arg-type]


def test_cash_gift_states_amount_and_no_goods() -> None:
    [line] = w.gift_lines([gift("500.00")], religious_only=False)
    assert line["amount"] == "$500.00"
    assert line["date_display"] == "March 14, 2025"
    assert line["goods_statement"] == (
        "No goods or services were provided in exchange for this contribution."
    )
    assert line["quid_pro_quo"] == ""
    assert w.summary_statement([gift("500.00")], religious_only=False) == w.NO_GOODS


def test_partly_deductible_gift_describes_goods_with_value_and_discloses() -> None:
    g = gift(
        "150.00", goods_services_description="a gala dinner", goods_services_value=Decimal("60")
    )
    [line] = w.gift_lines([g], religious_only=False)
    assert "a gala dinner" in line["goods_statement"]
    assert "good-faith estimated value of $60.00" in line["goods_statement"]
    assert "$150.00" in line["quid_pro_quo"]
    assert "$60.00" in line["quid_pro_quo"]
    assert line["quid_pro_quo"].endswith("$90.00.")
    assert line["deductible_amount"] == "$90.00"
    # Some gift bought something: no blanket "no goods or services" sentence.
    assert w.summary_statement([g], religious_only=False) == ""


def test_non_cash_gift_has_description_and_no_value() -> None:
    g = gift("1500.00", method="in_kind", description="Two used laptops")
    [line] = w.gift_lines([g], religious_only=False)
    assert line["kind"] == "non-cash"
    assert line["description"] == "Two used laptops"
    assert line["amount"] == ""
    assert line["deductible_amount"] == ""
    assert "1,500" not in " ".join(line.values())
    stock = gift("9000.00", method="stock", description="100 shares of ACME")
    assert w.gift_lines([stock], religious_only=False)[0]["amount"] == ""
    assert w.totals([g, stock])["cash_total"] == "$0.00"


def test_intangible_religious_benefits_only_when_nothing_else_given() -> None:
    [line] = w.gift_lines([gift("40.00")], religious_only=True)
    assert line["goods_statement"] == (
        "Only intangible religious benefits were provided in exchange for this contribution."
    )
    assert w.summary_statement([gift("1"), gift("2")], religious_only=True) == (
        w.RELIGIOUS_ONLY_PLURAL
    )
    # Goods were given as well: they are described, and the religious benefits mentioned.
    g = gift("100.00", goods_services_description="a book", goods_services_value=Decimal("20"))
    [line] = w.gift_lines([g], religious_only=True)
    assert "a book" in line["goods_statement"]
    assert "Only intangible" not in line["goods_statement"]
    assert w.RELIGIOUS_ALSO in line["goods_statement"]


def test_quid_pro_quo_applies_only_over_75_dollars() -> None:
    at_75 = gift(
        "75.00", goods_services_description="a T-shirt", goods_services_value=Decimal("10")
    )
    over = gift("75.01", goods_services_description="a T-shirt", goods_services_value=Decimal("10"))
    assert not w.needs_quid_pro_quo(at_75)
    assert w.quid_pro_quo_disclosure(at_75) == ""
    assert w.needs_quid_pro_quo(over)
    assert "$65.01" in w.quid_pro_quo_disclosure(over)
    # Both still describe what was given and its value.
    assert "a T-shirt" in w.goods_statement(at_75, religious_only=False)
    # No goods: no disclosure whatever the amount.
    assert not w.needs_quid_pro_quo(gift("5000.00"))


def test_acknowledgment_threshold_is_250() -> None:
    assert w.needs_acknowledgment(Decimal("250.00"))
    assert not w.needs_acknowledgment(Decimal("249.99"))


def test_totals_count_cash_and_deductible() -> None:
    gifts = [
        gift("100.00", goods_services_value=Decimal("25")),
        gift("50.00"),
        gift("700.00", method="stock", description="shares"),
    ]
    assert w.totals(gifts) == {
        "cash_total": "$150.00",
        "deductible_total": "$125.00",
        "non_cash_count": "1",
    }
