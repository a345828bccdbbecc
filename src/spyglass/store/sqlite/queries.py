"""Read queries of the SQLite backend. Each function runs on a reader connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from spyglass.domain.model import Observation, Score, Session, SessionDetail, Trace, TraceDetail
from spyglass.store.base import (
    Content,
    NotFound,
    ObservationFilter,
    Page,
    PageRequest,
    ScoreFilter,
    SessionFilter,
    TraceFilter,
)
from spyglass.store.sqlite.rows import (
    dt,
    observation_from_row,
    score_from_row,
    trace_from_row,
)
from spyglass.store.where import TRACE_ORDER_COLUMNS, filter_observations, filter_scores, filter_traces
from spyglass.store.where import Where as BaseWhere

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


def _us(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Where(BaseWhere):
    """SQLite: `?` parameters, times as integer microseconds."""

    def time(self, value: datetime) -> Any:
        return _us(value)


def _page(conn: sqlite3.Connection, count_sql: str, params: list[Any], items: list[T], page: PageRequest) -> Page[T]:
    total = conn.execute(count_sql, params).fetchone()[0]
    return Page(items=tuple(items), total=total, page=page.page, limit=page.limit)


def trace_where(project_id: str, flt: TraceFilter) -> Where:
    """The WHERE of a public-API trace filter (shared with metrics.py)."""
    return filter_traces(Where(project_id), flt)


def list_traces(conn: sqlite3.Connection, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[Trace]:
    where = trace_where(project_id, flt)
    column = TRACE_ORDER_COLUMNS.get(flt.order_by, "timestamp")
    direction = "DESC" if flt.descending else "ASC"
    rows = conn.execute(
        f"SELECT * FROM traces WHERE {where.sql} ORDER BY {column} {direction}, id {direction} LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    ).fetchall()
    items = [trace_from_row(r) for r in rows]
    return _page(conn, f"SELECT count(*) FROM traces WHERE {where.sql}", where.params, items, page)


def child_ids(
    conn: sqlite3.Connection, project_id: str, trace_ids: Sequence[str]
) -> dict[str, tuple[list[str], list[str]]]:
    found: dict[str, tuple[list[str], list[str]]] = {}
    if not trace_ids:
        return found
    marks = ", ".join("?" for _ in trace_ids)
    for table, slot, order in (("observations", 0, "start_time"), ("scores", 1, "timestamp")):
        rows = conn.execute(
            f"SELECT trace_id, id FROM {table} WHERE project_id = ? AND trace_id IN ({marks}) ORDER BY {order}, id",
            (project_id, *trace_ids),
        )
        for trace_id, child_id in rows:
            found.setdefault(trace_id, ([], []))[slot].append(child_id)
    return found


def get_trace(conn: sqlite3.Connection, project_id: str, trace_id: str) -> TraceDetail:
    row = conn.execute("SELECT * FROM traces WHERE project_id = ? AND id = ?", (project_id, trace_id)).fetchone()
    if row is None:
        raise NotFound(f"trace {trace_id!r} not found")
    observations = conn.execute(
        "SELECT * FROM observations WHERE project_id = ? AND trace_id = ? ORDER BY start_time, id",
        (project_id, trace_id),
    ).fetchall()
    scores = conn.execute(
        "SELECT * FROM scores WHERE project_id = ? AND trace_id = ? ORDER BY timestamp, id",
        (project_id, trace_id),
    ).fetchall()
    return TraceDetail(
        trace=trace_from_row(row),
        observations=tuple(observation_from_row(r) for r in observations),
        scores=tuple(score_from_row(r) for r in scores),
    )


def get_observation(conn: sqlite3.Connection, project_id: str, observation_id: str) -> Observation:
    row = conn.execute(
        "SELECT * FROM observations WHERE project_id = ? AND id = ?", (project_id, observation_id)
    ).fetchone()
    if row is None:
        raise NotFound(f"observation {observation_id!r} not found")
    return observation_from_row(row)


def list_observations(
    conn: sqlite3.Connection, project_id: str, flt: ObservationFilter, page: PageRequest
) -> Page[Observation]:
    where = filter_observations(Where(project_id), flt)
    rows = conn.execute(
        f"SELECT * FROM observations WHERE {where.sql} ORDER BY start_time DESC, id DESC LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    ).fetchall()
    items = [observation_from_row(r) for r in rows]
    return _page(conn, f"SELECT count(*) FROM observations WHERE {where.sql}", where.params, items, page)


def get_score(conn: sqlite3.Connection, project_id: str, score_id: str) -> Score:
    row = conn.execute("SELECT * FROM scores WHERE project_id = ? AND id = ?", (project_id, score_id)).fetchone()
    if row is None:
        raise NotFound(f"score {score_id!r} not found")
    return score_from_row(row)


def list_scores(conn: sqlite3.Connection, project_id: str, flt: ScoreFilter, page: PageRequest) -> Page[Score]:
    where = filter_scores(Where(project_id), flt)
    rows = conn.execute(
        f"SELECT * FROM scores WHERE {where.sql} ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    ).fetchall()
    items = [score_from_row(r) for r in rows]
    return _page(conn, f"SELECT count(*) FROM scores WHERE {where.sql}", where.params, items, page)


_SESSION_COLUMNS = """
    session_id AS id, min(timestamp) AS created_at, min(environment) AS environment, count(*) AS trace_count,
    json_group_array(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL) AS user_ids,
    min(timestamp) AS first_trace_at, max(timestamp) AS last_trace_at,
    coalesce(sum(total_cost), 0) AS total_cost, coalesce(sum(total_tokens), 0) AS total_tokens
"""


def _session_from_row(project_id: str, row: sqlite3.Row) -> Session:
    created = dt(row["created_at"])
    assert created is not None
    return Session(
        id=row["id"], project_id=project_id, created_at=created, environment=row["environment"] or "default",
        trace_count=row["trace_count"], user_ids=tuple(orjson.loads(row["user_ids"] or "[]")),
        first_trace_at=dt(row["first_trace_at"]), last_trace_at=dt(row["last_trace_at"]),
        total_cost=row["total_cost"], total_tokens=row["total_tokens"],
    )  # fmt: skip


def list_sessions(conn: sqlite3.Connection, project_id: str, flt: SessionFilter, page: PageRequest) -> Page[Session]:
    where = Where(project_id)
    where.add("session_id IS NOT NULL")
    where.any_of("environment", flt.environments)
    having = []
    having_params: list[Any] = []
    if flt.from_timestamp is not None:
        having.append("min(timestamp) >= ?")
        having_params.append(_us(flt.from_timestamp))
    if flt.to_timestamp is not None:
        having.append("min(timestamp) < ?")
        having_params.append(_us(flt.to_timestamp))
    having_sql = f"HAVING {' AND '.join(having)}" if having else ""
    # Page the session ids first (an index-only walk of traces by session), then aggregate only that page's
    # sessions: aggregating every session before paging cost seconds on a million traces.
    ids = (
        f"SELECT session_id, min(timestamp) AS first_at FROM traces WHERE {where.sql} GROUP BY session_id {having_sql}"
    )
    params = [*where.params, *having_params]
    wanted = conn.execute(
        f"SELECT session_id FROM ({ids}) ORDER BY first_at DESC, session_id DESC LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    ).fetchall()
    session_ids = [r[0] for r in wanted]
    rows = (
        conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM traces WHERE {where.sql} AND session_id IN "
            f"({', '.join('?' for _ in session_ids)}) GROUP BY session_id ORDER BY created_at DESC, id DESC",
            (*where.params, *session_ids),
        ).fetchall()
        if session_ids
        else []
    )
    items = [_session_from_row(project_id, r) for r in rows]
    return _page(conn, f"SELECT count(*) FROM ({ids})", params, items, page)


def get_session(conn: sqlite3.Connection, project_id: str, session_id: str) -> SessionDetail:
    row = conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM traces WHERE project_id = ? AND session_id = ? GROUP BY session_id",
        (project_id, session_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"session {session_id!r} not found")
    traces = conn.execute(
        "SELECT * FROM traces WHERE project_id = ? AND session_id = ? ORDER BY timestamp, id",
        (project_id, session_id),
    ).fetchall()
    return SessionDetail(session=_session_from_row(project_id, row), traces=tuple(trace_from_row(r) for r in traces))


def contents(conn: sqlite3.Connection, project_id: str, table: str, ids: Sequence[str]) -> dict[str, Content]:
    if table not in ("traces", "observations"):
        raise ValueError(f"no contents for {table!r}")
    found: dict[str, Content] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, input, output, metadata FROM {table} WHERE project_id = ? AND id IN ({marks})",
            [project_id, *chunk],
        ):
            found[row["id"]] = (_json(row["input"]), _json(row["output"]), _json(row["metadata"]))
    return found


def _json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)
