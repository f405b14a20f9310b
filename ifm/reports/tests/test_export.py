"""Every report's files: the workbook keeps figures as numbers, the PDF reads back with the
organization, the period, the figures and page numbers, and draws the page's charts above its
table."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ifm.conftest import client_for
from ifm.reports.charts.svg import PALETTE
from ifm.reports.export import report_pdf, report_pdf_html
from ifm.reports.financial.cash_flow import cash_flow
from ifm.reports.financial.charts import activities_charts
from ifm.reports.financial.selectors import statement_of_activities
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

PAGES = ["financial_position", "activities", "functional_expenses", "cash_flow"]
TODAY = date.today()


def _url(name: str, slug: str = "alpha") -> str:
    return reverse(f"reports:{name}", kwargs={"org_slug": slug})


def _pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_workbook_keeps_numbers_totals_and_frozen_header(posted: Organization, cast: Any) -> None:
    response = client_for(cast["finance"]).get(_url("activities_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="statement-of-activities-alpha.xlsx"'
    )
    sheet: Any = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    total = rows["Total expenses"]
    assert [cell.value for cell in total[1:]] == [500, 0, 500]
    assert all(cell.data_type == "n" for cell in total[1:])
    assert total[3].number_format == "#,##0.00"
    assert total[0].font.b  # a subtotal is bold, a line is not
    assert not rows["4010 Individual contributions - without donor restrictions"][0].font.b
    assert rows["Revenue and support"][0].font.b
    assert rows["Change in net assets"][3].value == 750


@pytest.mark.parametrize("name", PAGES)
def test_every_statement_has_a_pdf(posted: Organization, cast: Any, name: str) -> None:
    response = client_for(cast["viewer"]).get(_url(f"{name}_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pages, text = _pdf_text(response.content)
    assert pages == 1
    assert "Alpha" in text  # the organization's name, in the header
    assert "Page 1 of 1" in text
    assert "999,999" not in text


def _fills(content: bytes) -> set[str]:
    """The colors (#rrggbb) the PDF's pages fill shapes and text with."""
    colors = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        data = page.get_contents().get_data()  # type: ignore[union-attr]
        for rgb in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", data):
            colors.add("#" + "".join(f"{round(float(v) * 255):02x}" for v in rgb))
    return colors


def test_pdf_draws_the_charts_above_the_table(posted: Organization, cast: Any) -> None:
    response = client_for(cast["viewer"]).get(_url("activities_pdf"))
    pages, text = _pdf_text(response.content)
    assert pages == 1
    assert "Page 1 of 1" in text
    # The bars of both series are painted, in the chart's colors; the captions come first.
    assert {PALETTE[0], PALETTE[1]} <= _fills(response.content)
    first_row = text.index("Revenue and support\n")
    assert text.index("Revenue and expenses by month") < first_row
    assert text.index("Expenses by function") < first_row
    # The same statement without its charts: no chart colors, a smaller file.
    report = statement_of_activities(date_from=date(TODAY.year, 1, 1), date_to=TODAY)
    bare = report_pdf(report, organization_name="Alpha", currency="USD")
    assert not {PALETTE[0], PALETTE[1]} & _fills(bare)
    assert len(response.content) > len(bare) + 2000


def test_pdf_html_places_each_chart_before_the_table(posted: Organization) -> None:
    start = date(TODAY.year, 1, 1)
    report = statement_of_activities(date_from=start, date_to=TODAY)
    charts = activities_charts(date_from=start, date_to=TODAY)
    html = report_pdf_html(report, organization_name="Alpha", currency="USD", charts=charts)
    assert html.count("<svg") == 2
    assert html.index('id="chart-expenses-by-function"') < html.index("<table>")
    assert "<script" not in html
    bare = report_pdf_html(report, organization_name="Alpha", currency="USD")
    assert "<svg" not in bare
    assert "<figure" not in bare


def test_a_report_without_charts_has_none_in_its_pdf(posted: Organization, cast: Any) -> None:
    response = client_for(cast["viewer"]).get(_url("cash_flow_pdf"))
    assert not set(PALETTE) & _fills(response.content)
    _, text = _pdf_text(response.content)
    assert "Statement of cash flows" in text
    report = cash_flow(date_from=date(TODAY.year, 1, 1), date_to=TODAY)
    assert "<svg" not in report_pdf_html(report, organization_name="Alpha", currency="USD")


def test_pdf_of_activities_shows_the_period_and_figures(posted: Organization, cast: Any) -> None:
    response = client_for(cast["finance"]).get(
        _url("activities_pdf"), {"date_from": "2000-01-01", "compare": "prior_year"}
    )
    _, text = _pdf_text(response.content)
    assert "Statement of activities" in text
    assert "2000-01-01 to" in text
    assert "1,250.00" in text
    assert "750.00" in text  # the change in net assets


def test_pdf_is_refused_to_roles_without_the_report(posted: Organization, cast: Any) -> None:
    assert client_for(cast["fundraising"]).get(_url("activities_pdf")).status_code == 403
    assert client_for(cast["other_admin"]).get(_url("activities_pdf")).status_code == 404


def test_the_page_links_each_file(posted: Organization, cast: Any) -> None:
    html = client_for(cast["finance"]).get(_url("activities"), {"compare": "prior_year"})
    text = html.content.decode()
    for fmt in ("csv", "xlsx", "pdf"):
        assert f"{_url(f'activities_{fmt}')}?compare=prior_year" in text
