-- forward
-- Monthly balances kept by the database (ledger.MonthlyBalance): after each statement that
-- writes journal lines, one upsert adds their debits and credits to the row of their
-- organization, account, fund, program, function, month and kind (closing or not), in the
-- same transaction. Statement-level with transition tables: an entry's lines, or an import's
-- thousands, cost one upsert of their distinct keys. Runs with the rights of the session that
-- posts, so the row-level security of ledger_monthlybalance applies to what it writes.
-- Updates and deletes of lines are refused by ledger_refuse_change (ledger_invariants.sql); the
-- triggers below still take them into account, should that guard ever be lifted.
CREATE OR REPLACE FUNCTION ledger_keep_monthly_balances() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE ledger_monthlybalance b
           SET debit = b.debit - o.debit, credit = b.credit - o.credit
          FROM (SELECT l.organization_id, l.account_id, l.fund_id, l.program_id, l.function,
                       date_trunc('month', l.date)::date AS month,
                       COALESCE(e.source_type = 'closing', false) AS closing,
                       sum(l.debit) AS debit, sum(l.credit) AS credit
                  FROM old_lines l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
                 GROUP BY 1, 2, 3, 4, 5, 6, 7) o
         WHERE b.organization_id = o.organization_id AND b.account_id = o.account_id
           AND b.fund_id = o.fund_id AND b.program_id IS NOT DISTINCT FROM o.program_id
           AND b.function = o.function AND b.month = o.month AND b.closing = o.closing;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ledger_monthlybalance AS b
            (organization_id, account_id, fund_id, program_id, function, month, closing,
             debit, credit)
        SELECT l.organization_id, l.account_id, l.fund_id, l.program_id, l.function,
               date_trunc('month', l.date)::date,
               COALESCE(e.source_type = 'closing', false),
               sum(l.debit), sum(l.credit)
          FROM new_lines l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
         GROUP BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (organization_id, account_id, fund_id, (COALESCE(program_id, 0)), function,
                     month, closing)
        DO UPDATE SET debit = b.debit + EXCLUDED.debit, credit = b.credit + EXCLUDED.credit;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_line_monthly_insert
    AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_monthly_balances();

CREATE TRIGGER ledger_line_monthly_update
    AFTER UPDATE ON ledger_journalline
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_monthly_balances();

CREATE TRIGGER ledger_line_monthly_delete
    AFTER DELETE ON ledger_journalline
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_monthly_balances();

-- reverse
DROP TRIGGER IF EXISTS ledger_line_monthly_delete ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_line_monthly_update ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_line_monthly_insert ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_keep_monthly_balances();
