-- Search scoped per project: the trigram indexes lead with the project id (btree_gin lets a GIN index hold it),
-- so a search's index scan is keyed by the caller's project together with the text, and what it collects is the
-- caller's traces only. btree_gin is a trusted extension (PostgreSQL 13+); where it or pg_trgm cannot be created
-- the indexes of 0005_search stay (or search scans, still filtered by project).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS btree_gin;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'btree_gin is not available (%); trace search indexes stay unscoped', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin') THEN
        CREATE INDEX traces_search_project_input ON traces USING GIN (project_id, input gin_trgm_ops);
        CREATE INDEX traces_search_project_output ON traces USING GIN (project_id, output gin_trgm_ops);
        DROP INDEX IF EXISTS traces_search_input;
        DROP INDEX IF EXISTS traces_search_output;
    END IF;
END
$$;
