"""Wall three: PostgreSQL row-level security, proved with raw SQL that forgets the scope.

Every tenant table (found from the models, so new modules are covered without new tests)
gets one row of organization A and one of B from tenant_factories.FACTORIES.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from ifm.core.org_context import all_organizations, org_context
from ifm.orgs.services import organization_create
from ifm.tenancy import db as tenancy_db
from ifm.tenancy.db import (
    TenantTable,
    apply_tenant_policies,
    current_db_role,
    owner_role,
    tenant_models,
    tenant_tables,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.tests.tenant_factories import FACTORIES

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-level security exists only on PostgreSQL (run with DATABASE_URL=postgres://...)",
)


def _select_orgs(table: str, column: str = "organization_id") -> list[int | None]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(table)}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _server_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting('ifm.org_id', true), ''), "
            "coalesce(current_setting('ifm.all_orgs', true), '')"
        )
        org_id, all_orgs = cursor.fetchone()
    return org_id, all_orgs or "off"


class Rollback(Exception):
    pass


def _atomic_then_fail(check: Callable[[], None]) -> None:
    """Run `check` in an atomic block that is then rolled back."""
    with transaction.atomic():
        check()
        raise Rollback


def _missing_factories() -> list[str]:
    return sorted(
        m._meta.label_lower for m in tenant_models() if m._meta.label_lower not in FACTORIES
    )


def _filled_tables() -> list[TenantTable]:
    """The tenant tables the isolation tests fill (test_every_tenant_table_has_a_factory
    fails for the others)."""
    return [t for t in tenant_tables() if t.label.lower() in FACTORIES]


def test_every_tenant_table_has_a_factory() -> None:
    missing = _missing_factories()
    assert missing == [], (
        "No way to create a row of these tenant tables, so their row-level security is not "
        "tested: " + ", ".join(missing) + ". Register a factory for each in "
        "ifm/tenancy/tests/tenant_factories.py (@factory('app.model') def make(org): ...)."
    )


def test_tenant_tables_are_found_from_the_models() -> None:
    labels = {m._meta.label_lower for m in tenant_models()}
    assert {
        "tenancy.membership",
        "tenancy.platformaccessgrant",
        "accounts.apitoken",
        "audit.auditevent",
    } <= labels
    assert "tenancy.organization" not in labels
    audit = next(t for t in tenant_tables() if t.label == "audit.AuditEvent")
    assert audit.nullable
    assert audit.column == "organization_id"


@on_postgres
@pytest.mark.postgres
class TestRowLevelSecurity:
    @pytest.fixture
    def two_orgs(self, db: Any) -> tuple[Organization, Organization]:
        a = organization_create(slug="rls-a", name="RLS A")
        b = organization_create(slug="rls-b", name="RLS B")
        for t in _filled_tables():
            for org in (a, b):
                FACTORIES[t.label.lower()](org)
        return a, b

    def test_app_connection_is_an_unprivileged_role(self, db: Any) -> None:
        role = current_db_role()
        assert role == settings.DB_APP_ROLE
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            assert cursor.fetchone() == (False, False)
            tables = [t.table for t in tenant_tables()]
            cursor.execute(
                "SELECT c.relname, pg_get_userbyid(c.relowner), "
                "pg_has_role(current_user, c.relowner, 'USAGE') "
                "FROM pg_class c WHERE c.relname = ANY(%s)",
                [tables],
            )
            rows = cursor.fetchall()
        assert sorted(r[0] for r in rows) == sorted(tables)
        for table, owner, acts_as_owner in rows:
            assert owner != role, f"{table} is owned by the app role"
            assert not acts_as_owner, f"the app role has the rights of {table}'s owner"

    def test_every_tenant_table_has_row_level_security_enabled_and_forced(self, db: Any) -> None:
        tables = [t.table for t in tenant_tables()]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(%s) AND relkind = 'r'",
                [tables],
            )
            state = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
            cursor.execute(
                "SELECT tablename FROM pg_policies WHERE policyname = 'ifm_tenant_isolation'"
            )
            with_policy = {row[0] for row in cursor.fetchall()}
        assert set(state) == set(tables)
        not_protected = [t for t, flags in state.items() if flags != (True, True)]
        assert not_protected == [], f"RLS not enabled and forced on {not_protected}"
        assert set(tables) <= with_policy

    def test_raw_select_sees_only_the_current_organization(
        self, two_orgs: tuple[Organization, Organization]
    ) -> None:
        a, b = two_orgs
        with org_context(a):
            for t in _filled_tables():
                seen = _select_orgs(t.table, t.column)
                assert b.pk not in seen, f"{t.label}: organization B's rows visible in A"
                assert a.pk in seen, f"{t.label}: organization A's own rows are hidden"
                assert set(seen) == {a.pk}, f"{t.label}: rows of another scope visible: {seen}"
        with org_context(b):
            for t in _filled_tables():
                assert set(_select_orgs(t.table, t.column)) == {b.pk}, t.label

    def test_raw_select_without_organization_sees_nothing(
        self, two_orgs: tuple[Organization, Organization]
    ) -> None:
        for t in _filled_tables():
            assert _select_orgs(t.table, t.column) == [], f"{t.label} visible with no organization"

    def test_all_organizations_sees_every_row(
        self, two_orgs: tuple[Organization, Organization]
    ) -> None:
        a, b = two_orgs
        with all_organizations():
            for t in _filled_tables():
                assert {a.pk, b.pk} <= set(_select_orgs(t.table, t.column)), t.label

    def test_writing_a_row_of_another_organization_is_refused(
        self, two_orgs: tuple[Organization, Organization]
    ) -> None:
        a, b = two_orgs
        with org_context(a), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tenancy_membership SET role = 'viewer' WHERE organization_id = %s", [b.pk]
            )
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM tenancy_membership WHERE organization_id = %s", [b.pk])
            assert cursor.rowcount == 0
            with pytest.raises(Exception, match="row-level security"), transaction.atomic():
                cursor.execute(
                    "UPDATE tenancy_membership SET organization_id = %s WHERE organization_id = %s",
                    [b.pk, a.pk],
                )
        with org_context(b):
            assert set(_select_orgs("tenancy_membership")) == {b.pk}

    def test_sign_in_events_are_written_without_organization_but_read_only_across_all(
        self, two_orgs: tuple[Organization, Organization]
    ) -> None:
        a, _ = two_orgs
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditevent (organization_id, actor_label, action, object_type,"
                " object_id, object_repr, changes, user_agent, request_id, created_at) VALUES"
                " (NULL, '', 'user.sign_in', '', '', '', '{}', '', '', now())"
            )
        assert _select_orgs("audit_auditevent") == []
        with org_context(a):
            assert None not in _select_orgs("audit_auditevent")
        with all_organizations():
            assert None in _select_orgs("audit_auditevent")

    def test_owner_role_switches_back(self, db: Any) -> None:
        app_role = current_db_role()
        with owner_role():
            owner = current_db_role()
            assert owner != app_role
            assert _server_settings()[1] == "on"
        assert current_db_role() == app_role
        assert _server_settings() == ("", "off")

    def test_policies_are_reapplied_only_where_missing_or_changed(self, db: Any) -> None:
        with owner_role():
            assert apply_tenant_policies(connection) == []
            with connection.cursor() as cursor:
                cursor.execute("DROP POLICY ifm_tenant_isolation ON tenancy_membership")
                cursor.execute("ALTER TABLE accounts_apitoken NO FORCE ROW LEVEL SECURITY")
            assert sorted(apply_tenant_policies(connection)) == [
                "accounts_apitoken",
                "tenancy_membership",
            ]
            assert apply_tenant_policies(connection) == []

    def test_migrate_runs_as_owner_and_leaves_the_app_role(self, db: Any) -> None:
        call_command("migrate", verbosity=0)
        assert current_db_role() == settings.DB_APP_ROLE
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_policies WHERE policyname = 'ifm_tenant_isolation'"
            )
            assert cursor.fetchone()[0] >= len(tenant_tables())


@on_postgres
@pytest.mark.postgres
class TestSettingFollowsTheContext:
    """ifm.org_id / ifm.all_orgs on the server always match the context, across rollbacks."""

    @pytest.fixture
    def orgs(self, db: Any) -> tuple[Organization, Organization]:
        a = organization_create(slug="sync-a", name="Sync A")
        b = organization_create(slug="sync-b", name="Sync B")
        for org in (a, b):
            FACTORIES["tenancy.membership"](org)
        return a, b

    def _assert_scope(self, org: Organization | None) -> None:
        expected = "" if org is None else str(org.pk)
        assert _server_settings() == (expected, "off")
        assert set(_select_orgs("tenancy_membership")) == (set() if org is None else {org.pk})

    def test_follows_org_context_and_all_organizations(
        self, orgs: tuple[Organization, Organization]
    ) -> None:
        a, b = orgs
        self._assert_scope(None)
        with org_context(a):
            self._assert_scope(a)
            with org_context(b):
                self._assert_scope(b)
            self._assert_scope(a)
            with all_organizations():
                assert _server_settings() == (str(a.pk), "on")
                assert set(_select_orgs("tenancy_membership")) >= {a.pk, b.pk}
            self._assert_scope(a)
        self._assert_scope(None)

    def test_unchanged_context_sends_nothing_more(
        self, orgs: tuple[Organization, Organization]
    ) -> None:
        a, b = orgs
        state = getattr(connection, tenancy_db.STATE_ATTR)
        with org_context(a):
            _select_orgs("tenancy_membership")
            sent = state.queries_sent
            for _ in range(5):
                _select_orgs("tenancy_membership")
            assert state.queries_sent == sent
        with org_context(b):
            _select_orgs("tenancy_membership")
        assert state.queries_sent == sent + 1

    def test_savepoint_rollback_restores_the_setting(
        self, orgs: tuple[Organization, Organization]
    ) -> None:
        a, b = orgs
        with transaction.atomic():
            with org_context(a):
                self._assert_scope(a)
            with org_context(b):
                with pytest.raises(Rollback):
                    _atomic_then_fail(lambda: self._assert_scope(b))  # set after the savepoint
                # ... and undone by ROLLBACK TO SAVEPOINT: still B here, not A.
                self._assert_scope(b)
            self._assert_scope(None)
            with org_context(a), transaction.atomic():
                self._assert_scope(a)
            with org_context(a):
                self._assert_scope(a)


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestSettingAcrossRealTransactions:
    """With real commits and rollbacks (autocommit outside atomic blocks)."""

    def _orgs(self) -> tuple[Organization, Organization]:
        a = organization_create(slug="tx-a", name="Tx A")
        b = organization_create(slug="tx-b", name="Tx B")
        for org in (a, b):
            FACTORIES["tenancy.membership"](org)
        return a, b

    def _scope(self) -> tuple[tuple[str, str], set[int | None]]:
        return _server_settings(), set(_select_orgs("tenancy_membership"))

    def _expect(self, scope: tuple[tuple[str, str], set[int | None]]) -> None:
        assert self._scope() == scope

    def test_runs_as_the_app_role_after_a_flush(self) -> None:
        assert current_db_role() == settings.DB_APP_ROLE

    def test_rollback_of_an_atomic_block(self) -> None:
        a, b = self._orgs()
        with org_context(a):
            assert self._scope() == ((str(a.pk), "off"), {a.pk})  # session value: A
        with org_context(b):
            with pytest.raises(Rollback):
                _atomic_then_fail(lambda: self._expect(((str(b.pk), "off"), {b.pk})))
            # The transaction that saw B rolled back; the server is back to A, the context is B.
            assert self._scope() == ((str(b.pk), "off"), {b.pk})
        with org_context(a):
            assert self._scope() == ((str(a.pk), "off"), {a.pk})

    def test_commit_of_an_atomic_block(self) -> None:
        a, b = self._orgs()
        with org_context(b), transaction.atomic():
            assert self._scope() == ((str(b.pk), "off"), {b.pk})
        assert self._scope() == (("", "off"), set())
        with org_context(a), transaction.atomic():
            assert self._scope() == ((str(a.pk), "off"), {a.pk})
            with transaction.atomic(), org_context(b):
                assert self._scope() == ((str(b.pk), "off"), {b.pk})
            assert self._scope() == ((str(a.pk), "off"), {a.pk})
        with all_organizations():
            assert self._scope()[1] >= {a.pk, b.pk}
        assert self._scope() == (("", "off"), set())

    def test_a_new_connection_starts_clean(self) -> None:
        a, _ = self._orgs()
        with org_context(a):
            assert self._scope()[1] == {a.pk}
            connection.close()
            assert self._scope() == ((str(a.pk), "off"), {a.pk})
            assert current_db_role() == settings.DB_APP_ROLE
        assert self._scope() == (("", "off"), set())
