-- Score configs, annotation queues (items, assignments) and comments, plus the queue a score was made in.
-- The SQL over these tables is shared with the PostgreSQL backend (store/evaluation.py); times are microseconds
-- since the epoch, JSON lists are TEXT.

CREATE TABLE score_configs (
    project_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    data_type    TEXT NOT NULL,
    is_archived  INTEGER NOT NULL DEFAULT 0,
    min_value    REAL,
    max_value    REAL,
    categories   TEXT,
    description  TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE annotation_queues (
    project_id        TEXT NOT NULL,
    id                TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT,
    score_config_ids  TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, name)
);

CREATE TABLE annotation_queue_items (
    project_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    queue_id      TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    status        TEXT NOT NULL,
    completed_at  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX annotation_queue_items_by_queue ON annotation_queue_items (project_id, queue_id, status, created_at);

CREATE TABLE annotation_queue_assignments (
    project_id  TEXT NOT NULL,
    queue_id    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    PRIMARY KEY (project_id, queue_id, user_id)
);

CREATE TABLE comments (
    project_id      TEXT NOT NULL,
    id              TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    content         TEXT NOT NULL,
    author_user_id  TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX comments_by_object ON comments (project_id, object_type, object_id, created_at);

ALTER TABLE scores ADD COLUMN queue_id TEXT;
CREATE INDEX scores_by_queue ON scores (project_id, queue_id) WHERE queue_id IS NOT NULL;
