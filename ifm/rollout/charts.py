"""The rollout metrics over time: the reports' server-rendered SVG charts (ifm.reports.charts.svg,
each with its table of figures for screen readers), one per series of the window's days, with
the phase's target drawn beside the figure where it has one. A day with nothing counted is
drawn as a gap and read as "no data", never as zero."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ifm.reports.charts.svg import Chart, Series, bar_chart, line_chart
from ifm.rollout.targets import Target


def _dec(value: float | None, scale: int = 1) -> Decimal | None:
    return None if value is None else Decimal(str(value)) * scale


def _target(target: Target | None, count: int, scale: int = 1) -> list[Series]:
    if target is None:
        return []
    return [Series(f"Target {target.text}", [Decimal(str(target.threshold)) * scale] * count)]


def metric_charts(
    daily: list[dict[str, Any]], targets: dict[str, Target] | None = None, *, key: str = "ro"
) -> list[Chart]:
    """Active users and adoption, requests and the error rate, the API's p95, real users' page
    load and support tickets, day by day."""
    targets = targets or {}
    labels = [d["day"] for d in daily]
    step = max(1, len(labels) // 8)
    axis = [label[5:] if i % step == 0 else "" for i, label in enumerate(labels)]
    n = len(daily)

    def line(name: str, title: str, series: list[Series]) -> Chart:
        return line_chart(
            key=f"{key}-{name}", title=title, labels=labels, axis_labels=axis, series=series
        )

    def bars(name: str, title: str, series: list[Series]) -> Chart:
        return bar_chart(
            key=f"{key}-{name}", title=title, labels=labels, axis_labels=axis, series=series
        )

    adoption_target = targets.get("daily_active")
    return [
        bars(
            "active",
            "Active users per day",
            [Series("Active users", [Decimal(d["active_users"]) for d in daily])],
        ),
        line(
            "adoption",
            "Adoption per day (%, active users ÷ active members)",
            [
                Series("Adoption %", [_dec(d["adoption"], 100) for d in daily]),
                *_target(adoption_target, n, 100),
            ],
        ),
        bars(
            "requests",
            "Requests and 5xx answers per day",
            [
                Series("Requests", [_dec(d["requests"]) for d in daily]),
                Series("5xx answers", [_dec(d["errors_5xx"]) for d in daily]),
            ],
        ),
        line(
            "errors",
            "Error rate per day (%)",
            [
                Series("Error rate %", [_dec(d["error_rate"], 100) for d in daily]),
                *_target(targets.get("error_rate"), n, 100),
            ],
        ),
        line(
            "api",
            "API p95 per day (ms)",
            [
                Series("API p95 ms", [_dec(d["api_p95_ms"]) for d in daily]),
                *_target(targets.get("api_p95_ms"), n),
            ],
        ),
        line(
            "lcp",
            "Page load (LCP) p75 per day (ms), real users",
            [
                Series("LCP p75 ms", [_dec(d["page_load_p75_ms"]) for d in daily]),
                *_target(targets.get("page_load_p75_ms"), n),
            ],
        ),
        line(
            "tickets",
            "Support tickets opened per day",
            [
                Series("Tickets", [Decimal(d["tickets"]) for d in daily]),
                *_target(targets.get("tickets_per_day"), n),
            ],
        ),
    ]
