"""The UI's list queries on PostgreSQL (mirrors store/sqlite/ui_queries.py): keyset-paged traces and generations,
users, score badges and distributions, recent sessions.

Cursors carry numbers (times as microseconds since the epoch), the same as SQLite's, so a page link works whichever
store answers it. Keyset comparisons use the native columns, so the indexes give the page order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.histogram import Bins, fit_bins
from spyglass.domain.listing import (
    Bucket,
    Cursor,
    GenerationQuery,
    GenerationRow,
    RowPage,
    ScoreBadge,
    ScoreDistribution,
    SortField,
    TraceQuery,
    TraceRow,
    UserSummary,
)
from spyglass.domain.model import LEVEL_RANK, Session
from spyglass.store.postgres.queries import Where as PostgresWhere
from spyglass.store.postgres.rows import Row, dt, micros

Conn = AsyncConnection[DictRow]
_LEVELS = {rank: name for name, rank in LEVEL_RANK.items()}
PREVIEW_CHARS = 300

_LATENCY_US = "coalesce((extract(epoch FROM (end_time - start_time)) * 1000000)::bigint, 0)"


def _as_time(value: float) -> Any:
    return dt(int(value))


def _as_number(value: float) -> Any:
    return value


# sort field -> (SQL expression, cursor value -> SQL parameter)
_TRACE_SORT: dict[SortField, tuple[str, Callable[[float], Any]]] = {
    SortField.TIMESTAMP: ("timestamp", _as_time),
    SortField.LATENCY: (_LATENCY_US, _as_number),
    SortField.COST: ("total_cost", _as_number),
    SortField.TOKENS: ("total_tokens", _as_number),
}
_GENERATION_SORT: dict[SortField, tuple[str, Callable[[float], Any]]] = {
    SortField.TIMESTAMP: ("start_time", _as_time),
    SortField.LATENCY: (_LATENCY_US, _as_number),
    SortField.COST: ("coalesce(total_cost, 0)", _as_number),
    SortField.TOKENS: ("total_tokens", _as_number),
}


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sort_number(value: Any) -> float:
    if isinstance(value, datetime):
        return float(micros(value) or 0)
    return float(value or 0)


def preview(text: str | None) -> str:
    """Readable start of a stored JSON value: a JSON string loses its quotes and escapes when it is whole."""
    if not text:
        return ""
    if text.startswith('"') and len(text) < PREVIEW_CHARS:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
        return str(value)
    if text.startswith('"'):
        return text[1:].replace('\\"', '"').replace("\\n", " ")
    return text


class Where(PostgresWhere):
    def eq(self, column: str, value: Any) -> None:
        """An empty filter field from a form means no filter."""
        if value != "":
            super().eq(column, value)

    def after(self, sort: tuple[str, Callable[[float], Any]], cursor: Cursor | None, descending: bool) -> None:
        if cursor is not None:
            expr, convert = sort
            self.add(f"({expr}, id) {'<' if descending else '>'} (%s, %s)", convert(cursor.value), cursor.id)


def _pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _trace_where(project_id: str, q: TraceQuery) -> Where:
    where = Where(project_id)
    where.within("timestamp", q.from_timestamp, q.to_timestamp)
    for column, value in (("name", q.name), ("user_id", q.user_id), ("session_id", q.session_id),
                          ("environment", q.environment), ("release", q.release), ("version", q.version)):  # fmt: skip
        where.eq(column, value)
    if q.level:
        where.add("level_rank = %s", LEVEL_RANK.get(q.level.upper(), -1))
    if q.tags:
        where.add("tags @> %s::text[]", list(q.tags))
    if q.bookmarked:
        where.add("bookmarked")
    if q.score_name:
        clause = "EXISTS (SELECT 1 FROM scores s WHERE s.project_id = traces.project_id AND s.trace_id = traces.id"
        clause += " AND s.name = %s"
        params: list[Any] = [q.score_name]
        if q.score_min is not None:
            clause += " AND s.value >= %s"
            params.append(q.score_min)
        if q.score_max is not None:
            clause += " AND s.value <= %s"
            params.append(q.score_max)
        where.add(clause + ")", *params)
    if q.search:
        # Case-insensitive substring, as SQLite's trigram index matches; pg_trgm's indexes answer it (0005_search).
        pattern = _pattern(q.search)
        where.add("(input ILIKE %s ESCAPE '\\' OR output ILIKE %s ESCAPE '\\')", pattern, pattern)
    return where


async def list_trace_rows(
    conn: Conn, project_id: str, q: TraceQuery, cursor: Cursor | None, limit: int
) -> RowPage[TraceRow]:
    sort = _TRACE_SORT[q.sort]
    expr = sort[0]
    where = _trace_where(project_id, q)
    where.after(sort, cursor, q.descending)
    direction = "DESC" if q.descending else "ASC"
    cur = await conn.execute(
        f"SELECT id, timestamp, name, user_id, session_id, tags, level_rank, environment, observation_count,"
        f" {_LATENCY_US} AS latency, input_tokens, output_tokens, total_tokens, total_cost,"
        f" bookmarked, left(input, {PREVIEW_CHARS}) AS input_preview,"
        f" left(output, {PREVIEW_CHARS}) AS output_preview, {expr} AS sort_value"
        f" FROM traces WHERE {where.sql} ORDER BY {expr} {direction}, id {direction} LIMIT %s",
        [*where.params, limit + 1],
    )
    rows = await cur.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    badges = await score_badges(conn, project_id, [r["id"] for r in rows])
    items = tuple(
        TraceRow(
            id=r["id"], timestamp=r["timestamp"], name=r["name"], user_id=r["user_id"], session_id=r["session_id"],
            tags=tuple(r["tags"]), level=_LEVELS.get(r["level_rank"], "DEFAULT"), environment=r["environment"],
            latency_seconds=r["latency"] / 1e6, observation_count=r["observation_count"],
            input_tokens=r["input_tokens"], output_tokens=r["output_tokens"], total_tokens=r["total_tokens"],
            total_cost=r["total_cost"] or 0.0, input_preview=preview(r["input_preview"]),
            output_preview=preview(r["output_preview"]), bookmarked=bool(r["bookmarked"]),
            scores=tuple(badges.get(r["id"], ())),
        )
        for r in rows
    )  # fmt: skip
    last = rows[-1] if rows else None
    next_cursor = Cursor(_sort_number(last["sort_value"]), last["id"]) if more and last is not None else None
    return RowPage(items, next_cursor)


def _badge(r: Row) -> ScoreBadge:
    numeric = r["data_type"] == "NUMERIC"
    return ScoreBadge(r["name"], r["value"] if numeric else None, None if numeric else r["string_value"], int(r["n"]))


async def score_badges(conn: Conn, project_id: str, trace_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
    """Per trace id: one badge per score name on the trace or its observations, by name."""
    found: dict[str, list[ScoreBadge]] = defaultdict(list)
    if not trace_ids:
        return found
    cur = await conn.execute(
        "SELECT trace_id, name, avg(value) AS value, max(string_value) AS string_value, count(*) AS n,"
        " max(data_type) AS data_type FROM scores WHERE project_id = %s AND trace_id = ANY(%s::text[])"
        " GROUP BY trace_id, name ORDER BY trace_id, name",
        (project_id, list(trace_ids)),
    )
    for r in await cur.fetchall():
        found[r["trace_id"]].append(_badge(r))
    return found


async def list_generation_rows(
    conn: Conn, project_id: str, q: GenerationQuery, cursor: Cursor | None, limit: int
) -> RowPage[GenerationRow]:
    sort = _GENERATION_SORT[q.sort]
    expr = sort[0]
    where = Where(project_id)
    where.add("type = 'GENERATION'")
    where.within("start_time", q.from_timestamp, q.to_timestamp)
    for column, value in (("name", q.name), ("model", q.model), ("environment", q.environment),
                          ("prompt_name", q.prompt_name)):  # fmt: skip
        where.eq(column, value)
    if q.level:
        where.eq("level", q.level.upper())
    if q.user_id:
        where.add(
            "trace_id IN (SELECT id FROM traces t WHERE t.project_id = observations.project_id AND t.user_id = %s)",
            q.user_id,
        )
    where.after(sort, cursor, q.descending)
    direction = "DESC" if q.descending else "ASC"
    cur = await conn.execute(
        f"SELECT id, trace_id, name, start_time, end_time, completion_start_time, model, level, input_tokens,"
        f" output_tokens, total_tokens, total_cost, prompt_name, prompt_version,"
        f" left(input, {PREVIEW_CHARS}) AS input_preview, left(output, {PREVIEW_CHARS}) AS output_preview,"
        f" {expr} AS sort_value FROM observations WHERE {where.sql} ORDER BY {expr} {direction}, id {direction}"
        f" LIMIT %s",
        [*where.params, limit + 1],
    )
    rows = await cur.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    items = tuple(
        GenerationRow(
            id=r["id"], trace_id=r["trace_id"], name=r["name"], start_time=r["start_time"], model=r["model"],
            level=r["level"],
            latency_seconds=(r["end_time"] - r["start_time"]).total_seconds() if r["end_time"] is not None else None,
            time_to_first_token_seconds=(r["completion_start_time"] - r["start_time"]).total_seconds()
            if r["completion_start_time"] is not None else None,
            input_tokens=r["input_tokens"], output_tokens=r["output_tokens"], total_tokens=r["total_tokens"],
            total_cost=r["total_cost"], prompt_name=r["prompt_name"], prompt_version=r["prompt_version"],
            input_preview=preview(r["input_preview"]), output_preview=preview(r["output_preview"]),
        )
        for r in rows
    )  # fmt: skip
    last = rows[-1] if rows else None
    next_cursor = Cursor(_sort_number(last["sort_value"]), last["id"]) if more and last is not None else None
    return RowPage(items, next_cursor)


async def score_distributions(
    conn: Conn, project_id: str, name: str | None, source: str | None
) -> list[ScoreDistribution]:
    where = Where(project_id)
    where.eq("name", name)
    where.eq("source", source)
    cur = await conn.execute(
        f"SELECT name, max(data_type) AS data_type, count(*) AS n, avg(value) AS mean, min(value) AS lo,"
        f" max(value) AS hi, count(CASE WHEN value <> round(value) THEN 1 END) AS fractional FROM scores"
        f" WHERE {where.sql} GROUP BY name ORDER BY name LIMIT 50",
        where.params,
    )
    result: list[ScoreDistribution] = []
    for head in await cur.fetchall():
        if head["data_type"] == "NUMERIC" and head["lo"] is not None:
            bins = fit_bins(float(head["lo"]), float(head["hi"]), head["fractional"] == 0)
            buckets = await _numeric_buckets(conn, where, head["name"], bins)
            mean = head["mean"]
        else:
            rows = await conn.execute(
                f"SELECT coalesce(string_value, value::text) AS v, count(*) AS n FROM scores WHERE {where.sql}"
                f" AND name = %s GROUP BY v ORDER BY n DESC, v LIMIT 20",
                [*where.params, head["name"]],
            )
            buckets = tuple(Bucket(str(r["v"]), int(r["n"])) for r in await rows.fetchall())
            mean = head["mean"] if head["data_type"] == "BOOLEAN" else None
        result.append(ScoreDistribution(head["name"], head["data_type"], int(head["n"]), mean, buckets))
    return result


async def _numeric_buckets(conn: Conn, where: Where, name: str, bins: Bins) -> tuple[Bucket, ...]:
    """Counts per bin of domain/histogram.py (whole-number scores: one bin per value)."""
    index = "floor((value - %s) / %s)::int" if bins.width > 0 else "0"
    cur = await conn.execute(
        f"SELECT {index} AS b, count(*) AS n FROM scores WHERE {where.sql} AND name = %s AND value IS NOT NULL"
        f" GROUP BY b",
        [*([bins.lo, bins.width] if bins.width > 0 else []), *where.params, name],
    )
    counts = [0] * bins.count
    for r in await cur.fetchall():
        counts[min(max(int(r["b"]), 0), bins.count - 1)] += int(r["n"])
    return tuple(Bucket(bins.label(i), c) for i, c in enumerate(counts))


async def session_score_badges(conn: Conn, project_id: str, session_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
    """Per session id: one badge per score name over the session's own scores and its traces' scores."""
    found: dict[str, list[ScoreBadge]] = defaultdict(list)
    if not session_ids:
        return found
    ids = list(session_ids)
    cur = await conn.execute(
        "SELECT sid, name, avg(value) AS value, max(string_value) AS string_value, count(*) AS n,"
        " max(data_type) AS data_type FROM ("
        "  SELECT s.session_id AS sid, s.name, s.value, s.string_value, s.data_type FROM scores s"
        "  WHERE s.project_id = %s AND s.session_id = ANY(%s::text[])"
        "  UNION ALL"
        "  SELECT t.session_id AS sid, s.name, s.value, s.string_value, s.data_type FROM traces t JOIN scores s"
        "   ON s.project_id = t.project_id AND s.trace_id = t.id"
        "  WHERE t.project_id = %s AND t.session_id = ANY(%s::text[])"
        ") x GROUP BY sid, name ORDER BY sid, name",
        (project_id, ids, project_id, ids),
    )
    for r in await cur.fetchall():
        found[r["sid"]].append(_badge(r))
    return found


_WALKED = {"session_id": "session_id", "user_id": "user_id"}
_WALK_BATCH = 500


async def _recent_distinct(
    conn: Conn, project_id: str, column: str, cursor: Cursor | None, limit: int
) -> tuple[list[str], Cursor | None]:
    """Distinct values of `column` in the order of their newest trace: walks traces newest first (the time index)
    until `limit` new values are seen, so a page costs a few hundred rows however many values the project holds.
    The cursor is the (timestamp, id) of the last trace walked; a value with a trace at or after it was on an earlier
    page."""
    column = _WALKED[column]
    position: tuple[Any, str] | None = (_as_time(cursor.value), cursor.id) if cursor is not None else None
    found: list[str] = []
    seen: set[str] = set()
    last: tuple[datetime, str] | None = None
    while True:
        after = "AND (timestamp, id) < (%s, %s)" if position is not None else ""
        cur = await conn.execute(
            f"SELECT {column} AS value, timestamp, id FROM traces WHERE project_id = %s AND {column} IS NOT NULL"
            f" {after} ORDER BY timestamp DESC, id DESC LIMIT %s",
            [project_id, *(position or ()), _WALK_BATCH],
        )
        batch = await cur.fetchall()
        for row in batch:
            value = row["value"]
            if value in seen:
                continue
            seen.add(value)
            if cursor is not None:
                newer = await conn.execute(
                    f"SELECT 1 AS x FROM traces WHERE project_id = %s AND {column} = %s AND (timestamp, id) >= (%s, %s)"
                    " LIMIT 1",
                    (project_id, value, dt(int(cursor.value)), cursor.id),
                )
                if await newer.fetchone() is not None:
                    continue
            if len(found) == limit:
                assert last is not None
                return found, Cursor(float(micros(last[0]) or 0), last[1])
            found.append(value)
            last = (row["timestamp"], row["id"])
        if len(batch) < _WALK_BATCH:
            return found, None
        position = (batch[-1]["timestamp"], batch[-1]["id"])


async def list_recent_sessions(conn: Conn, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[Session]:
    """Sessions by their latest trace, newest first (keyset-paged)."""
    found, next_cursor = await _recent_distinct(conn, project_id, "session_id", cursor, limit)
    sessions = await _sessions(conn, project_id, found)
    return RowPage(tuple(sessions[s] for s in found if s in sessions), next_cursor)


async def list_recent_users(conn: Conn, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[UserSummary]:
    """Users by last seen, newest first (keyset-paged like sessions)."""
    found, next_cursor = await _recent_distinct(conn, project_id, "user_id", cursor, limit)
    if not found:
        return RowPage((), None)
    cur = await conn.execute(
        "SELECT user_id, count(*) AS n, count(DISTINCT session_id) AS sessions, sum(total_tokens) AS tokens,"
        " sum(total_cost) AS cost, min(timestamp) AS first_seen, max(timestamp) AS last_seen FROM traces"
        " WHERE project_id = %s AND user_id = ANY(%s::text[]) GROUP BY user_id",
        (project_id, found),
    )
    by_id = {
        r["user_id"]: UserSummary(r["user_id"], int(r["n"]), int(r["sessions"]), int(r["tokens"] or 0),
                                  float(r["cost"] or 0.0), r["first_seen"], r["last_seen"])
        for r in await cur.fetchall()
    }  # fmt: skip
    return RowPage(tuple(by_id[u] for u in found if u in by_id), next_cursor)


async def _sessions(conn: Conn, project_id: str, session_ids: Sequence[str]) -> dict[str, Session]:
    if not session_ids:
        return {}
    cur = await conn.execute(
        "SELECT session_id, count(*) AS n, min(timestamp) AS first, max(timestamp) AS last,"
        " min(environment) AS environment, array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL)"
        " AS user_ids, coalesce(sum(total_cost), 0) AS cost, coalesce(sum(total_tokens), 0) AS tokens"
        " FROM traces WHERE project_id = %s AND session_id = ANY(%s::text[]) GROUP BY session_id",
        (project_id, list(session_ids)),
    )
    return {
        r["session_id"]: Session(
            id=r["session_id"], project_id=project_id, created_at=r["first"], environment=r["environment"],
            trace_count=int(r["n"]), user_ids=tuple(r["user_ids"] or ()), first_trace_at=r["first"],
            last_trace_at=r["last"], total_cost=float(r["cost"]), total_tokens=int(r["tokens"]),
        )
        for r in await cur.fetchall()
    }  # fmt: skip
