from __future__ import annotations

from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.tenancy.models import Membership


def service_kwargs(org: Any, user: Any) -> dict[str, Any]:
    with org_context(org):
        access = Membership.objects.get(user=user)
    return {"organization": org, "access": access, "actor": user}


@pytest.fixture
def coordinator(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    return service_kwargs(org_a, cast["volunteer_coordinator"])


@pytest.fixture
def staff(org_a: Any, cast: dict[str, Any]) -> dict[str, Any]:
    return service_kwargs(org_a, cast["staff"])
