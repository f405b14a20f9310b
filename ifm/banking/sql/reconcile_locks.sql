-- forward
-- A finished reconciliation locks what it cleared, in the database as well as in the services:
--
-- * a reconciled bank line never changes and is never deleted; the one exception is reopening
--   its reconciliation, which puts it back to "matched" (status and reconciliation only);
-- * the match of a reconciled line, and the match lines that tie it to ledger lines, are
--   neither changed nor deleted, and no ledger line joins such a match;
-- * a finished reconciliation is neither changed nor deleted, except by reopening it.
--
-- Reopening is a deliberate step: the transaction first runs
--   SELECT set_config('ifm.reconcile_reopen', 'on', true)
-- (the reopen service does, and sets it back to 'off' when done). A bank line is released
-- only while that setting is on AND its reconciliation is open again. This is not a
-- permission (any session may set it); it makes a change of reconciled data impossible by
-- accident, by a forgotten check in some code path, or by an UPDATE typed at a console.
--
-- The functions run with their owner's rights, so row-level security never hides the rows
-- they look at, and name every table, function and operator by its schema (see the ledger's
-- balance check for why not `SET search_path`).

CREATE OR REPLACE FUNCTION {{schema}}.banking_reopening() RETURNS boolean AS $$
    SELECT COALESCE(
        pg_catalog.current_setting('ifm.reconcile_reopen', true), ''
    ) OPERATOR(pg_catalog.=) 'on';
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION {{schema}}.banking_match_is_reconciled(bigint) RETURNS boolean AS $$
    SELECT EXISTS (
        SELECT 1 FROM {{schema}}.banking_banktransaction b
         WHERE b.match_id OPERATOR(pg_catalog.=) $1
           AND b.status OPERATOR(pg_catalog.=) 'reconciled'
    );
$$ LANGUAGE sql STABLE SECURITY DEFINER;

-- Bank lines.
CREATE OR REPLACE FUNCTION {{schema}}.banking_line_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status OPERATOR(pg_catalog.<>) 'reconciled' THEN
        IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
        IF pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(OLD) THEN
            RETURN NEW;  -- a save that changes nothing
        END IF;
        IF NEW.status OPERATOR(pg_catalog.=) 'matched'
           AND NEW.reconciliation_id IS NULL
           AND (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) 'status'::text
                OPERATOR(pg_catalog.-) 'reconciliation_id'::text)
               OPERATOR(pg_catalog.=)
               (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) 'status'::text
                OPERATOR(pg_catalog.-) 'reconciliation_id'::text)
           AND {{schema}}.banking_reopening()
           AND EXISTS (
               SELECT 1 FROM {{schema}}.banking_reconciliation r
                WHERE r.id OPERATOR(pg_catalog.=) OLD.reconciliation_id
                  AND r.status OPERATOR(pg_catalog.=) 'open'
           )
        THEN
            RETURN NEW;  -- its reconciliation is being reopened
        END IF;
    END IF;
    RAISE EXCEPTION 'bank line % is reconciled (reconciliation %): % is not allowed; reopen the reconciliation first',
        OLD.id, OLD.reconciliation_id, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql SECURITY DEFINER;

CREATE TRIGGER banking_line_reconciled_lock
    BEFORE UPDATE OR DELETE ON {{schema}}.banking_banktransaction
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.banking_line_guard();

-- Matches and their ledger lines.
CREATE OR REPLACE FUNCTION {{schema}}.banking_match_guard() RETURNS trigger AS $$
DECLARE
    locked bigint;
BEGIN
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'banking_match' THEN
        IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE'
           AND pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(OLD) THEN
            RETURN NEW;
        END IF;
        IF {{schema}}.banking_match_is_reconciled(OLD.id) THEN
            locked := OLD.id;
        END IF;
    ELSE
        IF TG_OP OPERATOR(pg_catalog.<>) 'INSERT'
           AND {{schema}}.banking_match_is_reconciled(OLD.match_id) THEN
            locked := OLD.match_id;
        ELSIF TG_OP OPERATOR(pg_catalog.<>) 'DELETE'
           AND {{schema}}.banking_match_is_reconciled(NEW.match_id) THEN
            locked := NEW.match_id;
        END IF;
    END IF;
    IF locked IS NOT NULL THEN
        RAISE EXCEPTION 'match % holds reconciled bank lines: % on % is not allowed; reopen the reconciliation first',
            locked, TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER;

CREATE TRIGGER banking_match_reconciled_lock
    BEFORE UPDATE OR DELETE ON {{schema}}.banking_match
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.banking_match_guard();

CREATE TRIGGER banking_matchline_reconciled_lock
    BEFORE INSERT OR UPDATE OR DELETE ON {{schema}}.banking_matchline
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.banking_match_guard();

-- Finished reconciliations.
CREATE OR REPLACE FUNCTION {{schema}}.banking_reconciliation_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status OPERATOR(pg_catalog.<>) 'finished' THEN
        IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
        IF pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(OLD) THEN
            RETURN NEW;
        END IF;
        IF NEW.status OPERATOR(pg_catalog.=) 'open' AND {{schema}}.banking_reopening() THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'reconciliation % is finished: % is not allowed; reopen it with a reason instead',
        OLD.id, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER banking_reconciliation_finished_lock
    BEFORE UPDATE OR DELETE ON {{schema}}.banking_reconciliation
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.banking_reconciliation_guard();

-- reverse
DROP TRIGGER IF EXISTS banking_reconciliation_finished_lock ON {{schema}}.banking_reconciliation;
DROP FUNCTION IF EXISTS {{schema}}.banking_reconciliation_guard();
DROP TRIGGER IF EXISTS banking_matchline_reconciled_lock ON {{schema}}.banking_matchline;
DROP TRIGGER IF EXISTS banking_match_reconciled_lock ON {{schema}}.banking_match;
DROP FUNCTION IF EXISTS {{schema}}.banking_match_guard();
DROP TRIGGER IF EXISTS banking_line_reconciled_lock ON {{schema}}.banking_banktransaction;
DROP FUNCTION IF EXISTS {{schema}}.banking_line_guard();
DROP FUNCTION IF EXISTS {{schema}}.banking_match_is_reconciled(bigint);
DROP FUNCTION IF EXISTS {{schema}}.banking_reopening();
