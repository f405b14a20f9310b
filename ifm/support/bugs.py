"""An organization's bug list: bugs created or linked from its tickets on the desk (platform
staff), their severity and status, and the open counts the rollout console reads
(`bug_counts`).

Bugs are tenant rows: a bug belongs to one organization and links only to its tickets; from
another organization's ticket a bug is missing, like a wrong id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, QuerySet, Value, When
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations, org_context
from ifm.ops.services import require_platform_staff
from ifm.support.models import Bug, BugStatus, BugTicket, Severity, Ticket
from ifm.tenancy.models import Organization

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000


def _audit(action: str, actor: Any, bug: Bug, changes: dict[str, Any]) -> None:
    audit_record(
        action=action,
        actor=actor,
        organization=bug.organization,
        obj=bug,
        object_repr=str(bug)[:200],
        changes=changes,
    )


def _severity(value: str) -> str:
    if value not in Severity.values:
        raise ServiceError(
            f"{value!r} is not a severity: critical, high, medium or low.", field="severity"
        )
    return value


def bug_create(
    *,
    actor: User,
    ticket: Ticket,
    title: str,
    severity: str,
    description: str = "",
    now: datetime | None = None,
) -> Bug:
    """A new bug on the ticket's organization's list, linked to the ticket."""
    require_platform_staff(actor)
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise ServiceError("Give the bug a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(f"The title may be at most {MAX_TITLE} characters.", field="title")
    if len(description) > MAX_DESCRIPTION:
        raise ServiceError(
            f"The description may be at most {MAX_DESCRIPTION:,} characters.", field="description"
        )
    _severity(severity)
    now = now or timezone.now()
    with org_context(ticket.organization_id), transaction.atomic():
        # Numbers count per organization: the organization row orders them.
        Organization.objects.select_for_update().filter(pk=ticket.organization_id).first()
        last = Bug.objects.aggregate(n=Max("number"))["n"] or 0
        bug = Bug.objects.create(
            organization_id=ticket.organization_id,
            number=last + 1,
            title=title,
            description=description,
            severity=severity,
            created_by=actor,
            created_at=now,
        )
        BugTicket.objects.create(
            organization_id=ticket.organization_id,
            bug=bug,
            ticket=ticket,
            linked_by=actor,
            linked_at=now,
        )
        _audit(
            "support.bug_create",
            actor,
            bug,
            {"severity": severity, "ticket": ticket.reference},
        )
        return bug


def bug_for_ticket(ticket: Ticket, bug_id: int) -> Bug | None:
    """A bug of the ticket's organization, or None (another organization's is missing)."""
    with org_context(ticket.organization_id):
        return Bug.objects.filter(pk=bug_id).first()


def bug_link(*, actor: User, ticket: Ticket, bug: Bug) -> bool:
    """Link the ticket to a bug of its organization; False when it already was."""
    require_platform_staff(actor)
    if bug.organization_id != ticket.organization_id:
        raise ServiceError("A ticket links only to its own organization's bugs.", field="bug")
    with org_context(ticket.organization_id), transaction.atomic():
        _row, created = BugTicket.objects.get_or_create(
            organization_id=ticket.organization_id,
            bug=bug,
            ticket=ticket,
            defaults={"linked_by": actor, "linked_at": timezone.now()},
        )
        if created:
            _audit("support.bug_link", actor, bug, {"ticket": ticket.reference})
        return created


def bug_unlink(*, actor: User, ticket: Ticket, bug: Bug) -> bool:
    require_platform_staff(actor)
    with org_context(ticket.organization_id), transaction.atomic():
        deleted, _ = BugTicket.objects.filter(bug=bug, ticket=ticket).delete()
        if deleted:
            _audit("support.bug_unlink", actor, bug, {"ticket": ticket.reference})
        return bool(deleted)


def bug_update(
    *,
    actor: User,
    bug: Bug,
    status: str | None = None,
    severity: str | None = None,
    now: datetime | None = None,
) -> Bug:
    """Change a bug's status (open, fixed, won't fix) or severity. Fixing (or setting aside)
    records when; opening again clears it."""
    require_platform_staff(actor)
    if status is not None and status not in BugStatus.values:
        raise ServiceError(f"{status!r} is not a status: open, fixed or wontfix.", field="status")
    if severity is not None:
        _severity(severity)
    now = now or timezone.now()
    with org_context(bug.organization_id), transaction.atomic():
        bug = Bug.objects.select_for_update().get(pk=bug.pk)
        changes: dict[str, Any] = {}
        if status is not None and status != bug.status:
            changes["status"] = {"before": bug.status, "after": status}
            bug.status = status
            bug.fixed_at = None if status == BugStatus.OPEN else now
        if severity is not None and severity != bug.severity:
            changes["severity"] = {"before": bug.severity, "after": severity}
            bug.severity = severity
        if changes:
            bug.save(update_fields=["status", "fixed_at", "severity"])
            _audit("support.bug_update", actor, bug, changes)
        return bug


# --- Reads -------------------------------------------------------------------------------------


def bug_list(
    *,
    organization: Organization | None = None,
    severity: str | None = None,
    status: str | None = None,
) -> QuerySet[Bug]:
    """Every organization's bugs (or one's), for platform staff: run it inside
    `all_organizations()`. Most severe first, then newest."""
    bugs = Bug.all_orgs.select_related("organization").annotate(ticket_count=Count("tickets"))
    if organization is not None:
        bugs = bugs.filter(organization=organization)
    if severity:
        bugs = bugs.filter(severity=severity)
    if status:
        bugs = bugs.filter(status=status)
    order = {s.value: i for i, s in enumerate(Severity)}
    rank = Case(
        *(When(severity=s, then=Value(i)) for s, i in order.items()), output_field=IntegerField()
    )
    return bugs.order_by(rank, "-created_at", "-id")


def bug_get(bug_id: int) -> Bug | None:
    with all_organizations():
        return Bug.all_orgs.select_related("organization").filter(pk=bug_id).first()


def bug_tickets(bug: Bug) -> list[Ticket]:
    with org_context(bug.organization_id):
        return list(bug.tickets.order_by("number"))


def ticket_bugs(ticket: Ticket) -> list[Bug]:
    with org_context(ticket.organization_id):
        return list(Bug.objects.filter(tickets=ticket).order_by("number"))


def open_bugs_of(ticket: Ticket) -> list[Bug]:
    """The organization's open bugs this ticket is not linked to yet (to link it)."""
    with org_context(ticket.organization_id):
        return list(
            Bug.objects.filter(status=BugStatus.OPEN).exclude(tickets=ticket).order_by("number")
        )


def bug_counts(*, organization: Organization | None = None) -> dict[str, int]:
    """Open bugs by severity, for one organization or all: {"critical": n, "high": n, ...}."""
    if organization is None:
        return _open_counts(ids=None)[None]
    return _open_counts(ids=[int(organization.pk)])[int(organization.pk)]


def bug_counts_by_organization(
    organizations: Iterable[Organization | int],
) -> dict[int, dict[str, int]]:
    """`bug_counts` of each organization (or id) given, keyed by organization id, in one query
    grouped by organization."""
    return _open_counts(ids=[o if isinstance(o, int) else int(o.pk) for o in organizations])


def _open_counts(*, ids: list[int] | None) -> dict[Any, dict[str, int]]:
    """Open bugs by severity of each organization of `ids`, or, when `ids` is None, of every
    organization together under the key None."""
    wanted = list(dict.fromkeys(ids or []))
    keys: list[int | None] = list(wanted) if ids is not None else [None]
    found: dict[int | None, dict[str, int]] = {k: {} for k in keys}
    with all_organizations():
        bugs = Bug.all_orgs.filter(status=BugStatus.OPEN)
        if ids is not None:
            bugs = bugs.filter(organization_id__in=wanted)
        for org_id, severity, n in (
            bugs.values("organization_id", "severity")
            .annotate(n=Count("id"))
            .values_list("organization_id", "severity", "n")
            .order_by()
        ):
            counts = found[org_id if ids is not None else None]
            counts[severity] = counts.get(severity, 0) + n
    return {k: {s.value: found[k].get(s.value, 0) for s in Severity} for k in keys}
