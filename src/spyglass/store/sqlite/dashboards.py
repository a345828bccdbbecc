"""Custom dashboards in SQLite (domain/dashboards.py): a dashboards row and its widgets, replaced as a whole."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.dashboards import ChartType, Dashboard, Widget
from spyglass.store.base import NotFound


def _us(value: datetime) -> int:
    return int(value.timestamp()) * 1_000_000 + value.microsecond


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


def _widgets(conn: sqlite3.Connection, project_id: str, ids: list[str]) -> dict[str, list[Widget]]:
    found: dict[str, list[Widget]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = conn.execute(
        f"SELECT * FROM dashboard_widgets WHERE project_id = ? AND dashboard_id IN ({', '.join('?' for _ in ids)})"
        " ORDER BY dashboard_id, position",
        [project_id, *ids],
    )
    for r in rows:
        found[r["dashboard_id"]].append(Widget(r["id"], r["title"], ChartType(r["chart"]), orjson.loads(r["query"])))
    return found


def _dashboard(row: Any, widgets: list[Widget]) -> Dashboard:
    return Dashboard(row["id"], row["project_id"], row["name"], row["description"], _dt(row["created_at"]),
                     _dt(row["updated_at"]), tuple(widgets))  # fmt: skip


def list_dashboards(conn: sqlite3.Connection, project_id: str) -> list[Dashboard]:
    rows = conn.execute(
        "SELECT * FROM dashboards WHERE project_id = ? ORDER BY updated_at DESC, id", (project_id,)
    ).fetchall()
    widgets = _widgets(conn, project_id, [r["id"] for r in rows])
    return [_dashboard(r, widgets[r["id"]]) for r in rows]


def get_dashboard(conn: sqlite3.Connection, project_id: str, dashboard_id: str) -> Dashboard:
    row = conn.execute(
        "SELECT * FROM dashboards WHERE project_id = ? AND id = ?", (project_id, dashboard_id)
    ).fetchone()
    if row is None:
        raise NotFound(f"dashboard {dashboard_id!r} not found")
    return _dashboard(row, _widgets(conn, project_id, [dashboard_id])[dashboard_id])


def put_dashboard(conn: sqlite3.Connection, dashboard: Dashboard) -> None:
    """Insert or replace the dashboard and all its widgets (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO dashboards (project_id, id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (project_id, id) DO UPDATE SET name = excluded.name, description = excluded.description,"
        " updated_at = excluded.updated_at",
        (dashboard.project_id, dashboard.id, dashboard.name, dashboard.description, _us(dashboard.created_at),
         _us(dashboard.updated_at)),
    )  # fmt: skip
    conn.execute("DELETE FROM dashboard_widgets WHERE project_id = ? AND dashboard_id = ?",
                 (dashboard.project_id, dashboard.id))  # fmt: skip
    conn.executemany(
        "INSERT INTO dashboard_widgets (project_id, dashboard_id, id, position, title, chart, query)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(dashboard.project_id, dashboard.id, w.id, i, w.title, w.chart.value, orjson.dumps(w.query).decode())
         for i, w in enumerate(dashboard.widgets)],
    )  # fmt: skip


def delete_dashboard(conn: sqlite3.Connection, project_id: str, dashboard_id: str) -> None:
    if conn.execute("DELETE FROM dashboards WHERE project_id = ? AND id = ?", (project_id, dashboard_id)).rowcount == 0:
        raise NotFound(f"dashboard {dashboard_id!r} not found")
    conn.execute("DELETE FROM dashboard_widgets WHERE project_id = ? AND dashboard_id = ?", (project_id, dashboard_id))
