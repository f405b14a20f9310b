"""Reads of support: a person's tickets, one ticket, the desk's queues, and the metrics the
platform (and later the rollout console) reads."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ifm.core.org_context import all_organizations
from ifm.support import sla
from ifm.support.models import (
    OPEN_STATUSES,
    MessageKind,
    Priority,
    Status,
    SurveyResponse,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketRating,
)
from ifm.support.services import breached_q, can_see
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, has_perm


def ticket_list(*, user: Any, access: Access | None) -> QuerySet[Ticket]:
    """The tickets of the current organization this member may see: their own, or all of them
    for the organization's admins."""
    tickets = Ticket.objects.select_related("requester", "rating")
    if has_perm(access, "support.view_all"):
        return tickets
    return tickets.filter(requester=user)


def ticket_get(*, user: Any, access: Access | None, ticket_id: int) -> Ticket | None:
    """One ticket of the current organization, or None when it is missing or not theirs."""
    ticket = Ticket.objects.select_related("organization", "requester").filter(pk=ticket_id).first()
    if ticket is None or not can_see(ticket, user=user, access=access):
        return None
    return ticket


def conversation(ticket: Ticket, *, with_notes: bool = False) -> list[TicketMessage]:
    messages = TicketMessage.all_orgs.filter(ticket=ticket).select_related("author")
    if not with_notes:
        messages = messages.filter(kind=MessageKind.REPLY)
    return list(messages.prefetch_related("attachments"))


def attachment_get(
    *, user: Any, access: Access | None, attachment_id: int
) -> TicketAttachment | None:
    attachment = (
        TicketAttachment.objects.select_related("ticket", "message")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None or not can_see(attachment.ticket, user=user, access=access):
        return None
    message = attachment.message
    if message is not None and message.kind == MessageKind.NOTE:
        return None
    return attachment


@dataclass(frozen=True)
class Clocks:
    first_response: sla.ClockState
    resolution: sla.ClockState

    @property
    def worst(self) -> sla.ClockState:
        order = ["breached", "overdue", "at_risk", "paused", "ok", "met"]
        return min((self.first_response, self.resolution), key=lambda c: order.index(c.state))


def ticket_clocks(ticket: Ticket, *, now: datetime | None = None) -> Clocks:
    now = now or timezone.now()
    paused = ticket.status == Status.WAITING
    return Clocks(
        first_response=sla.clock_state(
            due=ticket.first_response_due_at, done_at=ticket.first_response_at, now=now
        ),
        resolution=sla.clock_state(
            due=ticket.resolution_due_at,
            done_at=ticket.resolved_at,
            now=now,
            paused=paused,
        ),
    )


# --- The desk (platform staff, across organizations) ---------------------------------------


def desk_tickets(
    *,
    tier: int | None = None,
    status: str | None = None,
    priority: str | None = None,
    breached: bool | None = None,
    organization_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """Every organization's tickets, for platform staff; open ones unless a status is named.
    Run it inside `all_organizations()` (the desk's views and API do)."""
    now = now or timezone.now()
    tickets = Ticket.all_orgs.select_related("organization", "assignee", "requester")
    tickets = tickets.filter(status=status) if status else tickets.filter(status__in=OPEN_STATUSES)
    if tier:
        tickets = tickets.filter(tier=tier)
    if priority:
        tickets = tickets.filter(priority=priority)
    if organization_id:
        tickets = tickets.filter(organization_id=organization_id)
    if breached is True:
        tickets = tickets.filter(breached_q(now))
    elif breached is False:
        tickets = tickets.exclude(breached_q(now))
    return tickets.order_by("first_response_due_at", "resolution_due_at", "id")


def desk_tier_counts() -> dict[int, int]:
    with all_organizations():
        rows = (
            Ticket.all_orgs.filter(status__in=OPEN_STATUSES)
            .values("tier")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row["tier"]: row["n"] for row in rows}


def desk_ticket_get(ticket_id: int) -> Ticket | None:
    with all_organizations():
        return (
            Ticket.all_orgs.select_related("organization", "assignee", "requester", "merged_into")
            .filter(pk=ticket_id)
            .first()
        )


# --- Metrics ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (p50 is the median rounded up to an observed value)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _mean(total: int, count: int) -> dict[str, Any]:
    return {"average": round(total / count, 2) if count else None, "count": count, "total": total}


def satisfaction_figures(*, ratings: tuple[int, int], survey: tuple[int, int]) -> dict[str, Any]:
    """Satisfaction from (sum of scores, count) of the tickets' ratings and of the survey's
    answers: each one's mean, and the figure the rollout console judges, the mean of every
    score of both kinds together (each rating and each answer weighs the same; dismissals are
    not answers). Averages have two decimals; `total` keeps the exact sum, to combine again."""
    combined = _mean(ratings[0] + survey[0], ratings[1] + survey[1])
    return {**combined, "ratings": _mean(*ratings), "survey": _mean(*survey)}


def support_metrics(
    *, organization: Organization | None = None, start: date, end: date
) -> dict[str, Any]:
    """Tickets per day, first-response minutes (p50, p95) per priority, breaches, satisfaction
    (ticket ratings and survey answers, `satisfaction_figures`) and open critical tickets, for
    the tickets opened (ratings given, survey answered) from `start` to `end` inclusive, for one
    organization or all of them (`support_metrics_by_organization` counts it)."""
    if organization is None:
        return _support_figures(ids=None, start=start, end=end)[None]
    org_id = int(organization.pk)
    return _support_figures(ids=[org_id], start=start, end=end)[org_id]


def support_metrics_by_organization(
    organizations: Iterable[Organization | int], *, start: date, end: date
) -> dict[int, dict[str, Any]]:
    """`support_metrics` of each organization (or id) given, keyed by organization id: the same
    figures in five queries grouped by organization, however many organizations there are."""
    ids = [o if isinstance(o, int) else int(o.pk) for o in organizations]
    return _support_figures(ids=ids, start=start, end=end)


def _support_figures(*, ids: list[int] | None, start: date, end: date) -> dict[Any, dict[str, Any]]:
    """The figures of `support_metrics` for each organization of `ids`, keyed by its id, or,
    when `ids` is None, for every organization together under the key None. Each query groups
    by organization; rows fold into their organization's figures (or everyone's)."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    wanted = list(dict.fromkeys(ids or []))
    keys: list[int | None] = list(wanted) if ids is not None else [None]

    def key(org_id: int) -> int | None:
        return org_id if ids is not None else None

    per_day: dict[int | None, dict[date, int]] = {k: {} for k in keys}
    opened: dict[int | None, dict[str, int]] = {k: {} for k in keys}
    still_open: dict[int | None, dict[str, int]] = {k: {} for k in keys}
    breaches: dict[int | None, int] = dict.fromkeys(keys, 0)
    rated: dict[int | None, tuple[int, int]] = dict.fromkeys(keys, (0, 0))
    surveyed: dict[int | None, tuple[int, int]] = dict.fromkeys(keys, (0, 0))
    responses: dict[int | None, dict[str, list[float]]] = {
        k: {p.value: [] for p in Priority} for k in keys
    }

    def add(counts: dict[Any, int], at: Any, n: int) -> None:
        counts[at] = counts.get(at, 0) + n

    with all_organizations():
        tickets = Ticket.all_orgs.filter(created_at__date__gte=start, created_at__date__lte=end)
        ratings = TicketRating.all_orgs.filter(
            created_at__date__gte=start, created_at__date__lte=end
        )
        answers = SurveyResponse.all_orgs.filter(
            created_at__date__gte=start, created_at__date__lte=end, score__isnull=False
        )
        open_now = Ticket.all_orgs.filter(status__in=OPEN_STATUSES)
        if ids is not None:
            tickets = tickets.filter(organization_id__in=wanted)
            ratings = ratings.filter(organization_id__in=wanted)
            answers = answers.filter(organization_id__in=wanted)
            open_now = open_now.filter(organization_id__in=wanted)
        for row in (
            tickets.annotate(day=TruncDate("created_at"))
            .values("organization_id", "day", "priority")
            .annotate(n=Count("id"), late=Count("id", filter=breached_q(timezone.now())))
            .order_by()
        ):
            k = key(row["organization_id"])
            add(per_day[k], row["day"], row["n"])
            add(opened[k], row["priority"], row["n"])
            breaches[k] += row["late"]
        for org_id, priority, created, answered in tickets.filter(
            first_response_at__isnull=False
        ).values_list("organization_id", "priority", "created_at", "first_response_at"):
            if answered is not None:
                minutes = (answered - created).total_seconds() / 60
                responses[key(org_id)][priority].append(minutes)
        for scores, rows in ((rated, ratings), (surveyed, answers)):
            for org_id, total, count in (
                rows.values("organization_id")
                .annotate(total=Sum("score"), count=Count("id"))
                .values_list("organization_id", "total", "count")
                .order_by()
            ):
                k = key(org_id)
                scores[k] = (scores[k][0] + (total or 0), scores[k][1] + count)
        for org_id, priority, n in (
            open_now.values("organization_id", "priority")
            .annotate(n=Count("id"))
            .values_list("organization_id", "priority", "n")
            .order_by()
        ):
            add(still_open[key(org_id)], priority, n)
    days = (end - start).days + 1
    return {
        k: _support_out(
            start=start,
            end=end,
            days=days,
            per_day=per_day[k],
            responses=responses[k],
            breaches=breaches[k],
            rated=rated[k],
            surveyed=surveyed[k],
            opened=opened[k],
            still_open=still_open[k],
        )
        for k in keys
    }


def _support_out(
    *,
    start: date,
    end: date,
    days: int,
    per_day: dict[date, int],
    responses: dict[str, list[float]],
    breaches: int,
    rated: tuple[int, int],
    surveyed: tuple[int, int],
    opened: dict[str, int],
    still_open: dict[str, int],
) -> dict[str, Any]:
    total = sum(per_day.values())
    return {
        "start": start,
        "end": end,
        "tickets": total,
        "tickets_per_day": [
            {"date": start + timedelta(days=i), "count": per_day.get(start + timedelta(days=i), 0)}
            for i in range(days)
        ],
        "average_per_day": round(total / days, 2),
        "first_response_minutes": {
            priority: {
                "count": len(values),
                "p50": percentile(values, 0.5),
                "p95": percentile(values, 0.95),
            }
            for priority, values in responses.items()
        },
        "breaches": breaches,
        "satisfaction": satisfaction_figures(ratings=rated, survey=surveyed),
        "open_critical": still_open.get(Priority.CRITICAL.value, 0),
        # Opened in the period, and open now, per priority (the Go/No-Go's bug counts).
        "opened_by_priority": {p.value: opened.get(p.value, 0) for p in Priority},
        "open_by_priority": {p.value: still_open.get(p.value, 0) for p in Priority},
    }
