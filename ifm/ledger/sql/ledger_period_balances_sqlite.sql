-- forward
-- Quarter and year balances kept by the database on SQLite: the same rows as on PostgreSQL
-- (ledger_period_balances.sql), one upsert per line and span written and one update per line
-- and span removed. Statements are separated by lines holding only "--;".
CREATE TRIGGER ledger_line_period_insert AFTER INSERT ON ledger_journalline
BEGIN
    INSERT INTO ledger_periodbalance
        (organization_id, account_id, fund_id, program_id, function, span, start, closing,
         debit, credit)
    VALUES (NEW.organization_id, NEW.account_id, NEW.fund_id, NEW.program_id, NEW.function,
            'quarter', substr(NEW.date, 1, 5) || printf('%02d', ((CAST(substr(NEW.date, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1) || '-01',
            COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                       WHERE id = NEW.entry_id), 0),
            NEW.debit, NEW.credit)
    ON CONFLICT (organization_id, account_id, fund_id, COALESCE(program_id, 0), function,
                 span, start, closing)
    DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit;
    INSERT INTO ledger_periodbalance
        (organization_id, account_id, fund_id, program_id, function, span, start, closing,
         debit, credit)
    VALUES (NEW.organization_id, NEW.account_id, NEW.fund_id, NEW.program_id, NEW.function,
            'year', substr(NEW.date, 1, 4) || '-01-01',
            COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                       WHERE id = NEW.entry_id), 0),
            NEW.debit, NEW.credit)
    ON CONFLICT (organization_id, account_id, fund_id, COALESCE(program_id, 0), function,
                 span, start, closing)
    DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit;
END;
--;
CREATE TRIGGER ledger_line_period_delete AFTER DELETE ON ledger_journalline
BEGIN
    UPDATE ledger_periodbalance
       SET debit = debit - OLD.debit, credit = credit - OLD.credit
     WHERE organization_id = OLD.organization_id AND account_id = OLD.account_id
       AND fund_id = OLD.fund_id AND program_id IS OLD.program_id
       AND function = OLD.function AND span = 'quarter'
       AND start = substr(OLD.date, 1, 5) || printf('%02d', ((CAST(substr(OLD.date, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1) || '-01'
       AND closing = COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                                WHERE id = OLD.entry_id), 0);
    UPDATE ledger_periodbalance
       SET debit = debit - OLD.debit, credit = credit - OLD.credit
     WHERE organization_id = OLD.organization_id AND account_id = OLD.account_id
       AND fund_id = OLD.fund_id AND program_id IS OLD.program_id
       AND function = OLD.function AND span = 'year'
       AND start = substr(OLD.date, 1, 4) || '-01-01'
       AND closing = COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                                WHERE id = OLD.entry_id), 0);
END;
--;
CREATE TRIGGER ledger_line_period_update AFTER UPDATE ON ledger_journalline
BEGIN
    UPDATE ledger_periodbalance
       SET debit = debit - OLD.debit, credit = credit - OLD.credit
     WHERE organization_id = OLD.organization_id AND account_id = OLD.account_id
       AND fund_id = OLD.fund_id AND program_id IS OLD.program_id
       AND function = OLD.function AND span = 'quarter'
       AND start = substr(OLD.date, 1, 5) || printf('%02d', ((CAST(substr(OLD.date, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1) || '-01'
       AND closing = COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                                WHERE id = OLD.entry_id), 0);
    UPDATE ledger_periodbalance
       SET debit = debit - OLD.debit, credit = credit - OLD.credit
     WHERE organization_id = OLD.organization_id AND account_id = OLD.account_id
       AND fund_id = OLD.fund_id AND program_id IS OLD.program_id
       AND function = OLD.function AND span = 'year'
       AND start = substr(OLD.date, 1, 4) || '-01-01'
       AND closing = COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                                WHERE id = OLD.entry_id), 0);
    INSERT INTO ledger_periodbalance
        (organization_id, account_id, fund_id, program_id, function, span, start, closing,
         debit, credit)
    VALUES (NEW.organization_id, NEW.account_id, NEW.fund_id, NEW.program_id, NEW.function,
            'quarter', substr(NEW.date, 1, 5) || printf('%02d', ((CAST(substr(NEW.date, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1) || '-01',
            COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                       WHERE id = NEW.entry_id), 0),
            NEW.debit, NEW.credit)
    ON CONFLICT (organization_id, account_id, fund_id, COALESCE(program_id, 0), function,
                 span, start, closing)
    DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit;
    INSERT INTO ledger_periodbalance
        (organization_id, account_id, fund_id, program_id, function, span, start, closing,
         debit, credit)
    VALUES (NEW.organization_id, NEW.account_id, NEW.fund_id, NEW.program_id, NEW.function,
            'year', substr(NEW.date, 1, 4) || '-01-01',
            COALESCE((SELECT source_type = 'closing' FROM ledger_journalentry
                       WHERE id = NEW.entry_id), 0),
            NEW.debit, NEW.credit)
    ON CONFLICT (organization_id, account_id, fund_id, COALESCE(program_id, 0), function,
                 span, start, closing)
    DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit;
END;
-- reverse
DROP TRIGGER IF EXISTS ledger_line_period_update;
--;
DROP TRIGGER IF EXISTS ledger_line_period_delete;
--;
DROP TRIGGER IF EXISTS ledger_line_period_insert;
