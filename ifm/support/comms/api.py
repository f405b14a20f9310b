"""/api/v1/platform/communications/... and /api/v1/platform/announcements (IFM platform
staff: any of their tokens, the organization it names plays no part), and
/api/v1/communications/preferences (any user, their own). The pages' services and reads."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Router
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest, signed_in_user
from ifm.core.api import MAX_ID, ApiError, paginated
from ifm.core.org_context import all_organizations
from ifm.ops.services import require_platform_staff
from ifm.support.comms import selectors, services
from ifm.support.comms.models import Announcement, MessageTemplate, Send
from ifm.support.comms.schemas import (
    AnnouncementIn,
    AnnouncementOut,
    MessageSendIn,
    PreferenceIn,
    PreferenceOut,
    PreviewOut,
    SendOut,
    TemplateIn,
    TemplateOut,
    TemplateUpdateIn,
)
from ifm.tenancy.models import Organization

router = Router(tags=["platform"])
preferences_router = Router(tags=["communications"])

Id = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _staff(request: HttpRequest) -> Any:
    require_platform_staff(request.user)
    return signed_in_user(request)


# --- Templates -------------------------------------------------------------------------------


@router.get(
    "/platform/communications/templates",
    response=list[TemplateOut],
    summary="The message templates (IFM platform staff)",
)
def template_list(request: OrgRequest) -> Any:
    _staff(request)
    return list(selectors.template_list())


@router.post(
    "/platform/communications/templates",
    response={201: TemplateOut},
    summary="Add a message template; an unknown merge field is a 422 naming it",
)
def template_create(request: OrgRequest, payload: TemplateIn) -> Any:
    template = services.template_create(actor=_staff(request), **payload.model_dump())
    return HttpStatus(201, template)


@router.put(
    "/platform/communications/templates/{template_id}",
    response=TemplateOut,
    summary="Change a message template (a stale version is a 409)",
)
def template_update(request: OrgRequest, template_id: Id, payload: TemplateUpdateIn) -> Any:
    actor = _staff(request)
    template = selectors.template_get(template_id)
    if template is None:
        raise Http404("No such template.")
    data = payload.model_dump()
    version = data.pop("version")
    return services.template_update(actor=actor, template=template, version=version, **data)


# --- Sends -----------------------------------------------------------------------------------


def _template(key: str) -> MessageTemplate:
    template = selectors.template_by_key(key)
    if template is None:
        raise ApiError(
            422,
            f"No template with the key {key!r}.",
            errors=[{"field": "template", "message": "No such template."}],
        )
    return template


@router.post(
    "/platform/communications/sends/preview",
    response=PreviewOut,
    summary="Who a send would reach and one rendered email; sends nothing",
)
def send_preview(request: OrgRequest, payload: MessageSendIn) -> Any:
    actor = _staff(request)
    plan = services.send_preview(
        actor=actor,
        template=_template(payload.template),
        audience=payload.audience,
        values=payload.values,
        message=payload.message,
    )
    first = plan.example_recipient
    return {
        "audience": plan.audience_label,
        "organizations": [o.slug for o in plan.organizations],
        "recipients": plan.total,
        "skipped": plan.skipped,
        "to_send": plan.to_send,
        "problems": plan.problems,
        "example": None
        if plan.example is None or first is None
        else {
            "organization": first.organization.slug,
            "email": first.user.email,
            "subject": plan.example.subject,
            "body": plan.example.body,
        },
    }


@router.post(
    "/platform/communications/sends",
    response={201: SendOut},
    summary="Send a template to the users of the chosen organizations, as a background job",
)
def send_create(request: OrgRequest, payload: MessageSendIn) -> Any:
    actor = _staff(request)
    send = services.send_start(
        actor=actor,
        template=_template(payload.template),
        audience=payload.audience,
        values=payload.values,
        message=payload.message,
    )
    send.refresh_from_db()  # the job's id, set once the send committed
    return HttpStatus(201, send)


@router.get(
    "/platform/communications/sends",
    response=list[SendOut],
    summary="Every send, newest first: who, when, to how many",
)
@paginated("-created_at")
def send_list(request: OrgRequest) -> QuerySet[Send]:
    _staff(request)
    return selectors.send_list()


@router.get(
    "/platform/communications/sends/{send_id}",
    response=SendOut,
    summary="A send with its counts and its job's state",
)
def send_get(request: OrgRequest, send_id: Id) -> Any:
    _staff(request)
    send = selectors.send_get(send_id)
    if send is None:
        raise Http404("No such send.")
    return send


# --- Announcements ---------------------------------------------------------------------------


def _announcement_out(item: Announcement) -> dict[str, Any]:
    return {
        "id": item.pk,
        "message": item.message,
        "level": item.level,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "organizations": [o.slug for o in item.organizations.all()],
    }


@router.get(
    "/platform/announcements",
    response=list[AnnouncementOut],
    summary="The in-app announcements, latest start first (IFM platform staff)",
)
def announcement_list(request: OrgRequest) -> Any:
    _staff(request)
    return [_announcement_out(a) for a in selectors.announcement_list()[:200]]


@router.post(
    "/platform/announcements",
    response={201: AnnouncementOut},
    summary="Show a banner on every signed-in page between two times",
)
def announcement_create(request: OrgRequest, payload: AnnouncementIn) -> Any:
    actor = _staff(request)
    slugs = list(dict.fromkeys(payload.organizations))
    with all_organizations():
        orgs = list(Organization.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {o.slug for o in orgs})
    if unknown:
        raise ApiError(
            422,
            f"No such organization: {', '.join(unknown)}.",
            errors=[{"field": "organizations", "message": "No such organization."}],
        )
    item = services.announcement_create(
        actor=actor,
        message=payload.message,
        level=payload.level,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        organizations=orgs,
    )
    return HttpStatus(201, _announcement_out(item))


# --- A user's own preference -------------------------------------------------------------------


@preferences_router.get(
    "/communications/preferences",
    response=PreferenceOut,
    summary="Whether you get IFM's announcement emails",
)
def preference_get(request: OrgRequest) -> Any:
    return {"announcements": selectors.wants_announcements(signed_in_user(request))}


@preferences_router.put(
    "/communications/preferences",
    response=PreferenceOut,
    summary="Turn IFM's announcement emails on or off (service notices still come)",
)
def preference_put(request: OrgRequest, payload: PreferenceIn) -> Any:
    pref = services.email_preference_set(
        user=signed_in_user(request), announcements=payload.announcements, via="api"
    )
    return {"announcements": pref.announcements}
