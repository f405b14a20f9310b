"""The one way to write the audit log."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from ifm.audit.models import AuditEvent
from ifm.core.org_context import all_organizations, org_context
from ifm.core.request_context import current_request_meta


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    organization: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event. `changes` is {"field": {"before": x, "after": y}} or any JSON-able dict.

    Who, from where and which request are taken from `request`, or else from the request
    being served in this context (set by the request-id middleware), so services need not pass it.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    values = audit_values(
        action=action,
        actor=actor,
        organization=organization,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
        request=request,
        actor_label=actor_label,
    )
    with _write_scope(organization):
        return AuditEvent.objects.create(**values)


def audit_values(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    organization: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> dict[str, Any]:
    """The column values of one audit event (audit_record writes them; a service that inserts
    its rows with one SQL statement inserts these too, so its events carry the same facts)."""
    meta = current_request_meta(request)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return {
        "organization": organization,
        "actor": actor,
        "actor_label": (actor_label or str(getattr(actor, "email", "") or ""))[:254],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:200],
        "changes": _jsonable(changes or {}),
        "ip_address": meta.get("ip"),
        "user_agent": (meta.get("user_agent") or "")[:300],
        "request_id": meta.get("request_id") or "",
        "created_at": timezone.now(),
    }


def _write_scope(organization: Any) -> AbstractContextManager[None]:
    """The tenant scope the event is written in (PostgreSQL row-level security checks it).

    An event names its organization explicitly, so it is written in that organization's scope,
    whatever the caller's (creating an organization happens outside it). An event of no
    organization (a sign-in) is readable only across organizations, and Django reads the new
    row back on insert, so it is written in that scope.
    """
    if organization is None:
        return all_organizations()
    return org_context(organization)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields that changed, as {"field": {"before": old, "after": new}}."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
