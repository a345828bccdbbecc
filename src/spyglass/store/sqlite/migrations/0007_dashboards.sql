-- Custom dashboards: a named set of widgets per project; each widget a metrics query (JSON text, without a time
-- window) drawn as a line, bar, number or table, in `position` order.

CREATE TABLE dashboards (
    project_id      TEXT NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE dashboard_widgets (
    project_id      TEXT NOT NULL,
    dashboard_id    TEXT NOT NULL,
    id              TEXT NOT NULL,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    chart           TEXT NOT NULL,
    query           TEXT NOT NULL,
    PRIMARY KEY (project_id, dashboard_id, id)
);
