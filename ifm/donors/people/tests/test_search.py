"""Donor search: literal words, and on PostgreSQL the search table, its triggers and its
SECURITY DEFINER function (migration donors.0011), which must isolate organizations as the
row-level security policies do, with no function marked LEAKPROOF and no superuser."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from ifm.core.org_context import all_organizations, org_context
from ifm.donors import merge
from ifm.donors.conftest import access_of
from ifm.donors.models import Donor
from ifm.donors.people import contacts, selectors, services

ROOT = Path(__file__).resolve().parents[4]

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the search table exists only on PostgreSQL (run with DATABASE_URL=postgres://...)",
)


def _function_ids(*terms: str) -> list[int]:
    """What ifm_donor_search returns, called by raw SQL as the app role (no row limit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.ifm_donor_search(%s::text[])", [list(terms)])
        return sorted(row[0] for row in cursor.fetchall())


def _table_rows() -> dict[int, tuple[int, str]]:
    """The search table as its owner sees it: donor id -> (organization id, search text)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE NONE")
        try:
            cursor.execute("SELECT donor_id, org_id, search FROM ifm_search.donor")
            return {d: (o, s) for d, o, s in cursor.fetchall()}
        finally:
            cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(settings.DB_APP_ROLE)}")


def _superuser_connection(dbname: str) -> Any:
    import psycopg

    cfg = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def fundraiser(org_a: Any, cast: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Service keyword arguments of A's fundraising user, with A in context."""
    with org_context(org_a):
        user = cast["fundraising"]
        yield {"organization": org_a, "actor": user, "access": access_of(user)}


@pytest.fixture
def b_kwargs(org_b: Any, cast: dict[str, Any]) -> dict[str, Any]:
    """Service keyword arguments of B's admin (B is not left in context)."""
    with org_context(org_b):
        user = cast["other_admin"]
        return {"organization": org_b, "actor": user, "access": access_of(user)}


# --- Every database ----------------------------------------------------------------------------


def test_words_match_literally(fundraiser: dict[str, Any]) -> None:
    # Short words (filtering search_text) and words with three letters or digits in a row
    # (through the search function on PostgreSQL) alike.
    percent = services.donor_create(**fundraiser, kind="organization", organization_name="50% Club")
    services.donor_create(**fundraiser, kind="organization", organization_name="5000 Club")
    hundred = services.donor_create(
        **fundraiser, kind="organization", organization_name="100% Fund"
    )
    services.donor_create(**fundraiser, kind="organization", organization_name="1000 Fund")
    under = services.donor_create(**fundraiser, first_name="Jo", last_name="Abc_Def")
    services.donor_create(**fundraiser, first_name="Jo", last_name="AbcxDef")
    slash = services.donor_create(
        **fundraiser, kind="organization", organization_name="Back\\Slash"
    )
    services.donor_create(**fundraiser, kind="organization", organization_name="Back Slash")
    assert list(selectors.donor_search("50%")) == [percent]
    assert list(selectors.donor_search("50% club")) == [percent]
    assert list(selectors.donor_search("100%")) == [hundred]
    assert list(selectors.donor_search("abc_def")) == [under]
    assert list(selectors.donor_search("c_d")) == [under]
    assert list(selectors.donor_search("back\\s")) == [slash]
    assert list(selectors.donor_search("k\\s")) == [slash]
    assert sorted(d.pk for d in selectors.donor_search("%")) == sorted([percent.pk, hundred.pk])
    assert list(selectors.donor_search("_")) == [under]


def test_common_words_give_the_same_donors_either_way(fundraiser: dict[str, Any]) -> None:
    """More matches than the id list takes: the words filter search_text, same result."""
    from ifm.donors.people import search

    made = [
        services.donor_create(**fundraiser, first_name=f"Pat{i}", last_name="Common", email="")
        for i in range(4)
    ]
    services.donor_create(**fundraiser, first_name="Other", last_name="Person")
    by_ids = search.matching(Donor.objects.all(), ["common"])
    by_text = search.matching(Donor.objects.all(), ["common"], max_ids=2)
    assert sorted(d.pk for d in by_ids) == sorted(d.pk for d in made)
    assert sorted(d.pk for d in by_text) == sorted(d.pk for d in made)
    assert list(search.matching(Donor.objects.all(), ["nobody"], max_ids=2)) == []


def test_search_stays_in_the_organization(
    fundraiser: dict[str, Any], b_kwargs: dict[str, Any]
) -> None:
    ours = services.donor_create(**fundraiser, first_name="Robin", last_name="Marsh")
    with org_context(b_kwargs["organization"]):
        theirs = services.donor_create(**b_kwargs, first_name="Robin", last_name="Marsh")
        assert list(selectors.donor_search("robin marsh")) == [theirs]
    assert list(selectors.donor_search("robin marsh")) == [ours]
    assert list(selectors.donor_search("marsh")) == [ours]


# --- PostgreSQL: the search table and its function -------------------------------------------


@on_postgres
def test_function_returns_only_the_organizations_donors(
    fundraiser: dict[str, Any], b_kwargs: dict[str, Any]
) -> None:
    ours = services.donor_create(**fundraiser, first_name="Robin", last_name="Marsh")
    org_b = b_kwargs["organization"]
    with org_context(org_b):
        theirs = services.donor_create(**b_kwargs, first_name="Robin", last_name="Marsh")
        assert _function_ids("marsh") == [theirs.pk]
    assert _function_ids("marsh") == [ours.pk]
    assert _function_ids("robin", "marsh") == [ours.pk]
    assert _function_ids("marsh", "nobody") == []
    # With no organization and all-organizations off, nothing, whatever the server held before.
    with org_context(None):
        assert _function_ids("marsh") == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('ifm.org_id', '', true), set_config('ifm.all_orgs', 'off', true)"
        )
        cursor.execute("SELECT count(*) FROM public.ifm_donor_search(ARRAY['marsh'])")
        assert cursor.fetchone()[0] == 0
        # An organization that is not the donors': none of theirs.
        cursor.execute(
            "SELECT set_config('ifm.org_id', %s, true), set_config('ifm.all_orgs', 'off', true)",
            [str(org_b.pk + 1000)],
        )
        cursor.execute("SELECT count(*) FROM public.ifm_donor_search(ARRAY['marsh'])")
        assert cursor.fetchone()[0] == 0
    # Across all organizations (as the tenant policy allows there), both.
    with org_context(None), all_organizations():
        assert _function_ids("marsh") == sorted([ours.pk, theirs.pk])


@on_postgres
def test_function_matches_terms_literally(fundraiser: dict[str, Any]) -> None:
    percent = services.donor_create(**fundraiser, kind="organization", organization_name="50% Club")
    services.donor_create(**fundraiser, kind="organization", organization_name="5000 Club")
    under = services.donor_create(**fundraiser, first_name="Jo", last_name="A_B")
    services.donor_create(**fundraiser, first_name="Jo", last_name="Axb")
    slash = services.donor_create(
        **fundraiser, kind="organization", organization_name="Back\\Slash"
    )
    services.donor_create(**fundraiser, kind="organization", organization_name="Back Slash")
    assert _function_ids("50%") == [percent.pk]
    assert _function_ids("%") == [percent.pk]
    assert _function_ids("a_b") == [under.pk]
    assert _function_ids("_") == [under.pk]
    assert _function_ids("k\\s") == [slash.pk]
    assert _function_ids("\\") == [slash.pk]
    assert _function_ids("'") == []
    assert _function_ids("CLUB", "50%") == [percent.pk]  # any case, every term
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.ifm_donor_search(ARRAY['club'], 1)")
        assert len(cursor.fetchall()) == 1


@on_postgres
def test_app_role_cannot_read_the_search_table(fundraiser: dict[str, Any]) -> None:
    from django.db import ProgrammingError, transaction

    services.donor_create(**fundraiser, first_name="Robin", last_name="Marsh")
    for sql in ("SELECT donor_id FROM ifm_search.donor", "DELETE FROM ifm_search.donor"):
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert len(_function_ids("marsh")) == 1


@on_postgres
def test_triggers_keep_the_table_current(fundraiser: dict[str, Any]) -> None:
    org = fundraiser["organization"]
    ann = services.donor_create(**fundraiser, first_name="Ann", last_name="Lee", email="a@x.org")
    assert _table_rows()[ann.pk] == (org.pk, ann.search_text)
    assert _function_ids("a@x.org") == [ann.pk]

    ann = services.donor_update(
        **fundraiser, donor=ann, expected_version=ann.version, last_name="Leeds"
    )
    assert "leeds" in _table_rows()[ann.pk][1]
    assert _function_ids("leeds") == [ann.pk]
    contacts.donor_email_add(**fundraiser, donor=ann, email="second@mail.example")
    assert _function_ids("second@mail") == [ann.pk]

    # Bulk writes that bypass the services are caught by the triggers too.
    made = Donor.objects.bulk_create(
        [
            Donor(organization=org, first_name="Bulk", last_name=f"Row{i}", search_text=f"bulk {i}")
            for i in range(3)
        ]
    )
    assert _function_ids("bulk") == sorted(d.pk for d in made)
    Donor.objects.filter(pk=made[0].pk).update(search_text="renamed")
    assert _function_ids("bulk") == sorted(d.pk for d in made[1:])
    assert _function_ids("renamed") == [made[0].pk]
    Donor.objects.filter(pk__in=[d.pk for d in made]).delete()
    assert _function_ids("bulk") == []
    assert not set(_table_rows()) & {d.pk for d in made}

    # A merge: the kept donor is found by the email it takes over.
    dupe = services.donor_create(
        **fundraiser,
        first_name="Anne",
        last_name="Leeds",
        email="anne@old.example",
        confirm_duplicate=True,
    )
    kept = merge.donor_merge(**fundraiser, keep=ann, merge=dupe)
    assert kept.pk in _function_ids("anne@old.example")
    assert list(selectors.donor_search("anne@old.example")) == [kept]
    assert set(_table_rows()) >= {ann.pk, dupe.pk}


@on_postgres
def test_no_builtin_function_is_marked_leakproof() -> None:
    """Every pg_catalog function's LEAKPROOF flag is what a new database has (template1)."""
    query = (
        "SELECT p.oid::regprocedure::text, p.proleakproof FROM pg_proc p "
        "WHERE p.pronamespace = 'pg_catalog'::regnamespace"
    )
    with _superuser_connection("template1") as conn:
        fresh = dict(conn.execute(query).fetchall())
    with _superuser_connection(connection.settings_dict["NAME"]) as conn:
        ours = dict(conn.execute(query).fetchall())
    changed = sorted(name for name, flag in ours.items() if fresh.get(name, False) != flag)
    assert changed == []
    assert fresh["textlike(text,text)"] is False


@on_postgres
def test_migrate_needs_no_superuser() -> None:
    """A role with CREATEDB only (as managed PostgreSQL services give) migrates a new database;
    the search function is then its own, and no built-in function is LEAKPROOF."""
    suffix = uuid.uuid4().hex[:10]
    role, dbname = f"ifm_migrator_{suffix}", f"ifm_nosuper_{suffix}"
    app_role = settings.DB_APP_ROLE
    cfg = connection.settings_dict
    with _superuser_connection("postgres") as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN CREATEDB NOSUPERUSER NOCREATEROLE')
        # The app role exists in the cluster already; the service's admin lets the migrator
        # use it (SET ROLE), as it would have done after creating it.
        admin.execute(f'GRANT "{app_role}" TO "{role}"')
        try:
            admin.execute(f'SET ROLE "{role}"')
            admin.execute(f'CREATE DATABASE "{dbname}"')
            admin.execute("RESET ROLE")
            host = cfg["HOST"] or "127.0.0.1"
            port = cfg["PORT"] or "5432"
            env = dict(os.environ)
            env.update(
                DATABASE_URL=f"postgres://{role}@{host}:{port}/{dbname}",
                DJANGO_SETTINGS_MODULE="ifm.settings",
            )
            done = subprocess.run(  # noqa: S603 (our own command, no shell)
                [str(Path(sys.executable).parent / "ifm"), "migrate", "--noinput", "-v0"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            with _superuser_connection(dbname) as conn:
                is_super = conn.execute(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role]
                ).fetchone()
                assert is_super == (False,)
                owner = conn.execute(
                    "SELECT pg_get_userbyid(proowner), prosecdef FROM pg_proc "
                    "WHERE oid = 'public.ifm_donor_search(text[], integer)'::regprocedure"
                ).fetchone()
                assert owner == (role, True)
                leaky = conn.execute(
                    "SELECT count(*) FROM pg_proc WHERE proleakproof "
                    "AND oid = 'textlike(text, text)'::regprocedure"
                ).fetchone()
                assert leaky == (0,)
                index = conn.execute(
                    "SELECT count(*) FROM pg_indexes "
                    "WHERE schemaname = 'ifm_search' AND indexname = 'donor_org_search'"
                ).fetchone()
                assert index == (1,)
        finally:
            admin.execute("RESET ROLE")
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            admin.execute(f'DROP OWNED BY "{role}"')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
