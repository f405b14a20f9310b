"""Every report's page: its filter form, its charts, its table and its export links, drawn by
one template.

The filter form switches the period without reloading the page: HTMX asks for the same URL
with the new filters, the view answers only the part below the form (`reports/_report_body.html`)
and the browser's address follows (`hx-push-url`), so a link to the page opens the same report.
A history restore (htmx asking for a page it no longer holds) gets the whole page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest
from ifm.reports.charts.svg import Chart
from ifm.reports.export import FORMATS
from ifm.reports.report import Report

BODY_ID = "report-body"


def wants_fragment(request: OrgRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def render_report(
    request: OrgRequest,
    name: str,
    form: Any,
    report: Report,
    *,
    charts: Sequence[Chart] = (),
    **extra: Any,
) -> HttpResponse:
    """The page of report `name` (its URL name in the `reports` namespace); `charts` are drawn
    above the table (each with its figures as a table for screen readers); `extra` goes to the
    template (`intro`, a sentence above the table; `actions`, buttons beside the exports)."""
    fragment = wants_fragment(request)
    response = render(
        request,
        "reports/_report_body.html" if fragment else "reports/statement.html",
        {
            "form": form,
            "report": report,
            "rows": [(row, row.cells(report.columns)) for row in report.rows],
            "exports": [(fmt, f"reports:{name}_{fmt}") for fmt in FORMATS],
            "width": len(report.columns) + 1,
            "charts": charts,
            "body_id": BODY_ID,
            "fragment": fragment,
            **extra,
        },
    )
    # The same URL answers a whole page or the part below the form: caches must keep both.
    patch_vary_headers(response, ["HX-Request"])
    return response
