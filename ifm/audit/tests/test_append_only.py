"""The audit log is append-only in the database itself (PostgreSQL trigger), not just in Python."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from ifm.audit.models import AuditEvent
from ifm.audit.services import audit_record
from ifm.core.org_context import all_organizations
from ifm.tenancy.db import owner_role

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only trigger exists only on PostgreSQL",
    ),
]


@pytest.fixture
def event(cast: dict[str, Any], org_a: Any) -> AuditEvent:
    return audit_record(action="donor.update", actor=cast["admin"], organization=org_a)


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as c:
        # Inside the test's transaction, earlier inserts leave deferred FK checks that would
        # make PostgreSQL refuse a TRUNCATE for that reason instead of the trigger's.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE; " + sql)
    return str(raised.value)


def _count() -> int:
    with all_organizations():
        return AuditEvent.objects.count()


def test_raw_update_is_refused(event: AuditEvent) -> None:
    before = _count()
    with all_organizations():  # so the rows are visible and the refusal is the trigger's
        message = _refused("UPDATE audit_auditevent SET action = 'forged'")
    assert "append-only" in message
    with all_organizations():
        assert AuditEvent.objects.get(pk=event.pk).action == "donor.update"
        assert _count() == before


def test_raw_delete_is_refused(event: AuditEvent) -> None:
    before = _count()
    with all_organizations():
        message = _refused("DELETE FROM audit_auditevent")
    assert "append-only" in message
    assert _count() == before


def test_truncate_is_refused_for_the_app_role(event: AuditEvent) -> None:
    before = _count()
    message = _refused("TRUNCATE audit_auditevent CASCADE")
    assert "append-only" in message
    assert _count() == before


def test_the_owner_may_not_update_either(event: AuditEvent) -> None:
    with owner_role():
        message = _refused("UPDATE audit_auditevent SET action = 'forged'")
    assert "append-only" in message


def test_inserting_still_works(event: AuditEvent, org_a: Any) -> None:
    before = _count()
    audit_record(action="donor.create", organization=org_a)
    audit_record(action="user.sign_in")
    assert _count() == before + 2
