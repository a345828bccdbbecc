-- Per-project data policy: retention in days and masking rules (built-in set names and the project's own patterns).
-- A project without a row keeps everything and masks nothing. auto_vacuum lets purges give pages back to the disk
-- (see lifecycle.py); a database created before this migration needs one `spyglass purge --vacuum` for that.

CREATE TABLE data_policies (
    project_id      TEXT PRIMARY KEY REFERENCES projects(id),
    retention_days  INTEGER,
    masking         TEXT NOT NULL DEFAULT '[]',
    mask_patterns   TEXT NOT NULL DEFAULT '[]',
    updated_at      INTEGER NOT NULL
);
