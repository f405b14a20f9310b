"""PostgreSQL side of tenancy: the app's own role and the per-organization setting (wall three).

* Every new connection runs ``SET ROLE <DB_APP_ROLE>``: a role that is not superuser, has no
  BYPASSRLS and owns no table, so the row-level security policies apply to every query.
  Schema changes (``migrate``) and ``flush`` run as the connecting owner instead
  (see ``owner_role``).
* An execute wrapper keeps the server settings ``ifm.org_id`` / ``ifm.all_orgs`` equal to
  ``ifm.core.org_context`` before each query, which is what the policies read.
* After every ``migrate`` the policies are (re)applied to every tenant table, found from the
  models: any model of an ``ifm.*`` app with an ``organization`` foreign key to Organization.

On SQLite nothing here runs.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, migrations, models
from django.db.backends.base.base import NO_DB_ALIAS, BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.backends.utils import CursorWrapper
from django.db.models.signals import post_migrate

from ifm.core import org_context

SQL_DIR = Path(__file__).resolve().parent / "sql"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
STATE_ATTR = "_ifm_rls_state"

# libpq transaction status (the same numbers in psycopg 3 and psycopg2).
TX_IDLE, TX_INTRANS, TX_INERROR = 0, 2, 3

_owner_mode: ContextVar[bool] = ContextVar("ifm_db_owner_mode", default=False)


def app_role() -> str:
    """The role queries run as; empty means "do not switch" (connect as that role directly)."""
    role = getattr(settings, "DB_APP_ROLE", "ifm_app") or ""
    if role and not ROLE_NAME.match(role):
        raise ImproperlyConfigured(
            f"DB_APP_ROLE={role!r} must be a plain lowercase PostgreSQL role name."
        )
    return role


def is_postgres(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


# --- SQL files ------------------------------------------------------------------------------


def load_sql(path: str | Path, **params: str) -> tuple[str, str]:
    """The forward and reverse parts of a .sql file, with {{name}} placeholders filled in.

    A file holds a ``-- forward`` section and optionally a ``-- reverse`` section. Values are
    pasted as they are: pass identifiers already quoted.
    """
    path = Path(path)
    if not path.is_absolute():
        path = SQL_DIR / path
    text = path.read_text()
    for name, value in params.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"{path.name}: a placeholder was left unfilled")
    sections: dict[str, list[str]] = {"forward": [], "reverse": []}
    current: list[str] | None = None
    for line in text.splitlines():
        marker = line.strip().lower()
        if marker in ("-- forward", "-- reverse"):
            current = sections[marker[3:]]
            continue
        if current is not None:
            current.append(line)
    if not "".join(sections["forward"]).strip():
        raise ValueError(f"{path.name}: no '-- forward' section")
    return "\n".join(sections["forward"]), "\n".join(sections["reverse"])


def run_sql_file(
    connection: BaseDatabaseWrapper,
    path: str | Path,
    *,
    reverse: bool = False,
    params: dict[str, str] | None = None,
) -> None:
    forward_sql, reverse_sql = load_sql(path, **(params or {}))
    sql = reverse_sql if reverse else forward_sql
    if sql.strip():
        with connection.cursor() as cursor:
            cursor.execute(sql)


def sql_file_operation(
    path: str | Path, params: Callable[[BaseDatabaseWrapper], dict[str, str]] | None = None
) -> migrations.RunPython:
    """A migration operation running a .sql file's forward (and on unapply reverse) part.

    Does nothing on SQLite. ``params`` is called at run time with the connection, so values
    such as the role name come from the settings of the database being migrated.
    """

    def run(reverse: bool) -> Callable[[Any, Any], None]:
        def apply(apps: Any, schema_editor: Any) -> None:
            connection = schema_editor.connection
            if is_postgres(connection):
                values = params(connection) if params else {}
                run_sql_file(connection, path, reverse=reverse, params=values)

        return apply

    return migrations.RunPython(run(False), run(True))


def role_params(connection: BaseDatabaseWrapper) -> dict[str, str]:
    role = app_role()
    if not role:
        raise ImproperlyConfigured("DB_APP_ROLE is empty: row-level security needs an app role.")
    return {"role": role, "role_ident": connection.ops.quote_name(role)}


# --- Tenant tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantTable:
    label: str
    table: str
    column: str
    nullable: bool


def tenant_models(registry: Any = None) -> list[type[models.Model]]:
    """Models of ifm.* apps with an `organization` foreign key to tenancy.Organization.

    Works on the live app registry and on the historical one a migration hands out.
    """
    registry = registry or global_apps
    found = []
    for model in registry.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        try:
            app_name = global_apps.get_app_config(opts.app_label).name
        except LookupError:
            continue
        if not app_name.startswith("ifm."):
            continue
        field = next((f for f in opts.local_fields if f.name == "organization"), None)
        related = getattr(field, "related_model", None)
        if (
            isinstance(field, models.ForeignKey)
            and related is not None
            and related._meta.label_lower == "tenancy.organization"
        ):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def tenant_tables(registry: Any = None) -> list[TenantTable]:
    tables = []
    for model in tenant_models(registry):
        field = model._meta.get_field("organization")
        assert isinstance(field, models.ForeignKey)
        tables.append(
            TenantTable(
                label=model._meta.label,
                table=model._meta.db_table,
                column=str(field.column),
                nullable=bool(field.null),
            )
        )
    return tables


def apply_tenant_policies(connection: BaseDatabaseWrapper, registry: Any = None) -> list[str]:
    """Enable, force and (re)create the isolation policy on every tenant table that needs it.

    The policy carries a comment with a hash of the SQL that made it; a table whose policy is
    already that one is left alone, so a deploy's migrate takes no lock on it.
    Returns the tables changed.
    """
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity, "
            "obj_description(p.oid, 'pg_policy') FROM pg_class c "
            "JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'ifm_tenant_isolation' "
            "WHERE c.relnamespace = current_schema()::regnamespace"
        )
        current = {name: (protected, comment) for name, protected, comment in cursor.fetchall()}
    qn = connection.ops.quote_name
    done = []
    for t in tenant_tables(registry):
        if t.table not in existing:
            continue
        path = "tenant_policy_nullable.sql" if t.nullable else "tenant_policy.sql"
        params = {"table": qn(t.table), "column": qn(t.column)}
        marker = "ifm:" + hashlib.sha256(load_sql(path, **params)[0].encode()).hexdigest()[:16]
        if current.get(t.table) == (True, marker):
            continue
        run_sql_file(connection, path, params=params)
        with connection.cursor() as cursor:
            # COMMENT takes no bind parameters; the marker is "ifm:" and hex digits.
            cursor.execute(f"COMMENT ON POLICY ifm_tenant_isolation ON {qn(t.table)} IS '{marker}'")
        done.append(t.table)
    return done


def _after_migrate(
    sender: Any, using: str = DEFAULT_DB_ALIAS, apps: Any = None, **kwargs: Any
) -> None:
    # `flush` sends post_migrate without `apps`: the policies survive a TRUNCATE.
    if apps is None or getattr(sender, "label", None) != "tenancy":
        return
    connection = connections[using]
    if not is_postgres(connection) or not app_role():
        return
    run_sql_file(connection, "app_role_grants.sql", params=role_params(connection))
    apply_tenant_policies(connection, apps)


post_migrate.connect(_after_migrate, dispatch_uid="ifm.tenancy.db.after_migrate")


# --- The role of each connection ------------------------------------------------------------


def _set_role(connection: BaseDatabaseWrapper, role: str | None) -> None:
    raw = connection.connection
    sql = f"SET ROLE {connection.ops.quote_name(role)}" if role else "RESET ROLE"
    with raw.cursor() as cursor:
        cursor.execute(sql)


def _on_connect(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.alias == NO_DB_ALIAS or not is_postgres(connection):
        return
    # A new session starts with no ifm.* settings, so the known state is "nothing set".
    setattr(connection, STATE_ATTR, _SyncState())
    if sync_org_setting not in connection.execute_wrappers:
        # First in the list is the outermost wrapper, and it stays put when code using
        # `with connection.execute_wrapper(...)` pops its own from the end.
        connection.execute_wrappers.insert(0, sync_org_setting)
    role = app_role()
    if not role or _owner_mode.get():
        return
    try:
        _set_role(connection, role)
    except Exception as exc:
        # Never leave a connection that failed to drop privileges open for use.
        raw = connection.connection
        connection.connection = None
        try:
            raw.close()
        finally:
            raise ImproperlyConfigured(
                f"Could not switch to the database role {role!r} ({exc}). The role is created "
                "by `ifm migrate`; run it, or set DB_APP_ROLE to an existing role."
            ) from exc


connection_created.connect(_on_connect, dispatch_uid="ifm.tenancy.db.on_connect")


@contextmanager
def owner_role(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block as the connecting role (the table owner), across all organizations.

    For schema changes and flushes only: the migrate and flush commands use it.
    """
    connection = connections[using]
    token = _owner_mode.set(True)
    try:
        if is_postgres(connection) and connection.connection is not None and app_role():
            _set_role(connection, None)
        with org_context.all_organizations():
            yield
    finally:
        _owner_mode.reset(token)
        if (
            not _owner_mode.get()
            and is_postgres(connection)
            and connection.connection is not None
            and app_role()
        ):
            try:
                _set_role(connection, app_role())
            except Exception:
                # Could not drop privileges again (say, an aborted transaction): the next
                # use reconnects, and the new connection switches role.
                connection.close()


@functools.cache
def _preparing_cursor_class() -> type:
    """A psycopg cursor (server-side binding) that asks for every statement to be prepared."""

    class PreparingCursor(psycopg.Cursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """A cursor whose statements PostgreSQL plans once per connection and then only executes.

    For the few hottest statements (posting a journal entry), whose planning costs as much as
    their execution. Parameters are bound on the server, so every one needs a type (a cast in
    the SQL) and the statement's text must not vary with its values (``= ANY(%s::bigint[])``
    instead of an ``IN`` list). The tenant-setting wrapper applies as to any cursor; Django's
    other cursors keep client-side binding and are never prepared.
    """
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns preparing off; only server-side cursors like this one ever prepare.
        raw.prepare_threshold = 0
    cursor = CursorWrapper(_preparing_cursor_class()(raw), connection)
    try:
        yield cursor
    finally:
        cursor.close()


def current_db_role(using: str = DEFAULT_DB_ALIAS) -> str:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_user")
        return str(cursor.fetchone()[0])


# --- Keeping ifm.org_id / ifm.all_orgs in step with the context ------------------------------

_UNKNOWN = object()
_TX_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


class _SyncState:
    """What this connection's server settings hold, so unchanged values are not sent again.

    Outside a transaction the value is set for the session (it commits at once, so it cannot
    be undone). Inside a transaction it is set with is_local, so COMMIT or ROLLBACK drops it
    and the session value shows again: seeing the connection idle is enough to forget it.
    ROLLBACK TO SAVEPOINT may undo a local value: then the state is unknown and is sent again.
    """

    __slots__ = ("local", "queries_sent", "session")

    def __init__(self) -> None:
        self.session: tuple[str, str] = ("", "off")
        self.local: Any = None  # None: no local value; _UNKNOWN; or a (org_id, all_orgs) tuple
        self.queries_sent = 0


def _wanted() -> tuple[str, str]:
    org_id = org_context.current_org_id()
    return ("" if org_id is None else str(org_id), "on" if org_context.all_orgs_active() else "off")


def sync_org_setting(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, ctx: dict[str, Any]
) -> Any:
    connection = ctx["connection"]
    state: _SyncState | None = getattr(connection, STATE_ATTR, None)
    raw = connection.connection
    if state is None or raw is None:
        return execute(sql, params, many, ctx)
    head = sql.lstrip()[:9].upper() if isinstance(sql, str) else ""
    if head.startswith(_TX_CONTROL):
        result = execute(sql, params, many, ctx)
        if head.startswith("ROLLBACK"):
            state.local = _UNKNOWN
        return result
    status = raw.info.transaction_status
    if status == TX_IDLE:
        state.local = None
    if status != TX_INERROR:  # an aborted transaction refuses everything until rolled back
        wanted = _wanted()
        effective = state.session if state.local is None else state.local
        if effective != wanted:
            is_local = not (status == TX_IDLE and connection.get_autocommit())
            with raw.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('ifm.org_id', %s, %s), set_config('ifm.all_orgs', %s, %s)",
                    [wanted[0], is_local, wanted[1], is_local],
                )
            state.queries_sent += 1
            if is_local:
                state.local = wanted
            else:
                state.session = wanted
    return execute(sql, params, many, ctx)
