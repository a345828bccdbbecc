-- Spyglass PostgreSQL schema, first version. Mirrors store/sqlite/migrations/0001_init.sql.
-- Times are TIMESTAMPTZ (microsecond precision, as the SQLite integers). Input and output are TEXT holding the JSON
-- exactly as received; metadata and the usage/cost maps are JSONB so they can be queried.
-- field_ts holds, per field, the [timestamp, event id] of the event that last set it (see domain/merge.py).
-- Identifier-like columns use the "C" collation: byte order, as SQLite sorts, and cheaper comparisons.

CREATE TABLE projects (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT COLLATE "C" PRIMARY KEY,
    project_id      TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
    public_key      TEXT COLLATE "C" NOT NULL UNIQUE,
    secret_hash     TEXT NOT NULL,
    display_secret  TEXT NOT NULL,
    note            TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ
);

CREATE TABLE traces (
    project_id          TEXT COLLATE "C" NOT NULL,
    id                  TEXT COLLATE "C" NOT NULL,
    timestamp           TIMESTAMPTZ NOT NULL,
    name                TEXT COLLATE "C",
    user_id             TEXT COLLATE "C",
    session_id          TEXT COLLATE "C",
    release             TEXT COLLATE "C",
    version             TEXT COLLATE "C",
    environment         TEXT COLLATE "C" NOT NULL DEFAULT 'default',
    tags                TEXT[] NOT NULL DEFAULT '{}',
    metadata            JSONB,
    input               TEXT,
    output              TEXT,
    public              BOOLEAN NOT NULL DEFAULT FALSE,
    bookmarked          BOOLEAN NOT NULL DEFAULT FALSE,
    field_ts            JSONB NOT NULL DEFAULT '{}',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    -- roll-ups of the trace's observations, kept at write time
    observation_count   INTEGER NOT NULL DEFAULT 0,
    start_time          TIMESTAMPTZ,
    end_time            TIMESTAMPTZ,
    total_cost          DOUBLE PRECISION NOT NULL DEFAULT 0,
    input_tokens        BIGINT NOT NULL DEFAULT 0,
    output_tokens       BIGINT NOT NULL DEFAULT 0,
    total_tokens        BIGINT NOT NULL DEFAULT 0,
    level_rank          SMALLINT NOT NULL DEFAULT 1,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX traces_by_time ON traces (project_id, timestamp DESC);
CREATE INDEX traces_by_user ON traces (project_id, user_id, timestamp DESC) WHERE user_id IS NOT NULL;
CREATE INDEX traces_by_session ON traces (project_id, session_id, timestamp) WHERE session_id IS NOT NULL;
CREATE INDEX traces_by_name ON traces (project_id, name, timestamp DESC);
CREATE INDEX traces_by_tags ON traces USING GIN (tags);

CREATE TABLE observations (
    project_id              TEXT COLLATE "C" NOT NULL,
    id                      TEXT COLLATE "C" NOT NULL,
    trace_id                TEXT COLLATE "C" NOT NULL,
    parent_observation_id   TEXT COLLATE "C",
    type                    TEXT COLLATE "C" NOT NULL DEFAULT 'SPAN',
    name                    TEXT COLLATE "C",
    start_time              TIMESTAMPTZ NOT NULL,
    end_time                TIMESTAMPTZ,
    completion_start_time   TIMESTAMPTZ,
    level                   TEXT COLLATE "C" NOT NULL DEFAULT 'DEFAULT',
    status_message          TEXT,
    version                 TEXT COLLATE "C",
    environment             TEXT COLLATE "C" NOT NULL DEFAULT 'default',
    model                   TEXT COLLATE "C",
    model_parameters        JSONB,
    input                   TEXT,
    output                  TEXT,
    metadata                JSONB,
    usage_details           JSONB NOT NULL DEFAULT '{}',
    cost_details            JSONB NOT NULL DEFAULT '{}',
    total_cost              DOUBLE PRECISION,
    input_tokens            BIGINT NOT NULL DEFAULT 0,
    output_tokens           BIGINT NOT NULL DEFAULT 0,
    total_tokens            BIGINT NOT NULL DEFAULT 0,
    prompt_name             TEXT COLLATE "C",
    prompt_version          INTEGER,
    field_ts                JSONB NOT NULL DEFAULT '{}',
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX observations_by_trace ON observations (project_id, trace_id, start_time);
CREATE INDEX observations_by_time ON observations (project_id, start_time DESC);
CREATE INDEX observations_by_type ON observations (project_id, type, start_time DESC);

CREATE TABLE scores (
    project_id      TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    timestamp       TIMESTAMPTZ NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    value           DOUBLE PRECISION,
    string_value    TEXT,
    data_type       TEXT COLLATE "C" NOT NULL DEFAULT 'NUMERIC',
    source          TEXT COLLATE "C" NOT NULL DEFAULT 'API',
    trace_id        TEXT COLLATE "C",
    observation_id  TEXT COLLATE "C",
    session_id      TEXT COLLATE "C",
    dataset_run_id  TEXT COLLATE "C",
    comment         TEXT,
    metadata        JSONB,
    config_id       TEXT COLLATE "C",
    author_user_id  TEXT COLLATE "C",
    environment     TEXT COLLATE "C" NOT NULL DEFAULT 'default',
    field_ts        JSONB NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX scores_by_trace ON scores (project_id, trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX scores_by_time ON scores (project_id, timestamp DESC);
CREATE INDEX scores_by_name ON scores (project_id, name, timestamp DESC);
CREATE INDEX scores_by_session ON scores (project_id, session_id) WHERE session_id IS NOT NULL;
