-- Score configs, annotation queues (items, assignments) and comments, plus the queue a score was made in.
-- The SQL over these tables is shared with the SQLite backend (store/evaluation.py), so times are microseconds since
-- the epoch (BIGINT) here too, and JSON lists are TEXT.

CREATE TABLE score_configs (
    project_id   TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    data_type    TEXT COLLATE "C" NOT NULL,
    is_archived  BOOLEAN NOT NULL DEFAULT FALSE,
    min_value    DOUBLE PRECISION,
    max_value    DOUBLE PRECISION,
    categories   TEXT,
    description  TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE annotation_queues (
    project_id        TEXT COLLATE "C" NOT NULL,
    id                TEXT COLLATE "C" NOT NULL,
    name              TEXT COLLATE "C" NOT NULL,
    description       TEXT,
    score_config_ids  TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, name)
);

CREATE TABLE annotation_queue_items (
    project_id    TEXT COLLATE "C" NOT NULL,
    id            TEXT COLLATE "C" NOT NULL,
    queue_id      TEXT COLLATE "C" NOT NULL,
    object_id     TEXT COLLATE "C" NOT NULL,
    object_type   TEXT COLLATE "C" NOT NULL,
    status        TEXT COLLATE "C" NOT NULL,
    completed_at  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX annotation_queue_items_by_queue ON annotation_queue_items (project_id, queue_id, status, created_at);

CREATE TABLE annotation_queue_assignments (
    project_id  TEXT COLLATE "C" NOT NULL,
    queue_id    TEXT COLLATE "C" NOT NULL,
    user_id     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (project_id, queue_id, user_id)
);

CREATE TABLE comments (
    project_id      TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    object_type     TEXT COLLATE "C" NOT NULL,
    object_id       TEXT COLLATE "C" NOT NULL,
    content         TEXT NOT NULL,
    author_user_id  TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX comments_by_object ON comments (project_id, object_type, object_id, created_at);

ALTER TABLE scores ADD COLUMN queue_id TEXT COLLATE "C";
CREATE INDEX scores_by_queue ON scores (project_id, queue_id) WHERE queue_id IS NOT NULL;
