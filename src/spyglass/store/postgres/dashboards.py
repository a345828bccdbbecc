"""Custom dashboards in PostgreSQL (mirrors store/sqlite/dashboards.py): a dashboards row and its widgets,
replaced as a whole."""

from __future__ import annotations

from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.dashboards import ChartType, Dashboard, Widget
from spyglass.store.base import NotFound

Conn = AsyncConnection[DictRow]


async def _widgets(conn: Conn, project_id: str, ids: list[str]) -> dict[str, list[Widget]]:
    found: dict[str, list[Widget]] = {i: [] for i in ids}
    if not ids:
        return found
    cur = await conn.execute(
        "SELECT * FROM dashboard_widgets WHERE project_id = %s AND dashboard_id = ANY(%s::text[])"
        " ORDER BY dashboard_id, position",
        (project_id, ids),
    )
    for r in await cur.fetchall():
        found[r["dashboard_id"]].append(Widget(r["id"], r["title"], ChartType(r["chart"]), orjson.loads(r["query"])))
    return found


def _dashboard(row: Any, widgets: list[Widget]) -> Dashboard:
    return Dashboard(row["id"], row["project_id"], row["name"], row["description"], row["created_at"],
                     row["updated_at"], tuple(widgets))  # fmt: skip


async def list_dashboards(conn: Conn, project_id: str) -> list[Dashboard]:
    cur = await conn.execute(
        "SELECT * FROM dashboards WHERE project_id = %s ORDER BY updated_at DESC, id", (project_id,)
    )
    rows = await cur.fetchall()
    widgets = await _widgets(conn, project_id, [r["id"] for r in rows])
    return [_dashboard(r, widgets[r["id"]]) for r in rows]


async def get_dashboard(conn: Conn, project_id: str, dashboard_id: str) -> Dashboard:
    cur = await conn.execute("SELECT * FROM dashboards WHERE project_id = %s AND id = %s", (project_id, dashboard_id))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"dashboard {dashboard_id!r} not found")
    return _dashboard(row, (await _widgets(conn, project_id, [dashboard_id]))[dashboard_id])


async def put_dashboard(conn: Conn, dashboard: Dashboard) -> None:
    """Insert or replace the dashboard and all its widgets (inside the caller's transaction)."""
    await conn.execute(
        "INSERT INTO dashboards (project_id, id, name, description, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (project_id, id) DO UPDATE SET name = excluded.name,"
        " description = excluded.description, updated_at = excluded.updated_at",
        (dashboard.project_id, dashboard.id, dashboard.name, dashboard.description, dashboard.created_at,
         dashboard.updated_at),
    )  # fmt: skip
    await conn.execute("DELETE FROM dashboard_widgets WHERE project_id = %s AND dashboard_id = %s",
                       (dashboard.project_id, dashboard.id))  # fmt: skip
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO dashboard_widgets (project_id, dashboard_id, id, position, title, chart, query)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(dashboard.project_id, dashboard.id, w.id, i, w.title, w.chart.value, orjson.dumps(w.query).decode())
             for i, w in enumerate(dashboard.widgets)],
        )  # fmt: skip


async def delete_dashboard(conn: Conn, project_id: str, dashboard_id: str) -> None:
    cur = await conn.execute("DELETE FROM dashboards WHERE project_id = %s AND id = %s", (project_id, dashboard_id))
    if cur.rowcount == 0:
        raise NotFound(f"dashboard {dashboard_id!r} not found")
    await conn.execute("DELETE FROM dashboard_widgets WHERE project_id = %s AND dashboard_id = %s",
                       (project_id, dashboard_id))  # fmt: skip
