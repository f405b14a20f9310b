-- forward
-- The balance check of ledger_invariants.sql, with every table, function and operator named by
-- its schema instead of a `SET search_path` clause. The clause made each of the check's runs
-- (one per line and one per entry, at commit) save and restore the setting: 0.5 ms of the
-- 1.1 ms a two-line entry cost the database. Naming everything keeps the function as safe to
-- run with its owner's rights: no object of another schema can stand in for one it uses.
CREATE OR REPLACE FUNCTION {{schema}}.ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    bad record;
    eid bigint;
    n bigint;
BEGIN
    IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'ledger_journalentry' THEN
        eid := NEW.id;
        SELECT pg_catalog.count(*) INTO n
          FROM {{schema}}.ledger_journalline
         WHERE entry_id OPERATOR(pg_catalog.=) eid;
        IF n OPERATOR(pg_catalog.<) 2 THEN
            RAISE EXCEPTION 'journal entry % has % line(s): an entry needs at least two', eid, n
                USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        eid := NEW.entry_id;
    END IF;
    FOR bad IN
        SELECT fund_id, pg_catalog.sum(debit) AS d, pg_catalog.sum(credit) AS c
          FROM {{schema}}.ledger_journalline
         WHERE entry_id OPERATOR(pg_catalog.=) eid
         GROUP BY fund_id
        HAVING pg_catalog.sum(debit) OPERATOR(pg_catalog.<>) pg_catalog.sum(credit)
    LOOP
        RAISE EXCEPTION 'journal entry % does not balance in fund %: debits % <> credits %',
            eid, bad.fund_id, bad.d, bad.c
            USING ERRCODE = 'check_violation';
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
SECURITY DEFINER;
ALTER FUNCTION {{schema}}.ledger_check_entry_balanced() RESET ALL;

-- reverse
ALTER FUNCTION {{schema}}.ledger_check_entry_balanced() SET search_path = public, pg_temp;
