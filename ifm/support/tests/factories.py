"""Rows for support tests and the isolation suite: a ticket (with its clocks), a reply, a
screenshot and a rating, each made directly in the organization given."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from ifm.core.org_context import org_context
from ifm.support.models import (
    Bug,
    BugTicket,
    MessageKind,
    Status,
    SurveyResponse,
    Ticket,
    TicketAccessGrant,
    TicketAttachment,
    TicketMessage,
    TicketRating,
)
from ifm.support.tests.conftest import png_bytes
from ifm.tenancy.models import Organization


def ticket(org: Organization, **fields: Any) -> Ticket:
    now = timezone.now()
    user = fields.pop("requester", None) or get_user_model().objects.create_user(
        email=f"asker-{secrets.token_hex(4)}@{org.slug}.test"
    )
    with org_context(org):
        number = (Ticket.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        values: dict[str, Any] = {
            "organization": org,
            "number": number,
            "requester": user,
            "requester_email": user.email,
            "subject": f"Help with {org.slug}",
            "description": "It does not work.",
            "first_response_due_at": now + timedelta(hours=4),
            "resolution_due_at": now + timedelta(days=2),
        }
        values.update(fields)
        return Ticket.objects.create(**values)


def message(org: Organization) -> TicketMessage:
    row = ticket(org)
    with org_context(org):
        return TicketMessage.objects.create(
            organization=org, ticket=row, kind=MessageKind.REPLY, body="A reply."
        )


def attachment(org: Organization) -> TicketAttachment:
    row = ticket(org)
    content = png_bytes()
    with org_context(org):
        shot = TicketAttachment(
            organization=org,
            ticket=row,
            original_name="screen.png",
            content_type="image/png",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        shot.file.save("screen.png", ContentFile(content), save=False)
        shot.save()
        return shot


def rating(org: Organization) -> TicketRating:
    row = ticket(org, status=Status.RESOLVED, resolved_at=timezone.now())
    with org_context(org):
        return TicketRating.objects.create(
            organization=org, ticket=row, score=4, rated_by=row.requester
        )


def bug(org: Organization) -> Bug:
    with org_context(org):
        number = (Bug.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        return Bug.objects.create(
            organization=org, number=number, title=f"Bug of {org.slug}", severity="high"
        )


def bug_ticket(org: Organization) -> BugTicket:
    row = ticket(org)
    found = bug(org)
    with org_context(org):
        return BugTicket.objects.create(organization=org, bug=found, ticket=row)


def access_grant(org: Organization) -> TicketAccessGrant:
    from ifm.tenancy.models import PlatformAccessGrant

    row = ticket(org)
    user = get_user_model().objects.create_user(
        email=f"desk-{secrets.token_hex(4)}@ifm.test", is_platform_staff=True
    )
    with org_context(org):
        grant = PlatformAccessGrant.objects.create(
            organization=org,
            user=user,
            role="viewer",
            reason="ticket",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        return TicketAccessGrant.objects.create(organization=org, ticket=row, grant=grant)


def survey_response(org: Organization) -> SurveyResponse:
    user = get_user_model().objects.create_user(email=f"surveyed-{secrets.token_hex(4)}@x.test")
    with org_context(org):
        return SurveyResponse.objects.create(organization=org, user=user, score=4)


MADE: dict[str, Callable[[Organization], Any]] = {
    "ticket": ticket,
    "ticketmessage": message,
    "ticketattachment": attachment,
    "ticketrating": rating,
    "bug": bug,
    "bugticket": bug_ticket,
    "ticketaccessgrant": access_grant,
    "surveyresponse": survey_response,
}
