"""A workbook's sheet is named after its report whatever characters the title holds: Excel's
forbidden ones are replaced, and the file opens."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ifm.core.exports import sheet_title, xlsx_response


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Budget vs. actual: FY2026", "Budget vs. actual  FY2026"),
        ("a/b\\c?d*e[f]g", "a b c d e f g"),
        ("'quoted'", "quoted"),
        (":::", "Sheet"),
        ("x" * 40, "x" * 31),
    ],
)
def test_sheet_titles_are_what_excel_accepts(title: str, expected: str) -> None:
    assert sheet_title(title) == expected


def test_a_title_with_a_colon_still_makes_a_workbook() -> None:
    response = xlsx_response(
        ["Account", "Amount"], [["Rent", Decimal("12.50")]], filename="t", title="LYBUNT: 2026"
    )
    body = response.content
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["LYBUNT  2026"]
    assert book.active["B2"].value == 12.5
