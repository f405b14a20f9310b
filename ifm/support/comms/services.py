"""Every write of communications: templates, sends, email preferences and announcements.

Templates, sends and announcements are platform staff's (`require_platform_staff`); a user
changes only their own email preference (or follows the signed link in an email). Each write
is audited in the platform log; a send's job is queued after its transaction commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.ops.services import require_platform_staff
from ifm.support.comms import registry, rendering
from ifm.support.comms.models import (
    ANNOUNCEMENT_MAX,
    BODY_MAX,
    MESSAGE_MAX,
    SUBJECT_MAX,
    Announcement,
    AnnouncementLevel,
    EmailPreference,
    MessageTemplate,
    RecipientStatus,
    Send,
    SendRecipient,
)
from ifm.support.comms.selectors import Plan, send_plan
from ifm.support.comms.tasks import comms_send_job
from ifm.tenancy.models import Organization

NAME_MAX = 100
DESCRIPTION_MAX = 300


def _text(value: Any, *, field: str, what: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ServiceError(f"Write the {what}.", field=field)
    if len(text) > limit:
        raise ServiceError(f"The {what} may be at most {limit:,} characters.", field=field)
    return text


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v
    }


# --- Templates -------------------------------------------------------------------------------


def _template_values(*, name: Any, description: Any, subject: Any, body: Any) -> dict[str, str]:
    values = {
        "name": _text(name, field="name", what="name", limit=NAME_MAX),
        "description": _text(
            description,
            field="description",
            what="description",
            limit=DESCRIPTION_MAX,
            required=False,
        ),
        "subject": _text(subject, field="subject", what="subject", limit=SUBJECT_MAX),
        "body": _text(body, field="body", what="body", limit=BODY_MAX),
    }
    if "\n" in values["subject"] or "\r" in values["subject"]:
        raise ServiceError("The subject is one line.", field="subject")
    rendering.validate_template(subject=values["subject"], body=values["body"])
    return values


def _name_taken(name: str, exclude: int | None) -> None:
    others = MessageTemplate.objects.filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ServiceError(f"A template named {name} already exists.", field="name")


@transaction.atomic
def template_create(
    *, actor: Any, name: Any, subject: Any, body: Any, description: Any = ""
) -> MessageTemplate:
    require_platform_staff(actor)
    values = _template_values(name=name, description=description, subject=subject, body=body)
    _name_taken(values["name"], None)
    key = slugify(values["name"])[:40] or "template"
    base, n = key, 2
    while MessageTemplate.objects.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    template = MessageTemplate.objects.create(key=key, updated_by=actor, **values)
    audit_record(
        action="comms.template_create", actor=actor, obj=template, changes=_changes({}, values)
    )
    return template


@transaction.atomic
def template_update(
    *,
    actor: Any,
    template: MessageTemplate,
    version: int,
    name: Any,
    subject: Any,
    body: Any,
    description: Any = "",
) -> MessageTemplate:
    """Save an edit; a stale `version` is a 409 (someone saved in between)."""
    require_platform_staff(actor)
    values = _template_values(name=name, description=description, subject=subject, body=body)
    _name_taken(values["name"], template.pk)
    before = {k: getattr(template, k) for k in values}
    for k, v in values.items():
        setattr(template, k, v)
    template.save_versioned(expected_version=version, user=actor, fields=list(values))
    changes = _changes(before, values)
    if changes:
        audit_record(action="comms.template_update", actor=actor, obj=template, changes=changes)
    return template


# --- Sends -----------------------------------------------------------------------------------


def send_context(*, actor: Any, message: str = "") -> registry.SendContext:
    return registry.SendContext(
        sender_name=(getattr(actor, "full_name", "") or getattr(actor, "email", "")),
        message=message,
        today=timezone.localdate(),
    )


def send_preview(
    *, actor: Any, template: MessageTemplate, audience: str, values: list[str], message: str = ""
) -> Plan:
    """Who the send would reach and one rendered example; writes nothing."""
    require_platform_staff(actor)
    message = _text(message, field="message", what="message", limit=MESSAGE_MAX, required=False)
    with all_organizations():
        return send_plan(
            template=template,
            audience_key=audience,
            values=values,
            context=send_context(actor=actor, message=message),
        )


@transaction.atomic
def send_start(
    *, actor: Any, template: MessageTemplate, audience: str, values: list[str], message: str = ""
) -> Send:
    """Record the send with one row per recipient and queue its job. Refused (nothing
    written) when an organization lacks a field's value or nobody would get it."""
    plan = send_preview(
        actor=actor, template=template, audience=audience, values=values, message=message
    )
    if plan.problems:
        raise ServiceError(
            "Not sent: every merge field needs a value. " + " ".join(plan.problems),
            field="template",
        )
    if not plan.recipients:
        raise ServiceError(
            "Nobody to send to: the organizations have no active users.", field="values"
        )
    send = Send.objects.create(
        template=template,
        template_name=template.name,
        subject=template.subject,
        body=template.body,
        service_notice=template.service_notice,
        message=message.strip(),
        audience=plan.audience.key,
        audience_values=plan.values,
        audience_label=plan.audience_label,
        organizations=len(plan.organizations),
        sent_by=actor,
        total=plan.total,
    )
    with all_organizations():
        SendRecipient.objects.bulk_create(
            SendRecipient(
                send=send,
                organization=r.organization,
                user=r.user,
                email=r.user.email,
                status=RecipientStatus.PENDING,
            )
            for r in plan.recipients
        )
    audit_record(
        action="comms.send",
        actor=actor,
        obj=send,
        changes={
            "template": template.name,
            "audience": plan.audience_label,
            "organizations": [o.slug for o in plan.organizations],
            "recipients": plan.total,
            "opted_out": plan.skipped,
        },
    )
    send_id = send.pk

    def enqueue() -> None:
        result = comms_send_job.enqueue(send_id=send_id)
        Send.objects.filter(pk=send_id).update(job_id=str(result.id))

    transaction.on_commit(enqueue)
    return send


# --- Email preferences -------------------------------------------------------------------------


@transaction.atomic
def email_preference_set(*, user: Any, announcements: bool, via: str = "page") -> EmailPreference:
    """The user's own choice (or the signed unsubscribe link's)."""
    if not getattr(user, "pk", None):
        raise ServiceError("Sign in to change your email preferences.")
    pref, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    before = pref.announcements
    pref.announcements = bool(announcements)
    pref.updated_at = timezone.now()
    pref.updated_via = via[:20]
    pref.save()
    if before != pref.announcements:
        audit_record(
            action="comms.email_preference",
            actor=user,
            obj=pref,
            object_repr=f"Email preference of {user.email}",
            changes={"announcements": {"before": before, "after": pref.announcements}, "via": via},
        )
    return pref


# --- Announcements ---------------------------------------------------------------------------


def _announcement_values(
    *, message: Any, level: Any, starts_at: Any, ends_at: Any
) -> dict[str, Any]:
    text = _text(message, field="message", what="message", limit=ANNOUNCEMENT_MAX)
    if level not in AnnouncementLevel.values:
        allowed = ", ".join(AnnouncementLevel.values)
        raise ServiceError(f"{level!r} is not one of: {allowed}.", field="level")
    if not isinstance(starts_at, datetime):
        raise ServiceError("Give the start date and time.", field="starts_at")
    if not isinstance(ends_at, datetime):
        raise ServiceError("Give the end date and time.", field="ends_at")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at)
    if ends_at <= starts_at:
        raise ServiceError("The announcement ends after it starts.", field="ends_at")
    return {"message": text, "level": level, "starts_at": starts_at, "ends_at": ends_at}


def _audit_announcement(
    action: str, actor: Any, item: Announcement, changes: dict[str, Any]
) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=item,
        changes={k: _iso(v) for k, v in changes.items()},
    )


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@transaction.atomic
def announcement_create(
    *,
    actor: Any,
    message: Any,
    starts_at: Any,
    ends_at: Any,
    level: Any = AnnouncementLevel.INFO,
    organizations: list[Organization] | None = None,
) -> Announcement:
    require_platform_staff(actor)
    values = _announcement_values(
        message=message, level=level, starts_at=starts_at, ends_at=ends_at
    )
    item = Announcement.objects.create(created_by=actor, **values)
    orgs = list(organizations or [])
    item.organizations.set(orgs)
    _audit_announcement(
        "comms.announcement_create",
        actor,
        item,
        {**_changes({}, values), "organizations": [o.slug for o in orgs] or "everyone"},
    )
    return item


@transaction.atomic
def announcement_update(
    *,
    actor: Any,
    announcement: Announcement,
    message: Any,
    starts_at: Any,
    ends_at: Any,
    level: Any,
    organizations: list[Organization] | None = None,
) -> Announcement:
    require_platform_staff(actor)
    values = _announcement_values(
        message=message, level=level, starts_at=starts_at, ends_at=ends_at
    )
    before = {k: getattr(announcement, k) for k in values}
    before_orgs = sorted(announcement.organizations.values_list("slug", flat=True))
    for k, v in values.items():
        setattr(announcement, k, v)
    announcement.updated_at = timezone.now()
    announcement.save()
    orgs = list(organizations or [])
    announcement.organizations.set(orgs)
    changes = _changes(before, values)
    after_orgs = sorted(o.slug for o in orgs)
    if after_orgs != before_orgs:
        changes["organizations"] = {"before": before_orgs, "after": after_orgs}
    if changes:
        _audit_announcement("comms.announcement_update", actor, announcement, changes)
    return announcement


@transaction.atomic
def announcement_end(*, actor: Any, announcement: Announcement) -> Announcement:
    """Take the banner down now (it stays in the list)."""
    require_platform_staff(actor)
    now = timezone.now()
    if announcement.ends_at <= now:
        raise ServiceError("This announcement has already ended.")
    before = announcement.ends_at
    announcement.ends_at = now
    if announcement.starts_at >= now:  # not started yet: it never shows
        announcement.starts_at = now - timedelta(seconds=1)
    announcement.updated_at = now
    announcement.save(update_fields=["starts_at", "ends_at", "updated_at"])
    _audit_announcement(
        "comms.announcement_end",
        actor,
        announcement,
        {"ends_at": {"before": before, "after": announcement.ends_at}},
    )
    return announcement
