"""Setting an organization's enabled modules: the one write behind the rollout console's
phases and overrides, its API and its command. Reads are `ifm.tenancy.modules`."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.tenancy import modules
from ifm.tenancy.models import Organization


@transaction.atomic
def organization_modules_set(
    *,
    organization: Organization,
    module_keys: list[str] | tuple[str, ...] | set[str] | None,
    actor: Any = None,
    reason: str = "",
) -> Organization:
    """Enable exactly `module_keys` for the organization (None: every module, including those
    registered later). Unknown keys are refused whole, naming them. Audited in the
    organization's own log with the set before and after; setting the same set again writes
    nothing."""
    try:
        chosen = None if module_keys is None else modules.clean_module_keys(module_keys)
    except ValueError as exc:
        raise ServiceError(str(exc), field="modules") from None
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    before = org.enabled_modules
    if before == chosen:
        organization.enabled_modules = chosen
        return organization
    org.enabled_modules = chosen
    org.save(update_fields=["enabled_modules"])
    organization.enabled_modules = chosen
    audit_record(
        action="organization.modules",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label="" if getattr(actor, "is_authenticated", False) else "ifm command line",
        organization=org,
        obj=org,
        changes={
            "enabled_modules": {"before": before, "after": chosen},
            **({"reason": reason[:500]} if reason else {}),
        },
    )
    return organization
