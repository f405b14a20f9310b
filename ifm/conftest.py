"""The fixed cast every test can use.

Organization A ("alpha") has one user of each role; organization B ("beta") has its own admin,
who must never see anything of A. `outsider` belongs to no organization.
"""

from __future__ import annotations

import os
import uuid
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

# Workers and servers that tests start (`ifm worker`, `ifm serve`) inherit this environment:
# they must not queue the daily backup of a test database on their own.
os.environ.setdefault("BACKUP_EVERY_HOURS", "0")
os.environ.setdefault("BACKUP_VERIFY_EVERY_DAYS", "0")


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Still argon2, with the cost turned down: tests hash hundreds of passwords."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["ifm.conftest.CheapArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _housekeeping_off_the_request_path(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two chores of each process touch the database now and then: the maintenance switch is
    read again once a second, and request counts are written every REQUEST_FLUSH_SECONDS. A
    test that counts a request's queries must not catch one of them by chance, so each test
    starts with the switch known to be off and no counts, kept in memory. A change made through
    the maintenance services is still seen at once (they drop the cached state), and the
    tests of these chores set their own values (test_maintenance.py, test_metrics.py)."""
    from ifm.ops import requests as request_counts
    from ifm.ops.maintenance import state

    monkeypatch.setattr(state, "_cached", (float("inf"), state.OFF))
    settings.REQUEST_FLUSH_SECONDS = 3600
    request_counts.discard_buffer()  # nothing counted by an earlier test is written by this one


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


# --- Object storage: a real S3-compatible server ------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto in server mode) on a free port for the whole session;
    yields its endpoint URL. Tests talk to it over HTTP, as production talks to its bucket."""
    from moto.server import ThreadedMotoServer  # only the tests that use it pay

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


S3_TEST_CREDENTIALS = {"access_key": "ifm-test", "secret_key": "ifm-test-secret"}


@pytest.fixture
def s3_storages(s3_endpoint: str, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """STORAGE_BACKEND=s3 for one test: both storages ("default", "private") in a fresh bucket
    of the S3 server, with the options production uses (ifm.settings.s3_storage_options). The
    local media directories point into tmp_path, so a test can delete them. Returns the bucket's
    name, endpoint and a boto3 client."""
    import boto3

    from ifm.settings import s3_storage_options

    bucket = f"ifm-test-{uuid.uuid4().hex[:16]}"
    s3 = {
        "bucket_name": bucket,
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        **S3_TEST_CREDENTIALS,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_TEST_CREDENTIALS["access_key"],
        aws_secret_access_key=S3_TEST_CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=bucket)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options("media", s3=s3, prefix=""),
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options("private", s3=s3, prefix=""),
        },
    }
    return {"bucket": bucket, "endpoint": s3_endpoint, "client": client}


@pytest.fixture
def disk_storages(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """STORAGE_BACKEND=filesystem for one test, both storages under tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "private": {"BACKEND": "ifm.core.storage.PrivateStorage"},
    }
    return {"media": tmp_path / "media", "private": tmp_path / "private"}
