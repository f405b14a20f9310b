-- The role the application runs its queries as (SET ROLE on every connection).
-- Roles are cluster-wide: several databases (and parallel test databases) share it,
-- so creating it tolerates a concurrent creation, and undoing the migration keeps it.
-- forward
DO $$
DECLARE
    r pg_roles%ROWTYPE;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{role}}') THEN
        BEGIN
            CREATE ROLE {{role_ident}} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    SELECT * INTO r FROM pg_roles WHERE rolname = '{{role}}';
    IF r.rolsuper OR r.rolbypassrls THEN
        RAISE EXCEPTION 'role % is superuser or has BYPASSRLS: row-level security would not apply to it', '{{role}}';
    END IF;
    -- The connecting role must be allowed to SET ROLE to it (superusers always are).
    IF NOT pg_has_role(current_user, '{{role}}', 'MEMBER') THEN
        EXECUTE format('GRANT %I TO %I', '{{role}}', current_user);
    END IF;
END
$$;
-- reverse
SELECT 1;
