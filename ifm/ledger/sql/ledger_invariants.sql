-- forward
-- Each journal entry balances, in total and per fund, at commit: a deferred constraint trigger
-- checks every entry touched by the transaction once its lines are all in.
CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    bad record;
    eid bigint;
    n integer;
BEGIN
    -- Branches keep NEW.id / NEW.entry_id apart: each exists on one of the two tables only.
    IF TG_TABLE_NAME = 'ledger_journalentry' THEN
        eid := NEW.id;
        SELECT count(*) INTO n FROM ledger_journalline WHERE entry_id = eid;
        IF n < 2 THEN
            RAISE EXCEPTION 'journal entry % has % line(s): an entry needs at least two', eid, n
                USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        eid := NEW.entry_id;
    END IF;
    FOR bad IN
        SELECT fund_id, sum(debit) AS d, sum(credit) AS c
          FROM ledger_journalline
         WHERE entry_id = eid
         GROUP BY fund_id
        HAVING sum(debit) <> sum(credit)
    LOOP
        RAISE EXCEPTION 'journal entry % does not balance in fund %: debits % <> credits %',
            eid, bad.fund_id, bad.d, bad.c
            USING ERRCODE = 'check_violation';
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
-- Runs as the table owner: the check must see every line of the entry, whatever the
-- row-level security context of the session that commits.
SECURITY DEFINER SET search_path = public, pg_temp;

CREATE CONSTRAINT TRIGGER ledger_line_balanced
    AFTER INSERT ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

CREATE CONSTRAINT TRIGGER ledger_entry_has_lines
    AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

-- Posted lines and entries never change: a correction is a reversing entry.
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% of a posted % is not allowed: post a reversing entry instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_line_immutable
    BEFORE UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_entry_immutable
    BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- reverse
DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_immutable ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_refuse_change();
DROP TRIGGER IF EXISTS ledger_entry_has_lines ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_check_entry_balanced();
