from __future__ import annotations

from typing import Any

import pytest

from ifm.accounts.services import membership_set
from ifm.conftest import make_user
from ifm.rollout.models import Phase
from ifm.tenancy.roles import Role


@pytest.fixture
def staff(org_a: Any) -> Any:
    """IFM platform staff, with a membership in A so that it has an API token there (the
    organization a platform token names plays no part)."""
    user = make_user("rollout@ifm.test", is_platform_staff=True, full_name="Rollout Staff")
    membership_set(organization=org_a, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def pilot(db: Any) -> Phase:
    return Phase.objects.get(slug="pilot")


@pytest.fixture
def limited(db: Any) -> Phase:
    return Phase.objects.get(slug="limited-release")
