-- forward
-- Donor search: a trigram index on search_text (kept lower-case by the services), which
-- Django's `contains` lookup compares ("search_text"::text LIKE '%term%').
--
-- Row-level security evaluates the tenant policy before any condition whose operator is not
-- LEAKPROOF, so without the ALTER below the planner may never use the index for LIKE (the
-- search becomes a scan of the organization's rows). textlike's only errors depend on the
-- pattern, never on the row, so marking it LEAKPROOF reveals nothing of other tenants' rows.
-- Only a superuser may do this: without the privilege the search still works, unindexed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS donors_donor_search_trgm
    ON donors_donor USING gin (search_text gin_trgm_ops);
DO $$
BEGIN
    ALTER FUNCTION textlike(text, text) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'textlike not marked LEAKPROOF (needs a superuser): donor search unindexed';
END
$$;
-- reverse
DROP INDEX IF EXISTS donors_donor_search_trgm;
