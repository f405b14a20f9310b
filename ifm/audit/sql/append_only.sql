-- The audit log is append-only: UPDATE and DELETE are refused for everyone. TRUNCATE is
-- refused for every role that does not own the table, so the application (which runs as
-- the app role) cannot empty it, while the owner still can: test databases are emptied
-- between tests by `flush`, which runs as the owner.
-- forward
CREATE OR REPLACE FUNCTION ifm_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_append_only_rows ON audit_auditevent;
CREATE TRIGGER audit_append_only_rows
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION ifm_audit_append_only();
DROP TRIGGER IF EXISTS audit_append_only_truncate ON audit_auditevent;
CREATE TRIGGER audit_append_only_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION ifm_audit_append_only();
-- reverse
DROP TRIGGER IF EXISTS audit_append_only_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_append_only_rows ON audit_auditevent;
DROP FUNCTION IF EXISTS ifm_audit_append_only();
