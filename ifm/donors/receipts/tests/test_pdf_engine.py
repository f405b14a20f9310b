"""The letter engine: the letters' style sheet, parsed once per process, still shapes every
letter, and a template's own styles still win over it."""

from __future__ import annotations

import io

from pypdf import PdfReader

from ifm.donors.receipts.pdf import LETTER_CSS, html_to_pdf, letter_document
from ifm.donors.receipts.pdf_engine import LETTER_STYLE

US_LETTER = (612, 792)  # points
A4 = (595, 842)


def _page_size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_a_letter_document_carries_the_letters_style_sheet_for_browsers() -> None:
    document = letter_document(["<p>Dear Ana,</p>"], title="Receipt 7")
    assert LETTER_STYLE in document
    assert "size: letter" in LETTER_CSS


def test_a_letter_is_laid_out_by_the_letters_style_sheet() -> None:
    pdf = html_to_pdf(letter_document(["<p>Dear Ana,</p>"], title="Receipt 7"))
    assert _page_size(pdf) == US_LETTER
    # Without the letters' sheet WeasyPrint's default page is A4: the sheet did apply.
    assert _page_size(html_to_pdf("<!doctype html><p>Dear Ana,</p>")) == A4


def test_a_templates_own_style_overrides_the_letters_style_sheet() -> None:
    body = "<style>@page { size: A4; }</style><p>Dear Ana,</p>"
    assert _page_size(html_to_pdf(letter_document([body], title="Receipt 7"))) == A4


def test_the_same_letter_makes_the_same_bytes() -> None:
    document = letter_document(["<p>Dear Ana,</p><table class='gifts'></table>"], title="R 1")
    assert html_to_pdf(document) == html_to_pdf(document)
