"""Read queries of the PostgreSQL backend. Each function runs on a pooled connection in autocommit mode.

Orders put NULLs where SQLite does (first when ascending), so both backends page alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from psycopg import AsyncConnection
from psycopg.rows import DictRow

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
from spyglass.store.postgres.rows import (
    Row,
    observation_from_row,
    score_from_row,
    trace_from_row,
)
from spyglass.store.where import TRACE_ORDER_COLUMNS, filter_observations, filter_scores, filter_traces
from spyglass.store.where import Where as BaseWhere

Conn = AsyncConnection[DictRow]
T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class Where(BaseWhere):
    """PostgreSQL: `%s` parameters, aware datetimes, lists as arrays."""

    mark = "%s"

    def time(self, value: datetime) -> Any:
        return _utc(value)

    def any_of(self, column: str, values: tuple[str, ...]) -> None:
        if values:
            self.add(f"{column} = ANY(%s::text[])", list(values))

    def has_tags(self, column: str, tags: tuple[str, ...]) -> None:
        if tags:
            self.add(f"{column} @> %s::text[]", list(tags))

    text_mark = "%s::text"

    def position(self, sql: str, mark: str) -> str:
        return f"strpos({sql}, {mark})"

    def seconds(self, start: str, end: str) -> str:
        return f"extract(epoch FROM {end} - {start})::float8"

    def boolean(self, value: bool) -> Any:
        return value

    def json_text(self, column: str, key: str) -> tuple[str, list[Any]]:
        return f"({column} ->> %s)", [key]

    def json_number(self, column: str, key: str) -> tuple[str, list[Any]]:
        return f"(CASE WHEN jsonb_typeof({column} -> %s) = 'number' THEN ({column} ->> %s)::float8 END)", [key, key]

    def tags_match(self, column: str, operator: str, tags: tuple[str, ...]) -> tuple[str, list[Any]]:
        if operator == "any of":
            return f"coalesce({column} && %s::text[], false)", [list(tags)]
        if operator == "all of":
            return f"coalesce({column} @> %s::text[], false)", [list(tags)]
        return f"NOT coalesce({column} && %s::text[], false)", [list(tags)]


async def _all(conn: Conn, sql: str, params: Any) -> list[Row]:
    cur = await conn.execute(sql, params)
    return await cur.fetchall()


async def _one(conn: Conn, sql: str, params: Any) -> Row | None:
    cur = await conn.execute(sql, params)
    return await cur.fetchone()


async def _page(conn: Conn, count_sql: str, params: list[Any], items: list[T], page: PageRequest) -> Page[T]:
    row = await _one(conn, count_sql, params)
    total = int(row["count"]) if row is not None else 0
    return Page(items=tuple(items), total=total, page=page.page, limit=page.limit)


def _order(column: str, descending: bool) -> str:
    # SQLite sorts NULL lowest; PostgreSQL highest. Say where NULLs go so both backends agree.
    return f"{column} DESC NULLS LAST" if descending else f"{column} ASC NULLS FIRST"


def trace_where(project_id: str, flt: TraceFilter) -> Where:
    """The WHERE of a public-API trace filter (shared with metrics.py)."""
    return filter_traces(Where(project_id), flt)


async def list_traces(conn: Conn, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[Trace]:
    where = trace_where(project_id, flt)
    column = TRACE_ORDER_COLUMNS.get(flt.order_by, "timestamp")
    order = f"{_order(column, flt.descending)}, {_order('id', flt.descending)}"
    rows = await _all(
        conn,
        f"SELECT * FROM traces WHERE {where.sql} ORDER BY {order} LIMIT %s OFFSET %s",
        [*where.params, page.limit, page.offset],
    )
    items = [trace_from_row(r) for r in rows]
    return await _page(conn, f"SELECT count(*) FROM traces WHERE {where.sql}", where.params, items, page)


async def child_ids(conn: Conn, project_id: str, trace_ids: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
    found: dict[str, tuple[list[str], list[str]]] = {}
    if not trace_ids:
        return found
    for table, slot, order in (("observations", 0, "start_time"), ("scores", 1, "timestamp")):
        rows = await _all(
            conn,
            f"SELECT trace_id, id FROM {table} WHERE project_id = %s AND trace_id = ANY(%s::text[])"
            f" ORDER BY {order}, id",
            (project_id, list(trace_ids)),
        )
        for row in rows:
            found.setdefault(row["trace_id"], ([], []))[slot].append(row["id"])
    return found


async def get_trace(conn: Conn, project_id: str, trace_id: str) -> TraceDetail:
    row = await _one(conn, "SELECT * FROM traces WHERE project_id = %s AND id = %s", (project_id, trace_id))
    if row is None:
        raise NotFound(f"trace {trace_id!r} not found")
    observations = await _all(
        conn,
        "SELECT * FROM observations WHERE project_id = %s AND trace_id = %s ORDER BY start_time, id",
        (project_id, trace_id),
    )
    scores = await _all(
        conn,
        "SELECT * FROM scores WHERE project_id = %s AND trace_id = %s ORDER BY timestamp, id",
        (project_id, trace_id),
    )
    return TraceDetail(
        trace=trace_from_row(row),
        observations=tuple(observation_from_row(r) for r in observations),
        scores=tuple(score_from_row(r) for r in scores),
    )


async def get_observation(conn: Conn, project_id: str, observation_id: str) -> Observation:
    row = await _one(conn, "SELECT * FROM observations WHERE project_id = %s AND id = %s", (project_id, observation_id))
    if row is None:
        raise NotFound(f"observation {observation_id!r} not found")
    return observation_from_row(row)


async def list_observations(
    conn: Conn, project_id: str, flt: ObservationFilter, page: PageRequest
) -> Page[Observation]:
    where = filter_observations(Where(project_id), flt)
    rows = await _all(
        conn,
        f"SELECT * FROM observations WHERE {where.sql} ORDER BY start_time DESC, id DESC LIMIT %s OFFSET %s",
        [*where.params, page.limit, page.offset],
    )
    items = [observation_from_row(r) for r in rows]
    return await _page(conn, f"SELECT count(*) FROM observations WHERE {where.sql}", where.params, items, page)


async def get_score(conn: Conn, project_id: str, score_id: str) -> Score:
    row = await _one(conn, "SELECT * FROM scores WHERE project_id = %s AND id = %s", (project_id, score_id))
    if row is None:
        raise NotFound(f"score {score_id!r} not found")
    return score_from_row(row)


async def list_scores(conn: Conn, project_id: str, flt: ScoreFilter, page: PageRequest) -> Page[Score]:
    where = filter_scores(Where(project_id), flt)
    rows = await _all(
        conn,
        f"SELECT * FROM scores WHERE {where.sql} ORDER BY timestamp DESC, id DESC LIMIT %s OFFSET %s",
        [*where.params, page.limit, page.offset],
    )
    items = [score_from_row(r) for r in rows]
    return await _page(conn, f"SELECT count(*) FROM scores WHERE {where.sql}", where.params, items, page)


_SESSION_COLUMNS = """
    session_id AS id, min(timestamp) AS created_at, min(environment) AS environment, count(*) AS trace_count,
    array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL) AS user_ids,
    min(timestamp) AS first_trace_at, max(timestamp) AS last_trace_at,
    coalesce(sum(total_cost), 0) AS total_cost, coalesce(sum(total_tokens), 0) AS total_tokens
"""


def _session_from_row(project_id: str, row: Row) -> Session:
    return Session(
        id=row["id"], project_id=project_id, created_at=row["created_at"], environment=row["environment"] or "default",
        trace_count=row["trace_count"], user_ids=tuple(row["user_ids"] or ()), first_trace_at=row["first_trace_at"],
        last_trace_at=row["last_trace_at"], total_cost=float(row["total_cost"]), total_tokens=int(row["total_tokens"]),
    )  # fmt: skip


async def list_sessions(conn: Conn, project_id: str, flt: SessionFilter, page: PageRequest) -> Page[Session]:
    where = Where(project_id)
    where.add("session_id IS NOT NULL")
    where.any_of("environment", flt.environments)
    having = []
    having_params: list[Any] = []
    if flt.from_timestamp is not None:
        having.append("min(timestamp) >= %s")
        having_params.append(_utc(flt.from_timestamp))
    if flt.to_timestamp is not None:
        having.append("min(timestamp) < %s")
        having_params.append(_utc(flt.to_timestamp))
    having_sql = f"HAVING {' AND '.join(having)}" if having else ""
    grouped = f"SELECT {_SESSION_COLUMNS} FROM traces WHERE {where.sql} GROUP BY session_id {having_sql}"
    params = [*where.params, *having_params]
    rows = await _all(
        conn,
        f"SELECT * FROM ({grouped}) s ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
        [*params, page.limit, page.offset],
    )
    items = [_session_from_row(project_id, r) for r in rows]
    return await _page(conn, f"SELECT count(*) FROM ({grouped}) s", params, items, page)


async def get_session(conn: Conn, project_id: str, session_id: str) -> SessionDetail:
    row = await _one(
        conn,
        f"SELECT {_SESSION_COLUMNS} FROM traces WHERE project_id = %s AND session_id = %s GROUP BY session_id",
        (project_id, session_id),
    )
    if row is None:
        raise NotFound(f"session {session_id!r} not found")
    traces = await _all(
        conn,
        "SELECT * FROM traces WHERE project_id = %s AND session_id = %s ORDER BY timestamp, id",
        (project_id, session_id),
    )
    return SessionDetail(session=_session_from_row(project_id, row), traces=tuple(trace_from_row(r) for r in traces))


async def contents(conn: Conn, project_id: str, table: str, ids: Sequence[str]) -> dict[str, Content]:
    if table not in ("traces", "observations"):
        raise ValueError(f"no contents for {table!r}")
    rows = await _all(
        conn, f"SELECT id, input, output, metadata FROM {table} WHERE project_id = %s AND id = ANY(%s)",
        (project_id, list(ids)),
    )  # fmt: skip
    return {row["id"]: (_json(row["input"]), _json(row["output"]), row["metadata"]) for row in rows}


def _json(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)
