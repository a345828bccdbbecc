"""Cost and usage roll-ups of the SQLite backend: daily metrics and totals per session, user, model, trace name
or day. Each function runs on a reader connection.

Days are UTC calendar days of the trace timestamp; an observation counts on its trace's day, so a day's cost is
exactly the sum of its traces' costs, which are the sums of their observations' costs.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, ModelUsage
from spyglass.store.base import Page, PageRequest, TraceFilter
from spyglass.store.sqlite.queries import trace_where

# Clamped to years 1..9999 (what SQLite's date() and Python's date hold), so a time stored before the ingestion
# bounds existed still has a day.
_DAY = "date(min(max(t.timestamp, -62135596800000000), 253402214399000000) / 1000000, 'unixepoch')"


def _matching(project_id: str, flt: TraceFilter) -> tuple[str, list[Any]]:
    """A CTE `t` of the traces matching `flt` (filters read the traces table alone, so no name is ambiguous)."""
    where = trace_where(project_id, flt)
    return f"WITH t AS (SELECT * FROM traces WHERE {where.sql})", where.params


_JOIN = "FROM t JOIN observations o ON o.project_id = t.project_id AND o.trace_id = t.id"


def daily_metrics(conn: sqlite3.Connection, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[DailyMetrics]:
    """Days with traces matching `flt`, newest first; each with usage per model (observations with a model)."""
    cte, params = _matching(project_id, flt)
    days_sql = (
        f"SELECT {_DAY} AS day, count(*) AS traces, coalesce(sum(t.observation_count), 0) AS observations,"
        " coalesce(sum(t.total_cost), 0) AS cost FROM t GROUP BY day"
    )
    total = conn.execute(f"{cte} SELECT count(*) FROM ({days_sql})", params).fetchone()[0]
    days = conn.execute(f"{cte} {days_sql} ORDER BY day DESC LIMIT ? OFFSET ?", [*params, page.limit, page.offset])
    day_rows = days.fetchall()
    usage: dict[str, list[ModelUsage]] = {}
    if day_rows:
        chosen = [r["day"] for r in day_rows]
        marks = ", ".join("?" for _ in chosen)
        rows = conn.execute(
            f"{cte} SELECT {_DAY} AS day, o.model AS model, coalesce(sum(o.input_tokens), 0) AS input,"
            " coalesce(sum(o.output_tokens), 0) AS output, coalesce(sum(o.total_tokens), 0) AS total,"
            " count(DISTINCT o.trace_id) AS traces, count(*) AS observations,"
            " coalesce(sum(o.total_cost), 0) AS cost"
            f" {_JOIN} WHERE o.model IS NOT NULL AND {_DAY} IN ({marks})"
            " GROUP BY day, o.model ORDER BY day DESC, o.model",
            [*params, *chosen],
        )
        for row in rows:
            usage.setdefault(row["day"], []).append(
                ModelUsage(
                    model=row["model"],
                    input_usage=row["input"],
                    output_usage=row["output"],
                    total_usage=row["total"],
                    count_traces=row["traces"],
                    count_observations=row["observations"],
                    total_cost=float(row["cost"]),
                )
            )
    items = tuple(
        DailyMetrics(
            date=date.fromisoformat(r["day"]),
            count_traces=r["traces"],
            count_observations=r["observations"],
            total_cost=float(r["cost"]),
            usage=tuple(usage.get(r["day"], ())),
        )
        for r in day_rows
    )
    return Page(items=items, total=total, page=page.page, limit=page.limit)


_TRACE_KEYS = {
    CostGroup.SESSION: "t.session_id",
    CostGroup.USER: "t.user_id",
    CostGroup.TRACE_NAME: "t.name",
    CostGroup.DAY: _DAY,
}


def cost_rollups(
    conn: sqlite3.Connection, project_id: str, group: CostGroup, flt: TraceFilter, limit: int = 100
) -> list[CostRollup]:
    """Totals per group over the traces matching `flt`, most expensive first (then by key)."""
    cte, params = _matching(project_id, flt)
    if group is CostGroup.MODEL:
        sql = (
            "SELECT o.model AS key, count(DISTINCT o.trace_id) AS traces, count(*) AS observations,"
            " coalesce(sum(o.input_tokens), 0) AS input, coalesce(sum(o.output_tokens), 0) AS output,"
            " coalesce(sum(o.total_tokens), 0) AS total, coalesce(sum(o.total_cost), 0) AS cost"
            f" {_JOIN} WHERE o.model IS NOT NULL GROUP BY o.model"
        )
    else:
        key = _TRACE_KEYS[group]
        sql = (
            f"SELECT {key} AS key, count(*) AS traces, coalesce(sum(t.observation_count), 0) AS observations,"
            " coalesce(sum(t.input_tokens), 0) AS input, coalesce(sum(t.output_tokens), 0) AS output,"
            " coalesce(sum(t.total_tokens), 0) AS total, coalesce(sum(t.total_cost), 0) AS cost"
            f" FROM t GROUP BY {key}"
        )
    rows = conn.execute(f"{cte} {sql} ORDER BY cost DESC, key LIMIT ?", [*params, limit]).fetchall()
    return [
        CostRollup(
            key=r["key"],
            count_traces=r["traces"],
            count_observations=r["observations"],
            input_tokens=r["input"],
            output_tokens=r["output"],
            total_tokens=r["total"],
            total_cost=float(r["cost"]),
        )
        for r in rows
    ]
