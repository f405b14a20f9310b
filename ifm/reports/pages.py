"""Every report's page: its filter form, its table and its export links, drawn by one template."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from ifm.accounts.http import OrgRequest
from ifm.reports.export import FORMATS
from ifm.reports.report import Report


def render_report(
    request: OrgRequest, name: str, form: Any, report: Report, **extra: Any
) -> HttpResponse:
    """The page of report `name` (its URL name in the `reports` namespace); `extra` goes to the
    template (`intro`, a sentence above the table; `actions`, buttons beside the exports)."""
    return render(
        request,
        "reports/statement.html",
        {
            "form": form,
            "report": report,
            "rows": [(row, [row.value(c.key) for c in report.columns]) for row in report.rows],
            "exports": [(fmt, f"reports:{name}_{fmt}") for fmt in FORMATS],
            "width": len(report.columns) + 1,
            **extra,
        },
    )
