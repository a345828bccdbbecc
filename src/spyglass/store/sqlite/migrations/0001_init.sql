-- Spyglass SQLite schema, first version.
-- Times are INTEGER microseconds since the epoch (UTC). JSON values are TEXT holding JSON.
-- field_ts holds, per field, the [timestamp, event id] of the event that last set it (see domain/merge.py).

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects(id),
    public_key      TEXT NOT NULL UNIQUE,
    secret_hash     TEXT NOT NULL,
    display_secret  TEXT NOT NULL,
    note            TEXT,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);

CREATE TABLE traces (
    project_id          TEXT NOT NULL,
    id                  TEXT NOT NULL,
    timestamp           INTEGER NOT NULL,
    name                TEXT,
    user_id             TEXT,
    session_id          TEXT,
    release             TEXT,
    version             TEXT,
    environment         TEXT NOT NULL DEFAULT 'default',
    tags                TEXT NOT NULL DEFAULT '[]',
    metadata            TEXT,
    input               TEXT,
    output              TEXT,
    public              INTEGER NOT NULL DEFAULT 0,
    bookmarked          INTEGER NOT NULL DEFAULT 0,
    field_ts            TEXT NOT NULL DEFAULT '{}',
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    -- roll-ups of the trace's observations, kept at write time
    observation_count   INTEGER NOT NULL DEFAULT 0,
    start_time          INTEGER,
    end_time            INTEGER,
    total_cost          REAL NOT NULL DEFAULT 0,
    input_tokens        INTEGER NOT NULL DEFAULT 0,
    output_tokens       INTEGER NOT NULL DEFAULT 0,
    total_tokens        INTEGER NOT NULL DEFAULT 0,
    level_rank          INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX traces_by_time ON traces (project_id, timestamp DESC);
CREATE INDEX traces_by_user ON traces (project_id, user_id, timestamp DESC) WHERE user_id IS NOT NULL;
CREATE INDEX traces_by_session ON traces (project_id, session_id, timestamp) WHERE session_id IS NOT NULL;
CREATE INDEX traces_by_name ON traces (project_id, name, timestamp DESC);

CREATE TABLE observations (
    project_id              TEXT NOT NULL,
    id                      TEXT NOT NULL,
    trace_id                TEXT NOT NULL,
    parent_observation_id   TEXT,
    type                    TEXT NOT NULL DEFAULT 'SPAN',
    name                    TEXT,
    start_time              INTEGER NOT NULL,
    end_time                INTEGER,
    completion_start_time   INTEGER,
    level                   TEXT NOT NULL DEFAULT 'DEFAULT',
    status_message          TEXT,
    version                 TEXT,
    environment             TEXT NOT NULL DEFAULT 'default',
    model                   TEXT,
    model_parameters        TEXT,
    input                   TEXT,
    output                  TEXT,
    metadata                TEXT,
    usage_details           TEXT NOT NULL DEFAULT '{}',
    cost_details            TEXT NOT NULL DEFAULT '{}',
    total_cost              REAL,
    input_tokens            INTEGER NOT NULL DEFAULT 0,
    output_tokens           INTEGER NOT NULL DEFAULT 0,
    total_tokens            INTEGER NOT NULL DEFAULT 0,
    prompt_name             TEXT,
    prompt_version          INTEGER,
    field_ts                TEXT NOT NULL DEFAULT '{}',
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX observations_by_trace ON observations (project_id, trace_id, start_time);
CREATE INDEX observations_by_time ON observations (project_id, start_time DESC);
CREATE INDEX observations_by_type ON observations (project_id, type, start_time DESC);

CREATE TABLE scores (
    project_id      TEXT NOT NULL,
    id              TEXT NOT NULL,
    timestamp       INTEGER NOT NULL,
    name            TEXT NOT NULL,
    value           REAL,
    string_value    TEXT,
    data_type       TEXT NOT NULL DEFAULT 'NUMERIC',
    source          TEXT NOT NULL DEFAULT 'API',
    trace_id        TEXT,
    observation_id  TEXT,
    session_id      TEXT,
    dataset_run_id  TEXT,
    comment         TEXT,
    metadata        TEXT,
    config_id       TEXT,
    author_user_id  TEXT,
    environment     TEXT NOT NULL DEFAULT 'default',
    field_ts        TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX scores_by_trace ON scores (project_id, trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX scores_by_time ON scores (project_id, timestamp DESC);
CREATE INDEX scores_by_name ON scores (project_id, name, timestamp DESC);
CREATE INDEX scores_by_session ON scores (project_id, session_id) WHERE session_id IS NOT NULL;
