"""Every report's files: the same `Report` as CSV or Excel, each figure a number."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from django.http import HttpResponseBase

from ifm.accounts.http import OrgRequest
from ifm.core import exports
from ifm.core.org_context import org_context
from ifm.reports.report import Report

FORMATS = ("csv", "xlsx")


def export_rows(report: Report) -> Iterator[list[Any]]:
    """The report as a table: sections as a label alone, every figure a number."""
    for row in report.rows:
        if row.kind == "section":
            yield [row.label]
        else:
            yield [row.label, *(row.value(column.key) for column in report.columns)]


def report_file(request: OrgRequest, report: Report, fmt: str, name: str) -> HttpResponseBase:
    """`report` as a download named after `name` and the organization."""
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
    return exports.xlsx_response(header, export_rows(report), filename=filename, title=report.title)
