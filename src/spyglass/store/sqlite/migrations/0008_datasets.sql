-- Datasets and experiments. Times are INTEGER microseconds since the epoch (UTC); JSON values are TEXT.
-- The SQL that reads and writes them is shared with PostgreSQL (store/datasets.py).

CREATE TABLE datasets (
    project_id              TEXT NOT NULL,
    id                      TEXT NOT NULL,
    name                    TEXT NOT NULL,
    description             TEXT,
    metadata                TEXT,
    input_schema            TEXT,
    expected_output_schema  TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, name)
);
CREATE INDEX datasets_by_created ON datasets (project_id, created_at DESC);

-- Items as they are now; ids are chosen by clients and unique per project (an id never moves to another dataset).
CREATE TABLE dataset_items (
    project_id              TEXT NOT NULL,
    id                      TEXT NOT NULL,
    dataset_id              TEXT NOT NULL,
    status                  TEXT NOT NULL DEFAULT 'ACTIVE',
    input                   TEXT,
    expected_output         TEXT,
    metadata                TEXT,
    source_trace_id         TEXT,
    source_observation_id   TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX dataset_items_by_dataset ON dataset_items (project_id, dataset_id, created_at DESC, id);
CREATE INDEX dataset_items_by_trace ON dataset_items (project_id, source_trace_id) WHERE source_trace_id IS NOT NULL;
CREATE INDEX dataset_items_by_observation ON dataset_items (project_id, source_observation_id)
    WHERE source_observation_id IS NOT NULL;

-- Every state an item had, from `valid_from` until the next row of the same item (deleted = 1: gone from then on),
-- for reads of a dataset as it was at a time (the 5.x SDK's `get_dataset(version=...)`).
CREATE TABLE dataset_item_versions (
    project_id              TEXT NOT NULL,
    item_id                 TEXT NOT NULL,
    valid_from              INTEGER NOT NULL,
    dataset_id              TEXT NOT NULL,
    deleted                 INTEGER NOT NULL DEFAULT 0,
    status                  TEXT NOT NULL,
    input                   TEXT,
    expected_output         TEXT,
    metadata                TEXT,
    source_trace_id         TEXT,
    source_observation_id   TEXT,
    created_at              INTEGER NOT NULL,
    PRIMARY KEY (project_id, item_id, valid_from)
);
CREATE INDEX dataset_item_versions_by_dataset ON dataset_item_versions (project_id, dataset_id, valid_from);

CREATE TABLE dataset_runs (
    project_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    dataset_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    metadata     TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, dataset_id, name)
);
CREATE INDEX dataset_runs_by_created ON dataset_runs (project_id, dataset_id, created_at DESC);

-- One row per (run, item, trace): linking the same item and trace again updates it.
CREATE TABLE dataset_run_items (
    project_id       TEXT NOT NULL,
    id               TEXT NOT NULL,
    run_id           TEXT NOT NULL,
    dataset_item_id  TEXT NOT NULL,
    trace_id         TEXT NOT NULL,
    observation_id   TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (project_id, id),
    UNIQUE (project_id, run_id, dataset_item_id, trace_id)
);
CREATE INDEX dataset_run_items_by_item ON dataset_run_items (project_id, dataset_item_id);
CREATE INDEX dataset_run_items_by_run ON dataset_run_items (project_id, run_id, created_at);

-- Run-level scores (`datasetRunId`), for the runs' aggregates.
CREATE INDEX scores_by_dataset_run ON scores (project_id, dataset_run_id) WHERE dataset_run_id IS NOT NULL;
