-- Media files the SDKs upload (the bytes live in the data dir's media/ folder, see store/blobs.py), and where each
-- was referenced, so a public trace serves only its own media and deleting a trace forgets its links.

CREATE TABLE media (
    project_id          TEXT NOT NULL,
    id                  TEXT NOT NULL,
    sha256_hash         TEXT NOT NULL,
    content_type        TEXT NOT NULL,
    content_length      INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    uploaded_at         INTEGER,
    upload_http_status  INTEGER,
    upload_http_error   TEXT,
    PRIMARY KEY (project_id, id)
) WITHOUT ROWID;

CREATE TABLE media_links (
    project_id      TEXT NOT NULL,
    trace_id        TEXT NOT NULL,
    media_id        TEXT NOT NULL,
    observation_id  TEXT NOT NULL DEFAULT '',
    field           TEXT NOT NULL,
    PRIMARY KEY (project_id, trace_id, media_id, observation_id, field)
) WITHOUT ROWID;
CREATE INDEX media_links_by_media ON media_links (project_id, media_id);
