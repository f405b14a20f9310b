"""Idempotency-Key: a retried creating POST answers the first response and creates nothing."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from ifm.accounts.models import Invitation
from ifm.core.api import idempotency_lock_id
from ifm.core.models import IdempotencyRecord
from ifm.core.org_context import all_organizations, org_context
from ifm.core.tests.api_helpers import (
    api_client_for,
    assert_problem,
    send_json,
)

URL = "/api/v1/members/invitations"


@pytest.fixture
def admin_api(cast: dict[str, Any], org_a: Any) -> Any:
    return api_client_for(cast["admin"], org_a)


def _invitations(org: Any) -> list[Invitation]:
    with org_context(org):
        return list(Invitation.objects.order_by("pk"))


def _post(client: Any, body: Any, key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return send_json(client, "POST", URL, body, headers=headers)


def test_retry_replays_the_first_response_and_creates_nothing(admin_api: Any, org_a: Any) -> None:
    body = {"email": "new@alpha.test", "role": "staff"}
    first = _post(admin_api, body, "key-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    retry = _post(admin_api, {"role": "staff", "email": "new@alpha.test"}, "key-1")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    invitations = _invitations(org_a)
    assert [i.email for i in invitations] == ["new@alpha.test"]
    assert invitations[0].revoked_at is None
    with org_context(org_a):
        record = IdempotencyRecord.objects.get()
    assert (record.key, record.method, record.path, record.response_status) == (
        "key-1",
        "POST",
        URL,
        201,
    )


def test_without_a_key_every_post_runs(admin_api: Any, org_a: Any) -> None:
    body = {"email": "new@alpha.test", "role": "staff"}
    assert _post(admin_api, body, None).status_code == 201
    assert _post(admin_api, body, None).status_code == 201
    assert len(_invitations(org_a)) == 2
    with all_organizations():
        assert not IdempotencyRecord.all_orgs.exists()


def test_same_key_with_another_body_is_422(admin_api: Any, org_a: Any) -> None:
    assert _post(admin_api, {"email": "a@alpha.test", "role": "staff"}, "k").status_code == 201
    response = _post(admin_api, {"email": "b@alpha.test", "role": "staff"}, "k")
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert [i.email for i in _invitations(org_a)] == ["a@alpha.test"]


def test_failed_request_is_not_stored(admin_api: Any, org_a: Any) -> None:
    bad = _post(admin_api, {"email": "not-an-email", "role": "staff"}, "k")
    assert assert_problem(bad, 422)["errors"][0]["field"] == "email"
    with org_context(org_a):
        assert not IdempotencyRecord.objects.exists()
    fixed = _post(admin_api, {"email": "ok@alpha.test", "role": "staff"}, "k")
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed


def test_keys_belong_to_one_user(cast: dict[str, Any], org_a: Any, admin_api: Any) -> None:
    body = {"email": "new@alpha.test", "role": "staff"}
    assert _post(admin_api, body, "shared").status_code == 201
    # A second admin using the same key string makes their own request.
    from ifm.accounts.services import membership_set

    membership_set(organization=org_a, user=cast["finance"], role="admin")
    other = api_client_for(cast["finance"], org_a)
    response = _post(other, body, "shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert len(_invitations(org_a)) == 2


def test_expired_key_runs_again_and_purge_deletes_old_keys(admin_api: Any, org_a: Any) -> None:
    body = {"email": "new@alpha.test", "role": "staff"}
    assert _post(admin_api, body, "old").status_code == 201
    with all_organizations():
        IdempotencyRecord.all_orgs.update(created_at=timezone.now() - timedelta(hours=25))
    again = _post(admin_api, body, "old")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert _post(admin_api, body, "recent").status_code == 201
    with all_organizations():
        IdempotencyRecord.all_orgs.filter(key="old").update(
            created_at=timezone.now() - timedelta(hours=25)
        )
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "Deleted 1 " in out.getvalue()
    with all_organizations():
        assert list(IdempotencyRecord.all_orgs.values_list("key", flat=True)) == ["recent"]


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_unusable_key_is_422(admin_api: Any, org_a: Any, key: str) -> None:
    response = _post(admin_api, {"email": "new@alpha.test", "role": "staff"}, key)
    assert assert_problem(response, 422)["errors"][0]["field"] == "Idempotency-Key"
    assert _invitations(org_a) == []


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writing transaction at a time: a duplicate waits, then replays.",
)
def test_concurrent_duplicate_is_409(cast: dict[str, Any], org_a: Any, admin_api: Any) -> None:
    lock_id = idempotency_lock_id(org_a.pk, cast["admin"].pk, "busy")
    held = threading.Event()
    release = threading.Event()

    def first_request_in_flight() -> None:
        # Another process holding the key's lock, as the first request does while it runs.
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [lock_id])
                held.set()
                release.wait(10)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])
        finally:
            connections["default"].close()

    worker = threading.Thread(target=first_request_in_flight)
    worker.start()
    try:
        assert held.wait(10)
        response = _post(admin_api, {"email": "new@alpha.test", "role": "staff"}, "busy")
        assert assert_problem(response, 409)["type"].endswith("/idempotency-in-progress")
    finally:
        release.set()
        worker.join()
    assert _invitations(org_a) == []
    after = _post(admin_api, {"email": "new@alpha.test", "role": "staff"}, "busy")
    assert after.status_code == 201
