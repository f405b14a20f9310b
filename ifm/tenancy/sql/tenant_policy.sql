-- Row-level security of one tenant table: only rows of the organization in ifm.org_id,
-- or every row when ifm.all_orgs is 'on' (inside tenancy.context.all_organizations()).
-- FORCE makes it apply to the table owner too. USING doubles as the WITH CHECK of writes.
-- Each setting is read in a scalar subquery: once per query (an InitPlan), not once per row
-- as a bare current_setting() in the filter is, which halved a scan of 100,000 gifts.
-- forward
ALTER TABLE {{table}} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{table}} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS ifm_tenant_insert_unowned ON {{table}};
DROP POLICY IF EXISTS ifm_tenant_isolation ON {{table}};
CREATE POLICY ifm_tenant_isolation ON {{table}}
    USING (
        {{column}} = (SELECT NULLIF(current_setting('ifm.org_id', true), '')::bigint)
        OR (SELECT current_setting('ifm.all_orgs', true) = 'on')
    );
-- reverse
DROP POLICY IF EXISTS ifm_tenant_isolation ON {{table}};
ALTER TABLE {{table}} NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {{table}} DISABLE ROW LEVEL SECURITY;
