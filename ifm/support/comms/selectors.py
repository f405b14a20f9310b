"""Reads of communications: templates, sends and their recipients, who a send would reach,
preferences and the announcements showing now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.support.comms import registry, rendering
from ifm.support.comms.merge import MergeError, Rendered
from ifm.support.comms.models import (
    Announcement,
    EmailPreference,
    MessageTemplate,
    Send,
    SendRecipient,
)
from ifm.tenancy.models import Membership, Organization


def template_list() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.order_by("name")


def template_get(template_id: int) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(pk=template_id).first()


def template_by_key(key: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(key=key).first()


def send_list() -> QuerySet[Send]:
    return Send.objects.select_related("sent_by").order_by("-created_at", "-id")


def send_get(send_id: int) -> Send | None:
    return Send.objects.select_related("sent_by", "template").filter(pk=send_id).first()


def send_recipients(send: Send) -> list[SendRecipient]:
    with all_organizations():
        return list(
            SendRecipient.objects.filter(send=send).select_related("organization").order_by("id")
        )


def opted_out(user_ids: list[int]) -> set[int]:
    return set(
        EmailPreference.objects.filter(user_id__in=user_ids, announcements=False).values_list(
            "user_id", flat=True
        )
    )


def wants_announcements(user: Any) -> bool:
    return not EmailPreference.objects.filter(user=user, announcements=False).exists()


def members_of(organization_ids: list[int]) -> list[tuple[int, Any]]:
    """(organization id, user) of every active member of the active organizations, by
    organization then address."""
    with all_organizations():
        rows = (
            Membership.all_orgs.filter(
                organization_id__in=organization_ids,
                organization__is_active=True,
                is_active=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .select_related("user")
            .order_by("organization__name", "user__email")
        )
        return [(m.organization_id, m.user) for m in rows]


@dataclass
class Recipient:
    organization: Organization
    user: Any
    opted_out: bool


@dataclass
class Plan:
    """Who a send would reach and what the first of them would read."""

    audience: registry.Audience
    values: list[str]
    audience_label: str
    organizations: list[Organization]
    recipients: list[Recipient]
    # "Hope Kitchen: no value for Training date", one an organization.
    problems: list[str] = field(default_factory=list)
    example: Rendered | None = None
    example_recipient: Recipient | None = None
    org_values: dict[int, dict[str, str | None]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.recipients)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.recipients if r.opted_out)

    @property
    def to_send(self) -> int:
        return self.total - self.skipped


def audience_values(audience: registry.Audience, values: list[str]) -> list[str]:
    values = [str(v).strip() for v in values if str(v).strip()]
    if not values:
        raise ServiceError(f"Choose the {audience.label.lower()} to send to.", field="values")
    if len(values) > 1 and not audience.multiple:
        raise ServiceError(f"Choose one of the {audience.label.lower()}.", field="values")
    return list(dict.fromkeys(values))


def send_plan(
    *,
    template: MessageTemplate,
    audience_key: str,
    values: list[str],
    context: registry.SendContext,
    subject: str | None = None,
    body: str | None = None,
) -> Plan:
    """Resolve the audience, check every organization's fields and render one example;
    ServiceError for an unknown audience or value."""
    audience = registry.audience_get(audience_key)
    if audience is None:
        known = ", ".join(a.key for a in registry.audiences())
        raise ServiceError(f"No such audience {audience_key!r}; one of: {known}.", field="audience")
    values = audience_values(audience, values)
    org_ids = audience.resolve(values)
    labels = dict(audience.choices())
    label = f"{audience.label}: " + ", ".join(labels.get(v, v) for v in values)
    orgs = list(Organization.objects.filter(pk__in=org_ids, is_active=True).order_by("name"))
    by_id = {o.pk: o for o in orgs}
    subject = template.subject if subject is None else subject
    body = template.body if body is None else body
    members = members_of(list(by_id))
    out = opted_out([u.pk for _, u in members])
    service = template.service_notice
    recipients = [
        Recipient(by_id[org_id], user, opted_out=(not service and user.pk in out))
        for org_id, user in members
    ]
    plan = Plan(audience, values, label[:300], orgs, recipients)
    for org in orgs:
        org_vals = rendering.organization_values(org, subject, body, context)
        plan.org_values[org.pk] = org_vals
        missing = rendering.missing_for_organization(org_vals)
        if missing:
            plan.problems.append(f"{org.name}: no value for {', '.join(missing)}.")
    first = next((r for r in recipients if not r.opted_out), None)
    if first is not None and not plan.problems:
        try:
            plan.example = rendering.render(
                subject=subject,
                body=body,
                org_values=plan.org_values[first.organization.pk],
                user=first.user,
            )
        except MergeError as exc:
            plan.problems.append(f"{first.organization.name}: {exc.message}")
        plan.example_recipient = first
    return plan


# --- Announcements -------------------------------------------------------------------------


def announcement_list() -> QuerySet[Announcement]:
    return Announcement.objects.prefetch_related("organizations").order_by("-starts_at", "-id")


def announcement_get(announcement_id: int) -> Announcement | None:
    return Announcement.objects.filter(pk=announcement_id).first()


def announcements_now(
    *, organization_ids: list[int], now: datetime | None = None
) -> list[Announcement]:
    """The announcements in their window now: those for everyone, and those for one of
    `organization_ids` (the organization of the page, else the user's)."""
    now = now or timezone.now()
    current = Announcement.objects.filter(starts_at__lte=now, ends_at__gt=now)
    scope = Q(organizations__isnull=True)
    if organization_ids:
        scope |= Q(organizations__in=organization_ids)
    return list(current.filter(scope).distinct().order_by("starts_at", "id")[:3])
