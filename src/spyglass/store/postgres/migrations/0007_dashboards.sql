-- Custom dashboards: a named set of widgets per project; each widget a metrics query (JSON text, without a time
-- window) drawn as a line, bar, number or table, in `position` order. Mirrors the SQLite 0006_dashboards.sql.

CREATE TABLE dashboards (
    project_id      TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE dashboard_widgets (
    project_id      TEXT COLLATE "C" NOT NULL,
    dashboard_id    TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    chart           TEXT NOT NULL,
    query           TEXT NOT NULL,
    PRIMARY KEY (project_id, dashboard_id, id)
);
