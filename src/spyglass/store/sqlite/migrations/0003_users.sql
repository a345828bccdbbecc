-- Web UI accounts: users, their role per project, signed-in sessions, and the key that signs cookies.
-- The key is made here, once, so every process sharing this file signs cookies alike.

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);

CREATE TABLE memberships (
    project_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- token_hash: SHA-256 of the random session token; the cookie carries the token itself, signed.
CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

CREATE TABLE web_secrets (
    name    TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
INSERT INTO web_secrets (name, value) VALUES ('cookie', lower(hex(randomblob(32))));

-- Keyset paging and sorting of the traces table on a large project.
-- Each filter that narrows to a user, a session or a level gets an index that also yields the page's order, so the
-- planner never walks the whole time index looking for matches. The user, session and name ones replace the first
-- migration's (same leading columns, plus the id for the keyset).
DROP INDEX IF EXISTS traces_by_user;
CREATE INDEX traces_by_user_time_id ON traces (project_id, user_id, timestamp DESC, id DESC) WHERE user_id IS NOT NULL;
DROP INDEX IF EXISTS traces_by_session;
CREATE INDEX traces_by_session_time_id ON traces (project_id, session_id, timestamp DESC, id DESC)
    WHERE session_id IS NOT NULL;
CREATE INDEX traces_by_level ON traces (project_id, level_rank, timestamp DESC, id DESC);
DROP INDEX IF EXISTS traces_by_name;
CREATE INDEX traces_by_name_time_id ON traces (project_id, name, timestamp DESC, id DESC);
DROP INDEX IF EXISTS traces_by_time;  -- the same order without the id: this one serves both
CREATE INDEX traces_by_time_id ON traces (project_id, timestamp DESC, id DESC);
CREATE INDEX traces_by_cost ON traces (project_id, total_cost DESC, id DESC);
CREATE INDEX traces_by_tokens ON traces (project_id, total_tokens DESC, id DESC);
CREATE INDEX traces_by_latency ON traces (project_id, coalesce(end_time - start_time, 0) DESC, id DESC);
CREATE INDEX observations_generations ON observations (project_id, start_time DESC, id DESC) WHERE type = 'GENERATION';
