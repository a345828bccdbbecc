-- Per-project data policy: retention in days and masking rules (built-in set names and the project's own patterns).
-- A project without a row keeps everything and masks nothing.

CREATE TABLE data_policies (
    project_id      TEXT COLLATE "C" PRIMARY KEY REFERENCES projects(id),
    retention_days  INTEGER,
    masking         JSONB NOT NULL DEFAULT '[]',
    mask_patterns   JSONB NOT NULL DEFAULT '[]',
    updated_at      TIMESTAMPTZ NOT NULL
);
