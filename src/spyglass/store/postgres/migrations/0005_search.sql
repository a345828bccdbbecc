-- Search over trace input and output for any language: pg_trgm trigram indexes answer ILIKE '%text%' for any
-- substring of three characters or more, case-insensitively (as SQLite's FTS5 trigram tokenizer does).
-- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where it cannot be created the
-- search still works, by scanning.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%); trace search will scan', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX traces_search_input ON traces USING GIN (input gin_trgm_ops);
        CREATE INDEX traces_search_output ON traces USING GIN (output gin_trgm_ops);
    END IF;
END
$$;

-- Lists on a large project: filters whose index also gives the page order, and the sessions walk.
CREATE INDEX traces_by_user_time ON traces (project_id, user_id, timestamp DESC, id DESC) WHERE user_id IS NOT NULL;
CREATE INDEX traces_by_session_time ON traces (project_id, session_id, timestamp DESC, id DESC)
    WHERE session_id IS NOT NULL;
CREATE INDEX traces_by_level_time ON traces (project_id, level_rank, timestamp DESC, id DESC);
CREATE INDEX traces_bookmarked ON traces (project_id, timestamp DESC, id DESC) WHERE bookmarked;
