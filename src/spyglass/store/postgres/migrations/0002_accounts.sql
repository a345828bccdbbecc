-- Web UI accounts: users, their role per project, signed-in sessions, and the key that signs cookies.
-- The key is made here, once, so every replica sharing this database signs cookies alike.

CREATE TABLE users (
    id              TEXT COLLATE "C" PRIMARY KEY,
    email           TEXT COLLATE "C" NOT NULL UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    is_admin        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    project_id  TEXT COLLATE "C" NOT NULL,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- token_hash: SHA-256 of the random session token; the cookie carries the token itself, signed.
CREATE TABLE web_sessions (
    token_hash  TEXT COLLATE "C" PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

CREATE TABLE web_secrets (
    name    TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
INSERT INTO web_secrets (name, value) VALUES ('cookie', md5(random()::text || clock_timestamp()::text) || md5(random()::text || clock_timestamp()::text));

-- Keyset paging and sorting of the traces table on a large project.
CREATE INDEX traces_by_time_id ON traces (project_id, timestamp DESC, id DESC);
CREATE INDEX traces_by_cost ON traces (project_id, total_cost DESC, id DESC);
CREATE INDEX traces_by_tokens ON traces (project_id, total_tokens DESC, id DESC);
CREATE INDEX observations_generations ON observations (project_id, start_time DESC, id DESC) WHERE type = 'GENERATION';
