"""Setting an organization's modules: validated, audited, and seen by the registry."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.audit.models import AuditEvent
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.orgs.modules import organization_modules_set
from ifm.tenancy import modules
from ifm.tenancy.models import Organization


def events(org: Any) -> list[Any]:
    with org_context(org):  # the organization's own log, as row-level security shows it
        return list(
            AuditEvent.objects.filter(organization=org, action="organization.modules").order_by(
                "pk"
            )
        )


def test_set_audit_and_back_to_all(org_a: Any) -> None:
    organization_modules_set(organization=org_a, module_keys=["ledger", "donors"], reason="pilot")
    org = Organization.objects.get(pk=org_a.pk)
    assert modules.enabled_module_keys(org) == {"ledger", "donors"}
    (event,) = events(org_a)
    assert event.changes["enabled_modules"] == {"before": None, "after": ["donors", "ledger"]}
    assert event.changes["reason"] == "pilot"

    organization_modules_set(organization=org_a, module_keys=["donors", "ledger"])
    assert len(events(org_a)) == 1  # the same set again: nothing written

    organization_modules_set(organization=org_a, module_keys=None)
    assert Organization.objects.get(pk=org_a.pk).enabled_modules is None
    assert len(events(org_a)) == 2


def test_unknown_module_is_refused_whole(org_a: Any) -> None:
    with pytest.raises(ServiceError, match="Unknown module payroll"):
        organization_modules_set(organization=org_a, module_keys=["ledger", "payroll"])
    assert Organization.objects.get(pk=org_a.pk).enabled_modules is None
    assert events(org_a) == []
