"""The rollout plan's metrics for a phase, an organization or everyone over a window: usage from
ifm.ops (adoption, feature usage, task completion, error rate, API p95, page loads) and the
support desk's tickets and satisfaction, each from its own selector (the pages and
`GET /api/v1/platform/metrics` read this)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ifm.core.org_context import all_organizations
from ifm.ops.usage_metrics import usage_metrics, window
from ifm.rollout.models import OrganizationRollout, Phase
from ifm.support.bugs import bug_counts
from ifm.support.selectors import satisfaction_figures, support_metrics
from ifm.tenancy.models import Organization


def _support_overall(rows: list[dict[str, Any]], days: int) -> dict[str, Any]:
    tickets = sum(r["tickets"] for r in rows)

    def part(kind: str) -> tuple[int, int]:
        return (
            sum(r["satisfaction"][kind]["total"] for r in rows),
            sum(r["satisfaction"][kind]["count"] for r in rows),
        )

    return {
        "tickets": tickets,
        "average_per_day": round(tickets / days, 2),
        "breaches": sum(r["breaches"] for r in rows),
        "open_critical": sum(r["open_critical"] for r in rows),
        "open_critical_bugs": sum(r["open_bugs"]["critical"] for r in rows),
        "satisfaction": satisfaction_figures(ratings=part("ratings"), survey=part("survey")),
    }


def rollout_metrics_for(
    *,
    phase: Phase | None = None,
    organization: Organization | None = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """Usage and support figures for the organizations of `phase` (or the one `organization`,
    or every active one), per organization and overall. ValueError for a bad window."""
    start, end = window(start, end)
    orgs = Organization.objects.filter(is_active=True).order_by("name")
    if organization is not None:
        orgs = orgs.filter(pk=organization.pk)
    if phase is not None:
        with all_organizations():
            in_phase = list(
                OrganizationRollout.objects.filter(phase=phase).values_list(
                    "organization_id", flat=True
                )
            )
        orgs = orgs.filter(pk__in=in_phase)
    org_list = list(orgs)
    usage = usage_metrics(organization_ids=[int(o.pk) for o in org_list], start=start, end=end)
    support = {o.slug: support_metrics(organization=o, start=start, end=end) for o in org_list}
    org_by_slug = {o.slug: o for o in org_list}
    days = (end - start).days + 1
    for row in usage["organizations"]:
        s = support[row["organization"]]
        row["support"] = {
            "tickets": s["tickets"],
            "average_per_day": s["average_per_day"],
            "breaches": s["breaches"],
            "open_critical": s["open_critical"],
            "satisfaction": s["satisfaction"],
            "opened_by_priority": s["opened_by_priority"],
            "open_by_priority": s["open_by_priority"],
            # The organization's bug list: open bugs by severity (the Go/No-Go's bug counts).
            "open_bugs": bug_counts(organization=org_by_slug[row["organization"]]),
        }
    usage["overall"]["support"] = _support_overall(
        [r["support"] for r in usage["organizations"]], days
    )
    usage["phase"] = phase.slug if phase is not None else None
    return usage
