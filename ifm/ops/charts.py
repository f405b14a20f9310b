"""The operations page's charts: the reports' server-rendered SVG (ifm.reports.charts.svg)
over the last 24 hours, hour by hour."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from ifm.reports.charts.svg import Chart, Series, bar_chart, line_chart


def overview_charts(data: dict[str, Any]) -> list[Chart]:
    hours = data["hourly"]
    labels = [f"{timezone.localtime(h['hour']):%H:00}" for h in hours]
    # Every third hour named on the axis, so the labels do not run into each other.
    axis = [label if i % 3 == 0 else "" for i, label in enumerate(labels)]
    requests = [Decimal(h["requests"]) for h in hours]
    errors = [Decimal(h["errors_5xx"]) for h in hours]
    p95 = [Decimal(str(h["p95_ms"])) for h in hours]
    return [
        bar_chart(
            key="ops-requests",
            title="Requests per hour, last 24 hours",
            labels=labels,
            axis_labels=axis,
            series=[Series("Requests", requests), Series("5xx answers", errors)],
        ),
        line_chart(
            key="ops-p95",
            title="p95 response time per hour (ms), last 24 hours",
            labels=labels,
            axis_labels=axis,
            series=[Series("p95 ms", p95)],
        ),
    ]
