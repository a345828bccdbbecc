-- Prompts under version control (mirrors store/sqlite/migrations/0002_prompts.sql). The prompt body and config are
-- TEXT holding JSON exactly as given (key order kept for display).

CREATE TABLE prompt_names (
    project_id  TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    tags        TEXT[] NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, name)
);

CREATE TABLE prompts (
    project_id      TEXT COLLATE "C" NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    version         INTEGER NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    type            TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    config          TEXT NOT NULL DEFAULT '{}',
    commit_message  TEXT,
    created_by      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, name, version)
);
CREATE INDEX prompts_by_updated ON prompts (project_id, updated_at DESC);

-- A label names one version of a prompt: the primary key makes "at most one version per label" structural.
CREATE TABLE prompt_labels (
    project_id  TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    label       TEXT COLLATE "C" NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (project_id, name, label)
);
CREATE INDEX prompt_labels_by_version ON prompt_labels (project_id, name, version);

CREATE INDEX observations_by_prompt ON observations (project_id, prompt_name, prompt_version)
    WHERE prompt_name IS NOT NULL;
