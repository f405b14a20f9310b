"""The fixed cast every test can use.

Organization A ("alpha") has one user of each role; organization B ("beta") has its own admin,
who must never see anything of A. `outsider` belongs to no organization.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

from ifm.accounts.services import membership_set
from ifm.core.org_context import org_context
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

PASSWORD = "correct-horse-battery-9"  # noqa: S105  (test-only password)


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Still argon2, with the cost turned down: tests hash hundreds of passwords."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["ifm.conftest.CheapArgon2PasswordHasher"]


def make_user(email: str, **extra: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(email=email, password=PASSWORD, **extra)


@pytest.fixture
def org_a(db: Any) -> Organization:
    return organization_create(slug="alpha", name="Alpha Outreach", ein="11-1111111")


@pytest.fixture
def org_b(db: Any) -> Organization:
    return organization_create(slug="beta", name="Beta Shelter", ein="22-2222222")


@pytest.fixture
def cast(org_a: Organization, org_b: Organization) -> dict[str, Any]:
    """users["admin"] .. users["viewer"] in A, "other_admin" in B, "outsider" in none."""
    users: dict[str, Any] = {}
    for role in Role:
        user = make_user(f"{role.value}@alpha.test", full_name=f"Alpha {role.label}")
        membership_set(organization=org_a, user=user, role=role)
        users[role.value] = user
    users["other_admin"] = make_user("admin@beta.test", full_name="Beta Admin")
    membership_set(organization=org_b, user=users["other_admin"], role=Role.ADMIN)
    users["outsider"] = make_user("nobody@example.test")
    return users


@pytest.fixture
def in_org_a(org_a: Organization) -> Iterator[Organization]:
    with org_context(org_a):
        yield org_a


def client_for(user: Any) -> Client:
    """A fully signed-in browser session. For IFM staff and people with an authenticator app
    that means one that went through the second factor, as the sign-in pages would have it."""
    from ifm.accounts.twofactor import has_totp, is_ifm_staff

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if is_ifm_staff(user) or has_totp(user):
        record_second_factor(client, user)
    return client


def record_second_factor(client: Client, user: Any) -> None:
    """Record in the client's session that its sign-in used an authenticator code."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def admin_client_a(cast: dict[str, Any]) -> Client:
    return client_for(cast["admin"])


@pytest.fixture
def run_jobs(db: Any) -> Any:
    """Run every queued background job now, as the worker would; returns how many were queued."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    def run() -> int:
        from unittest import mock

        pending = DBTaskResult.objects.ready().count()
        # The worker closes "old" connections between jobs; on PostgreSQL that would close the
        # connection holding the test's transaction (SQLite's in-memory test database ignores it).
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(
                "db_worker", batch=True, no_startup_delay=True, queue_name="*", verbosity=0
            )
        return pending

    return run
