-- Donor search under row-level security, with no function marked LEAKPROOF and no superuser.
--
-- Row-level security evaluates a table's policy before any condition whose operator is not
-- LEAKPROOF, so a LIKE on donors_donor can never use a trigram index there (the search becomes
-- a scan of the organization's rows). Marking textlike LEAKPROOF lifts that, but only a
-- superuser may, and managed PostgreSQL services give none. Instead:
--
-- * ifm_search.donor holds (donor_id, org_id, search) for every donor, with a GIN index over
--   org_id (btree_gin) and search (pg_trgm). The schema is the migrating role's; the app role
--   has no privilege on it at all, so it cannot read the table directly.
-- * Statement-level triggers on donors_donor (transition tables) keep it current on INSERT,
--   UPDATE (only rows whose search_text or organization changed), DELETE and TRUNCATE.
--   search_text already holds the donor's secondary emails and phones (ifm.donors.normalize),
--   so the contact tables need no trigger of their own.
-- * public.ifm_donor_search(terms, max_rows) is SECURITY DEFINER: it reads ifm.org_id and
--   ifm.all_orgs itself and returns only the ids of donors the tenant policy would show (that organization's,
--   or every one across all organizations, nothing with neither set), whose search text
--   contains every term, literally (a '%' or '_' matches itself), case-insensitively; at most
--   max_rows of them when it is given.
-- Both extensions are trusted: the database owner may create them.
-- forward
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The superseded trigram index, and textlike's LEAKPROOF mark where an earlier migration set
-- it (only a superuser could have, and only a superuser may take it back off).
DROP INDEX IF EXISTS donors_donor_search_trgm;
DO $$
BEGIN
    IF (SELECT proleakproof FROM pg_catalog.pg_proc
        WHERE oid = 'pg_catalog.textlike(text, text)'::pg_catalog.regprocedure) THEN
        ALTER FUNCTION pg_catalog.textlike(text, text) NOT LEAKPROOF;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'textlike stays LEAKPROOF (a superuser marked it; only one may unmark it)';
END
$$;

CREATE SCHEMA IF NOT EXISTS ifm_search;
REVOKE ALL ON SCHEMA ifm_search FROM PUBLIC;

CREATE TABLE ifm_search.donor (
    donor_id bigint PRIMARY KEY,
    org_id bigint NOT NULL,
    search text NOT NULL
);
CREATE INDEX donor_org_search ON ifm_search.donor
    USING gin (org_id, search public.gin_trgm_ops);
REVOKE ALL ON ifm_search.donor FROM PUBLIC;

CREATE FUNCTION ifm_search.donor_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE ifm_search.donor;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM ifm_search.donor s USING old_rows o WHERE s.donor_id = o.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO ifm_search.donor (donor_id, org_id, search)
        SELECT n.id, n.organization_id, n.search_text FROM new_rows n
        ON CONFLICT (donor_id) DO UPDATE SET org_id = excluded.org_id, search = excluded.search;
    ELSE
        INSERT INTO ifm_search.donor (donor_id, org_id, search)
        SELECT n.id, n.organization_id, n.search_text
        FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
        WHERE o.id IS NULL
           OR o.search_text IS DISTINCT FROM n.search_text
           OR o.organization_id IS DISTINCT FROM n.organization_id
        ON CONFLICT (donor_id) DO UPDATE SET org_id = excluded.org_id, search = excluded.search;
    END IF;
    RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION ifm_search.donor_sync() FROM PUBLIC;

CREATE TRIGGER ifm_search_donor_insert AFTER INSERT ON public.donors_donor
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ifm_search.donor_sync();
CREATE TRIGGER ifm_search_donor_update AFTER UPDATE ON public.donors_donor
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ifm_search.donor_sync();
CREATE TRIGGER ifm_search_donor_delete AFTER DELETE ON public.donors_donor
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ifm_search.donor_sync();
CREATE TRIGGER ifm_search_donor_truncate AFTER TRUNCATE ON public.donors_donor
    FOR EACH STATEMENT EXECUTE FUNCTION ifm_search.donor_sync();

-- Each term is one condition of its own, so the index can serve every one of them; the
-- terms are pasted as quoted literals (%L), which also lets the planner weigh each pattern.
CREATE FUNCTION public.ifm_donor_search(terms text[], max_rows integer DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
ROWS 100
AS $fn$
DECLARE
    org bigint := NULLIF(current_setting('ifm.org_id', true), '')::bigint;
    everyone boolean := coalesce(current_setting('ifm.all_orgs', true), '') = 'on';
    query text := 'SELECT s.donor_id FROM ifm_search.donor s WHERE true';
    term text;
BEGIN
    IF NOT everyone THEN
        IF org IS NULL THEN
            RETURN;
        END IF;
        query := query || format(' AND s.org_id = %s::bigint', org);
    END IF;
    FOREACH term IN ARRAY coalesce(terms, '{}'::text[]) LOOP
        CONTINUE WHEN coalesce(term, '') = '';
        query := query || format(
            ' AND s.search LIKE %L',
            '%' || replace(replace(replace(lower(term), '\', '\\'), '%', '\%'), '_', '\_') || '%'
        );
    END LOOP;
    IF max_rows IS NOT NULL THEN
        query := query || format(' LIMIT %s', max_rows);
    END IF;
    RETURN QUERY EXECUTE query;
END
$fn$;

-- Every donor there is now (the migration runs across all organizations).
INSERT INTO ifm_search.donor (donor_id, org_id, search)
SELECT id, organization_id, search_text FROM public.donors_donor
ON CONFLICT (donor_id) DO UPDATE SET org_id = excluded.org_id, search = excluded.search;
ANALYZE ifm_search.donor;
-- reverse
DROP FUNCTION IF EXISTS public.ifm_donor_search(text[], integer);
DROP TRIGGER IF EXISTS ifm_search_donor_truncate ON public.donors_donor;
DROP TRIGGER IF EXISTS ifm_search_donor_delete ON public.donors_donor;
DROP TRIGGER IF EXISTS ifm_search_donor_update ON public.donors_donor;
DROP TRIGGER IF EXISTS ifm_search_donor_insert ON public.donors_donor;
DROP SCHEMA IF EXISTS ifm_search CASCADE;
CREATE INDEX IF NOT EXISTS donors_donor_search_trgm
    ON donors_donor USING gin (search_text public.gin_trgm_ops);
