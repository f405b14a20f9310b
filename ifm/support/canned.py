"""Canned replies: saved answers platform staff pick on the desk to fill the reply box.

A body may name a few fields in braces, e.g. "Hello {first_name}, about {ticket}: ...". They
are filled in by plain substitution from a fixed list (FIELDS); the template engine never sees
the text, so a reply cannot reach anything else. A name outside the list is refused when the
reply is saved; text in braces that is not a name ("{ }", "{1}") is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.ops.services import require_platform_staff
from ifm.support.models import CannedReply, Category, Ticket, Tier

MAX_TITLE = 120
MAX_BODY = 20_000
PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def _first_name(ticket: Ticket, actor: Any) -> str:
    name = (getattr(ticket.requester, "full_name", "") or "").strip()
    return name.split()[0] if name else "there"


def _agent(ticket: Ticket, actor: Any) -> str:
    name = (getattr(actor, "full_name", "") or "").strip()
    return name.split()[0] if name else "IFM support"


# name -> (what it is, how to read it from the ticket and the staff member answering).
FIELDS: dict[str, tuple[str, Callable[[Ticket, Any], str]]] = {
    "first_name": ("the requester's first name (or “there”)", _first_name),
    "ticket": ("the ticket's number, e.g. #12", lambda t, a: t.reference),
    "subject": ("the ticket's subject", lambda t, a: t.subject),
    "organization": ("the organization's name", lambda t, a: str(t.organization.name)),
    "agent": ("your first name", _agent),
}


def fields_help() -> str:
    return "; ".join(f"{{{name}}}: {what}" for name, (what, _) in FIELDS.items())


def render(body: str, *, ticket: Ticket, actor: Any) -> str:
    """The body with each known {field} filled in for this ticket; anything else unchanged."""

    def fill(match: re.Match[str]) -> str:
        field = FIELDS.get(match[1])
        return match[0] if field is None else field[1](ticket, actor)

    return PLACEHOLDER.sub(fill, body)


def _clean(
    title: str, body: str, category: str | None, tier: int | None
) -> tuple[str, str, str, int | None]:
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise ServiceError("Give the reply a title.", field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(f"The title may be at most {MAX_TITLE} characters.", field="title")
    if not body:
        raise ServiceError("Write the reply.", field="body")
    if len(body) > MAX_BODY:
        raise ServiceError(f"The reply may be at most {MAX_BODY:,} characters.", field="body")
    unknown = sorted({m[1] for m in PLACEHOLDER.finditer(body)} - FIELDS.keys())
    if unknown:
        names = ", ".join(f"{{{u}}}" for u in unknown)
        allowed = ", ".join(f"{{{f}}}" for f in FIELDS)
        raise ServiceError(f"Unknown field {names}: use {allowed}.", field="body")
    category = category or ""
    if category and category not in Category.values:
        raise ServiceError(f"{category!r} is not a category.", field="category")
    if tier is not None and tier not in Tier.values:
        raise ServiceError("The tier is 1, 2 or 3.", field="tier")
    return title, body, category, tier


def _save(reply: CannedReply) -> None:
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ServiceError(
            f"There is already a canned reply titled {reply.title!r}.", field="title"
        ) from None


def _audit(action: str, actor: Any, reply: CannedReply, changes: dict[str, Any]) -> None:
    audit_record(action=action, actor=actor, obj=reply, changes=changes)


@transaction.atomic
def canned_reply_create(
    *,
    actor: User,
    title: str,
    body: str,
    category: str | None = "",
    tier: int | None = None,
) -> CannedReply:
    require_platform_staff(actor)
    title, body, category, tier = _clean(title, body, category, tier)
    reply = CannedReply(title=title, body=body, category=category, tier=tier, created_by=actor)
    _save(reply)
    _audit("support.canned_reply_create", actor, reply, {"title": title})
    return reply


@transaction.atomic
def canned_reply_update(
    *,
    actor: User,
    reply: CannedReply,
    title: str,
    body: str,
    category: str | None = "",
    tier: int | None = None,
) -> CannedReply:
    require_platform_staff(actor)
    title, body, category, tier = _clean(title, body, category, tier)
    reply = CannedReply.objects.select_for_update().get(pk=reply.pk)
    before = {"title": reply.title, "category": reply.category, "tier": reply.tier}
    reply.title, reply.body, reply.category, reply.tier = title, body, category, tier
    reply.updated_at = timezone.now()
    _save(reply)
    after = {"title": title, "category": category, "tier": tier}
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    _audit("support.canned_reply_update", actor, reply, changes)
    return reply


@transaction.atomic
def canned_reply_delete(*, actor: User, reply: CannedReply) -> None:
    require_platform_staff(actor)
    _audit("support.canned_reply_delete", actor, reply, {"title": reply.title})
    reply.delete()


def canned_reply_list(*, ticket: Ticket | None = None) -> QuerySet[CannedReply]:
    """Every canned reply; for a ticket, those meant for its tier and category (or for any)."""
    replies = CannedReply.objects.all()
    if ticket is not None:
        replies = replies.filter(Q(tier__isnull=True) | Q(tier=ticket.tier)).filter(
            Q(category="") | Q(category=ticket.category)
        )
    return replies


def canned_reply_get(reply_id: int) -> CannedReply | None:
    return CannedReply.objects.filter(pk=reply_id).first()
