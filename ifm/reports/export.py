"""Every report's files: the same `Report` as CSV, Excel or PDF, each figure a number.

The workbook keeps figures as numbers with two decimals, its heading row frozen and its
subtotals and totals in bold (as values: a total is the figure the page shows, not a formula).
The PDF has the organization and the period at the top of every page and the page numbers at
the bottom, and the report's charts above its table (the page's SVG, placed in the HTML, which
WeasyPrint draws as vectors); WeasyPrint fetches nothing for it (only `data:` URLs would resolve,
and it has none).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone

from ifm.accounts.http import OrgRequest
from ifm.core import exports
from ifm.core.org_context import org_context
from ifm.reports.charts.svg import Chart
from ifm.reports.report import Report

# WeasyPrint reports every rendering step at INFO: keep only its warnings.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FORMATS = ("csv", "xlsx", "pdf")
PDF_TYPE = "application/pdf"
# A PDF page holds the label and about four figures across in portrait; wider reports turn.
PORTRAIT_COLUMNS = 4


def export_rows(report: Report) -> Iterator[list[Any]]:
    """The report as a table: sections as a label alone, every figure a number; sections,
    subtotals and totals marked bold (for the workbook)."""
    for row in report.rows:
        if row.kind == "section":
            yield exports.Bold([row.label])
            continue
        cells = [row.label, *(row.value(column.key) for column in report.columns)]
        yield cells if row.kind == "line" else exports.Bold(cells)


def report_pdf_html(
    report: Report, *, organization_name: str, currency: str, charts: Sequence[Chart] = ()
) -> str:
    """The HTML WeasyPrint draws `report_pdf` from."""
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "rows": [(row, row.shown(report.columns)) for row in report.rows],
            "width": len(report.columns) + 1,
            "organization_name": organization_name,
            "currency": currency,
            "landscape": len(report.columns) > PORTRAIT_COLUMNS,
            "printed_at": timezone.localtime(),
            "charts": charts,
        },
    )


def report_pdf(
    report: Report, *, organization_name: str, currency: str, charts: Sequence[Chart] = ()
) -> bytes:
    """The report as a PDF: its charts, then the table with its sections, subtotals and totals,
    figures aligned right, the organization and period in each page's header and "Page n of m"
    at the foot."""
    html = report_pdf_html(
        report, organization_name=organization_name, currency=currency, charts=charts
    )
    # WeasyPrint takes about 0.8 s to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=5)
    pdf: bytes = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
    return pdf


def report_file(
    request: OrgRequest, report: Report, fmt: str, name: str, *, charts: Sequence[Chart] = ()
) -> HttpResponseBase:
    """`report` as a download named after `name` and the organization; the PDF draws `charts`
    above the table (the spreadsheets are the table alone)."""
    org = request.org
    header = [report.period, *(column.label for column in report.columns)]
    filename = f"{name}-{org.slug}"
    if fmt == "csv":
        return exports.csv_response(
            header,
            partial(export_rows, report),
            filename=filename,
            scope=partial(org_context, org),
        )
    if fmt == "xlsx":
        return exports.xlsx_response(
            header, export_rows(report), filename=filename, title=report.title, widths=(48,)
        )
    if fmt == "pdf":
        pdf = report_pdf(report, organization_name=org.name, currency=org.currency, charts=charts)
        response = HttpResponse(pdf, content_type=PDF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    raise ValueError(f"No export format {fmt!r}: one of {', '.join(FORMATS)}")
