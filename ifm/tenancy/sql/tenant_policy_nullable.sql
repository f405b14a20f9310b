-- A table whose organization may be empty (audit events of sign-ins): rows of no
-- organization may be written in any scope but read only across all organizations.
-- Note: an INSERT ... RETURNING also checks the read policy on the new row, so code that
-- inserts a row of no organization through Django does it inside all_organizations().
-- forward
ALTER TABLE {{table}} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{table}} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS ifm_tenant_isolation ON {{table}};
CREATE POLICY ifm_tenant_isolation ON {{table}}
    USING (
        {{column}} = (SELECT NULLIF(current_setting('ifm.org_id', true), '')::bigint)
        OR (SELECT current_setting('ifm.all_orgs', true) = 'on')
    );
DROP POLICY IF EXISTS ifm_tenant_insert_unowned ON {{table}};
CREATE POLICY ifm_tenant_insert_unowned ON {{table}} FOR INSERT
    WITH CHECK ({{column}} IS NULL);
-- reverse
DROP POLICY IF EXISTS ifm_tenant_insert_unowned ON {{table}};
DROP POLICY IF EXISTS ifm_tenant_isolation ON {{table}};
ALTER TABLE {{table}} NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{table}} DISABLE ROW LEVEL SECURITY;
