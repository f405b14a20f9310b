"""The rollout plan's metrics for a phase, an organization or everyone over a window: usage from
ifm.ops (adoption, feature usage, task completion, error rate, API p95, page loads) and the
support desk's tickets and satisfaction, each from its own selector (the pages and
`GET /api/v1/platform/metrics` read this)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ifm.core.org_context import all_organizations
from ifm.ops.request_days import RequestDays, read_request_days
from ifm.ops.usage_metrics import usage_metrics, window
from ifm.ops.usage_series import daily_series
from ifm.rollout import selectors
from ifm.rollout.models import OrganizationRollout, Phase
from ifm.rollout.targets import targets_for, targets_out
from ifm.support.bugs import bug_counts_by_organization
from ifm.support.selectors import satisfaction_figures, support_metrics_by_organization
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
        # No organization: nothing to count, so no data rather than a zero.
        "average_per_day": round(tickets / days, 2) if rows else None,
        "breaches": sum(r["breaches"] for r in rows),
        "open_critical": sum(r["open_critical"] for r in rows),
        "open_critical_bugs": sum(r["open_bugs"]["critical"] for r in rows),
        "satisfaction": satisfaction_figures(ratings=part("ratings"), survey=part("survey")),
    }


def _daily(
    usage: dict[str, Any],
    support: dict[str, dict[str, Any]],
    ids: list[int],
    request_days: RequestDays,
) -> None:
    """Each day of the window with its adoption, requests, error rate, API p95, page-load p75
    and tickets (what the charts draw), into usage["daily"]."""
    start, end = date.fromisoformat(usage["from"]), date.fromisoformat(usage["to"])
    members = usage["overall"]["active_members"]
    tickets: dict[date, int] = {}
    for s in support.values():
        for day in s["tickets_per_day"]:
            tickets[day["date"]] = tickets.get(day["date"], 0) + day["count"]
    series = daily_series(organization_ids=ids, start=start, end=end, request_days=request_days)
    for row, counted in zip(usage["daily"], series, strict=True):
        row.update(counted)
        row["adoption"] = round(row["active_users"] / members, 4) if members else None
        row["tickets"] = tickets.get(date.fromisoformat(row["day"]), 0)


def rollout_metrics_for(
    *,
    phase: Phase | None = None,
    organization: Organization | None = None,
    start: date | None = None,
    end: date | None = None,
    daily: bool = False,
) -> dict[str, Any]:
    """Usage and support figures for the organizations of `phase` (or the one `organization`,
    or every active one), per organization and overall, each beside its target for the
    organization's phase (`targets`: the phase's, ifm.rollout.targets); without a phase or an
    organization, `phases` has the overall figures of each phase's organizations beside the
    phase's targets. `daily` adds each day's figures for the charts. ValueError for a bad
    window."""
    start, end = window(start, end)
    orgs = Organization.objects.filter(is_active=True).order_by("name")
    if organization is not None:
        orgs = orgs.filter(pk=organization.pk)
    with all_organizations():
        placed = dict(OrganizationRollout.objects.values_list("organization_id", "phase_id"))
    if phase is not None:
        orgs = orgs.filter(pk__in=[o for o, p in placed.items() if p == phase.pk])
    org_list = list(orgs)
    ids = [int(o.pk) for o in org_list]
    phases = {p.pk: p for p in selectors.phase_list()}
    groups = None
    if phase is None and organization is None:
        groups = {p.slug: [i for i in ids if placed.get(i) == p.pk] for p in phases.values()}
    # The request counts read once, for the figures and (with `daily`) the charts.
    request_days = read_request_days(ids, start, end)
    usage = usage_metrics(
        organization_ids=ids, start=start, end=end, groups=groups, request_days=request_days
    )
    # Every organization's support figures and open bugs at once, in queries grouped by
    # organization (the selectors read across organizations inside all_organizations()).
    by_id = support_metrics_by_organization(ids, start=start, end=end)
    bugs_by_id = bug_counts_by_organization(ids)
    support = {o.slug: by_id[int(o.pk)] for o in org_list}
    open_bugs = {o.slug: bugs_by_id[int(o.pk)] for o in org_list}
    days = (end - start).days + 1
    phase_of = {o.slug: phases.get(placed.get(int(o.pk)) or 0) for o in org_list}
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
            "open_bugs": open_bugs[row["organization"]],
        }
        own = phase_of[row["organization"]]
        row["phase"] = own.slug if own is not None else None
        row["targets"] = targets_out(row, targets_for(own))
    rows = {r["organization"]: r for r in usage["organizations"]}
    usage["overall"]["support"] = _support_overall([r["support"] for r in rows.values()], days)
    chosen = (
        phase if phase is not None else phase_of.get(organization.slug) if organization else None
    )
    if phase is not None or organization is not None:
        usage["overall"]["targets"] = targets_out(usage["overall"], targets_for(chosen))
    if groups is not None:
        usage["phases"] = []
        for p in phases.values():
            group = usage["groups"][p.slug]
            group["support"] = _support_overall(
                [r["support"] for r in rows.values() if r["phase"] == p.slug], days
            )
            group["targets"] = targets_out(group, targets_for(p))
            usage["phases"].append({"phase": p.slug, "name": p.name, **group})
        del usage["groups"]
    if daily:
        _daily(usage, support, ids, request_days)
    usage["phase"] = phase.slug if phase is not None else None
    return usage
