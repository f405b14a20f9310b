-- forward
-- Quarter and year balances kept by the database (ledger.PeriodBalance), the way the monthly
-- ones are (ledger_monthly_balances.sql): after each statement that writes journal lines, one
-- upsert adds their debits and credits to the rows of their calendar quarter and year, in the
-- same transaction, with the rights of the session that posts.
CREATE OR REPLACE FUNCTION ledger_keep_period_balances() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE ledger_periodbalance b
           SET debit = b.debit - o.debit, credit = b.credit - o.credit
          FROM (SELECT l.organization_id, l.account_id, l.fund_id, l.program_id, l.function,
                       s.span, date_trunc(s.span, l.date)::date AS start,
                       COALESCE(e.source_type = 'closing', false) AS closing,
                       sum(l.debit) AS debit, sum(l.credit) AS credit
                  FROM old_lines l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
                 CROSS JOIN (VALUES ('quarter'), ('year')) s (span)
                 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) o
         WHERE b.organization_id = o.organization_id AND b.account_id = o.account_id
           AND b.fund_id = o.fund_id AND b.program_id IS NOT DISTINCT FROM o.program_id
           AND b.function = o.function AND b.span = o.span AND b.start = o.start
           AND b.closing = o.closing;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ledger_periodbalance AS b
            (organization_id, account_id, fund_id, program_id, function, span, start, closing,
             debit, credit)
        SELECT l.organization_id, l.account_id, l.fund_id, l.program_id, l.function,
               s.span, date_trunc(s.span, l.date)::date,
               COALESCE(e.source_type = 'closing', false),
               sum(l.debit), sum(l.credit)
          FROM new_lines l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
         CROSS JOIN (VALUES ('quarter'), ('year')) s (span)
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (organization_id, account_id, fund_id, (COALESCE(program_id, 0)), function,
                     span, start, closing)
        DO UPDATE SET debit = b.debit + EXCLUDED.debit, credit = b.credit + EXCLUDED.credit;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_line_period_insert
    AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_period_balances();

CREATE TRIGGER ledger_line_period_update
    AFTER UPDATE ON ledger_journalline
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_period_balances();

CREATE TRIGGER ledger_line_period_delete
    AFTER DELETE ON ledger_journalline
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_period_balances();

-- reverse
DROP TRIGGER IF EXISTS ledger_line_period_delete ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_line_period_update ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_line_period_insert ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_keep_period_balances();
