"""The fundraising charts: the retention rate's trend and each campaign's progress towards its
goal. Each is drawn from the report beside it (no query of its own), so the chart and the
table hold the same numbers."""

from __future__ import annotations

from ifm.reports.charts.svg import Chart, Progress, Series, line_chart, progress_chart
from ifm.reports.report import Report


def retention_chart(report: Report) -> list[Chart]:
    """The retention rate per year of the donor retention report (none when nobody gave)."""
    if report.is_empty:
        return []
    return [
        line_chart(
            key="retention-trend",
            title="Donor retention rate by year",
            labels=[row.label for row in report.rows],
            series=[
                Series("Retention rate (%)", [row.value("retention_rate") for row in report.rows])
            ],
            description="Retained donors as a percentage of the year before's donors.",
        )
    ]


def campaign_chart(report: Report) -> list[Chart]:
    """Raised against goal for each campaign of the campaign report that has a goal."""
    items = [
        Progress(row.label, row.value("total"), row.values["goal"])
        for row in report.rows
        if row.key.startswith("campaign-") and row.values.get("goal")
    ]
    if not items:
        return []
    return [
        progress_chart(
            key="campaign-progress",
            title="Campaigns: raised against goal",
            items=items,
            description="Campaigns without a goal are in the table only.",
        )
    ]
