-- forward
-- pg_trgm for donor search. The search itself no longer reads donors_donor: it goes through
-- the per-organization search table and its function (donor_search_table.sql, migration
-- 0011), which need no function marked LEAKPROOF and no superuser. Earlier versions of this
-- file also built a trigram index on donors_donor.search_text and marked textlike LEAKPROOF
-- so that index could serve under row-level security; migration 0011 undoes both.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- reverse
SELECT 1;
