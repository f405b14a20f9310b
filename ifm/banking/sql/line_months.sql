-- forward
-- The lines of a bank account per month and status (banking_banklinemonth), kept by the
-- statement that changes the lines: one aggregated upsert per statement, from its transition
-- tables, so a 50,000-line import costs one grouped insert, not 50,000.
CREATE OR REPLACE FUNCTION banking_line_months() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO banking_banklinemonth
               (organization_id, bank_account_id, month, status, lines, cents)
        SELECT organization_id, bank_account_id, date_trunc('month', date)::date, status,
               count(*), sum((amount * 100)::bigint)
          FROM new_lines
         GROUP BY 1, 2, 3, 4
        ON CONFLICT (organization_id, bank_account_id, month, status) DO UPDATE
           SET lines = banking_banklinemonth.lines + EXCLUDED.lines,
               cents = banking_banklinemonth.cents + EXCLUDED.cents;
    ELSE
        -- Old rows out: their months exist (their insert made them), so an update, never an
        -- insert (a delete that cascades from the bank account must not bring a row back).
        UPDATE banking_banklinemonth m
           SET lines = m.lines - o.n, cents = m.cents - o.c
          FROM (SELECT organization_id, bank_account_id, date_trunc('month', date)::date AS month,
                       status, count(*) AS n, sum((amount * 100)::bigint) AS c
                  FROM old_lines
                 GROUP BY 1, 2, 3, 4) o
         WHERE m.organization_id = o.organization_id AND m.bank_account_id = o.bank_account_id
           AND m.month = o.month AND m.status = o.status;
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO banking_banklinemonth
                   (organization_id, bank_account_id, month, status, lines, cents)
            SELECT organization_id, bank_account_id, date_trunc('month', date)::date, status,
                   count(*), sum((amount * 100)::bigint)
              FROM new_lines
             GROUP BY 1, 2, 3, 4
            ON CONFLICT (organization_id, bank_account_id, month, status) DO UPDATE
               SET lines = banking_banklinemonth.lines + EXCLUDED.lines,
                   cents = banking_banklinemonth.cents + EXCLUDED.cents;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS banking_line_months_insert ON banking_banktransaction;
CREATE TRIGGER banking_line_months_insert AFTER INSERT ON banking_banktransaction
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION banking_line_months();
DROP TRIGGER IF EXISTS banking_line_months_update ON banking_banktransaction;
CREATE TRIGGER banking_line_months_update AFTER UPDATE ON banking_banktransaction
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION banking_line_months();
DROP TRIGGER IF EXISTS banking_line_months_delete ON banking_banktransaction;
CREATE TRIGGER banking_line_months_delete AFTER DELETE ON banking_banktransaction
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION banking_line_months();

-- reverse
DROP TRIGGER IF EXISTS banking_line_months_insert ON banking_banktransaction;
DROP TRIGGER IF EXISTS banking_line_months_update ON banking_banktransaction;
DROP TRIGGER IF EXISTS banking_line_months_delete ON banking_banktransaction;
DROP FUNCTION IF EXISTS banking_line_months();
