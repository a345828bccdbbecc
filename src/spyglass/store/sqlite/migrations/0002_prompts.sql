-- Prompts under version control. Times are INTEGER microseconds since the epoch (UTC); JSON values are TEXT.

-- One row per prompt name: what belongs to the prompt as a whole (its tags).
CREATE TABLE prompt_names (
    project_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (project_id, name)
);

-- One row per version; versions count 1, 2, ... per (project, name).
CREATE TABLE prompts (
    project_id      TEXT NOT NULL,
    name            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    id              TEXT NOT NULL,
    type            TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    config          TEXT NOT NULL DEFAULT '{}',
    commit_message  TEXT,
    created_by      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (project_id, name, version)
);
CREATE INDEX prompts_by_updated ON prompts (project_id, updated_at DESC);

-- A label names one version of a prompt: the primary key makes "at most one version per label" structural.
CREATE TABLE prompt_labels (
    project_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    label       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (project_id, name, label)
);
CREATE INDEX prompt_labels_by_version ON prompt_labels (project_id, name, version);

-- The generations of a prompt version, for its usage page and the generations endpoint.
CREATE INDEX observations_by_prompt ON observations (project_id, prompt_name, prompt_version)
    WHERE prompt_name IS NOT NULL;
