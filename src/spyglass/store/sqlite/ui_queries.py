"""The UI's list queries on SQLite: keyset-paged traces and generations, users, score badges and distributions.

Lists read previews (the first characters of input and output), never whole values. Keyset paging compares the
(sort value, id) pair with a row value, which SQLite answers from the matching index in migration 0003.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.bounds import datetime_from_us
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
from spyglass.store.sqlite.queries import Where as SqliteWhere

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LEVELS = {rank: name for name, rank in LEVEL_RANK.items()}
PREVIEW_CHARS = 300
COMMON_MATCHES = 2_000  # a search matching at least this many traces is evaluated row by row, in the page's order
_CHUNK = 500

_TRACE_SORT = {
    SortField.TIMESTAMP: "timestamp",
    SortField.LATENCY: "coalesce(end_time - start_time, 0)",
    SortField.COST: "total_cost",
    SortField.TOKENS: "total_tokens",
}
_GENERATION_SORT = {
    SortField.TIMESTAMP: "start_time",
    SortField.LATENCY: "coalesce(end_time - start_time, 0)",
    SortField.COST: "coalesce(total_cost, 0)",
    SortField.TOKENS: "total_tokens",
}


def _us(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dt(value: int) -> datetime:
    return datetime_from_us(value)


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


def fts_phrase(text: str) -> str:
    """`text` as one FTS5 phrase: double quotes doubled, so any input is a literal substring search."""
    return '"' + text.replace('"', '""') + '"'


def fts_match(project_id: str, text: str) -> str:
    """The MATCH expression for `text` in the input or output of `project_id`'s traces (0006_search_by_project).
    A project id under three characters has no trigram to match; the query's own project filter then scopes it."""
    scoped = f"project_id : {fts_phrase(project_id)} AND " if len(project_id) >= 3 else ""
    return scoped + "{input output} : " + fts_phrase(text)


class Where(SqliteWhere):
    def eq(self, column: str, value: Any) -> None:
        """An empty filter field from a form means no filter."""
        if value != "":
            super().eq(column, value)

    def after(self, expr: str, cursor: Cursor | None, descending: bool) -> None:
        if cursor is not None:
            self.add(f"({expr}, id) {'<' if descending else '>'} (?, ?)", cursor.value, cursor.id)


def _search_rowids(conn: sqlite3.Connection, project_id: str, search: str | None) -> list[int] | None:
    """The rowids of the project's traces the search text matches, or None when there are too many to collect."""
    if not search or len(search) < 3:
        return None
    rows = conn.execute(
        "SELECT rowid FROM trace_search WHERE trace_search MATCH ? LIMIT ?",
        (fts_match(project_id, search), COMMON_MATCHES),
    ).fetchall()
    return None if len(rows) >= COMMON_MATCHES else [r[0] for r in rows]


def _trace_where(project_id: str, q: TraceQuery, matches: list[int] | None = None) -> Where:
    where = Where(project_id)
    where.within("timestamp", q.from_timestamp, q.to_timestamp)
    for column, value in (("name", q.name), ("user_id", q.user_id), ("session_id", q.session_id),
                          ("environment", q.environment), ("release", q.release), ("version", q.version)):  # fmt: skip
        where.eq(column, value)
    if q.level:
        where.add("level_rank = ?", LEVEL_RANK.get(q.level.upper(), -1))
    for tag in q.tags:
        where.add("EXISTS (SELECT 1 FROM json_each(traces.tags) WHERE json_each.value = ?)", tag)
    if q.bookmarked:
        where.add("bookmarked = 1")
    if q.score_name:
        clause = "EXISTS (SELECT 1 FROM scores s WHERE s.project_id = traces.project_id AND s.trace_id = traces.id"
        clause += " AND s.name = ?"
        params: list[Any] = [q.score_name]
        if q.score_min is not None:
            clause += " AND s.value >= ?"
            params.append(q.score_min)
        if q.score_max is not None:
            clause += " AND s.value <= ?"
            params.append(q.score_max)
        where.add(clause + ")", *params)
    if q.search and len(q.search) >= 3 and matches is None:
        # Many matches: walk the table in its order and probe the index per row; the page fills within a few rows.
        where.add(
            "EXISTS (SELECT 1 FROM trace_search WHERE trace_search MATCH ? AND trace_search.rowid = traces.rowid)",
            fts_match(project_id, q.search),
        )
    elif q.search and len(q.search) >= 3:
        # Few matches: they were collected from the index already; order them.
        where.add("rowid IN (SELECT value FROM json_each(?))", orjson.dumps(matches).decode())
    elif q.search:
        # Trigrams need three characters; shorter text (a two-character word in Japanese, say) is scanned for.
        pattern = "%" + q.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.add("(input LIKE ? ESCAPE '\\' OR output LIKE ? ESCAPE '\\')", pattern, pattern)
    return where


def list_trace_rows(
    conn: sqlite3.Connection, project_id: str, q: TraceQuery, cursor: Cursor | None, limit: int
) -> RowPage[TraceRow]:
    expr = _TRACE_SORT[q.sort]
    if q.sort is not SortField.TIMESTAMP and (q.user_id or q.session_id or q.name):
        # A unary + keeps the planner off the sort column's index: the user, session or name index narrows first,
        # and sorting a few hundred rows beats walking a million in cost order looking for them.
        expr = f"+{expr}"
    where = _trace_where(project_id, q, _search_rowids(conn, project_id, q.search))
    where.after(expr, cursor, q.descending)
    direction = "DESC" if q.descending else "ASC"
    rows = conn.execute(
        f"SELECT id, timestamp, name, user_id, session_id, tags, level_rank, environment, observation_count,"
        f" coalesce(end_time - start_time, 0) AS latency, input_tokens, output_tokens, total_tokens, total_cost,"
        f" bookmarked, substr(input, 1, {PREVIEW_CHARS}) AS input_preview,"
        f" substr(output, 1, {PREVIEW_CHARS}) AS output_preview, {expr} AS sort_value"
        f" FROM traces WHERE {where.sql} ORDER BY {expr} {direction}, id {direction} LIMIT ?",
        [*where.params, limit + 1],
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    badges = score_badges(conn, project_id, [r["id"] for r in rows])
    items = tuple(
        TraceRow(
            id=r["id"],
            timestamp=_dt(r["timestamp"]),
            name=r["name"],
            user_id=r["user_id"],
            session_id=r["session_id"],
            tags=tuple(orjson.loads(r["tags"])),
            level=_LEVELS.get(r["level_rank"], "DEFAULT"),
            environment=r["environment"],
            latency_seconds=r["latency"] / 1e6,
            observation_count=r["observation_count"],
            input_tokens=r["input_tokens"],
            output_tokens=r["output_tokens"],
            total_tokens=r["total_tokens"],
            total_cost=r["total_cost"] or 0.0,
            input_preview=preview(r["input_preview"]),
            output_preview=preview(r["output_preview"]),
            bookmarked=bool(r["bookmarked"]),
            scores=tuple(badges.get(r["id"], ())),
        )
        for r in rows
    )
    last = rows[-1] if rows else None
    next_cursor = Cursor(float(last["sort_value"] or 0), last["id"]) if more and last is not None else None
    return RowPage(items, next_cursor)


def score_badges(conn: sqlite3.Connection, project_id: str, trace_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
    """Per trace id: one badge per score name on the trace or its observations, by name."""
    found: dict[str, list[ScoreBadge]] = defaultdict(list)
    for start in range(0, len(trace_ids), _CHUNK):
        chunk = list(trace_ids[start : start + _CHUNK])
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            f"SELECT trace_id, name, avg(value) AS value, max(string_value) AS string_value, count(*) AS n,"
            f" max(data_type) AS data_type FROM scores WHERE project_id = ? AND trace_id IN ({marks})"
            f" GROUP BY trace_id, name ORDER BY trace_id, name",
            [project_id, *chunk],
        ).fetchall()
        for r in rows:
            numeric = r["data_type"] == "NUMERIC"
            found[r["trace_id"]].append(
                ScoreBadge(r["name"], r["value"] if numeric else None, None if numeric else r["string_value"], r["n"])
            )
    return found


def list_generation_rows(
    conn: sqlite3.Connection, project_id: str, q: GenerationQuery, cursor: Cursor | None, limit: int
) -> RowPage[GenerationRow]:
    expr = _GENERATION_SORT[q.sort]
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
            "trace_id IN (SELECT id FROM traces t WHERE t.project_id = observations.project_id AND t.user_id = ?)",
            q.user_id,
        )
    where.after(expr, cursor, q.descending)
    direction = "DESC" if q.descending else "ASC"
    rows = conn.execute(
        f"SELECT id, trace_id, name, start_time, end_time, completion_start_time, model, level, input_tokens,"
        f" output_tokens, total_tokens, total_cost, prompt_name, prompt_version,"
        f" substr(input, 1, {PREVIEW_CHARS}) AS input_preview, substr(output, 1, {PREVIEW_CHARS}) AS output_preview,"
        f" {expr} AS sort_value FROM observations WHERE {where.sql} ORDER BY {expr} {direction}, id {direction}"
        f" LIMIT ?",
        [*where.params, limit + 1],
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    items = tuple(
        GenerationRow(
            id=r["id"],
            trace_id=r["trace_id"],
            name=r["name"],
            start_time=_dt(r["start_time"]),
            model=r["model"],
            level=r["level"],
            latency_seconds=(r["end_time"] - r["start_time"]) / 1e6 if r["end_time"] is not None else None,
            time_to_first_token_seconds=(r["completion_start_time"] - r["start_time"]) / 1e6
            if r["completion_start_time"] is not None
            else None,
            input_tokens=r["input_tokens"],
            output_tokens=r["output_tokens"],
            total_tokens=r["total_tokens"],
            total_cost=r["total_cost"],
            prompt_name=r["prompt_name"],
            prompt_version=r["prompt_version"],
            input_preview=preview(r["input_preview"]),
            output_preview=preview(r["output_preview"]),
        )
        for r in rows
    )
    last = rows[-1] if rows else None
    next_cursor = Cursor(float(last["sort_value"] or 0), last["id"]) if more and last is not None else None
    return RowPage(items, next_cursor)


def list_recent_users(
    conn: sqlite3.Connection, project_id: str, cursor: Cursor | None, limit: int
) -> RowPage[UserSummary]:
    """Users by last seen, newest first, keyset-paged like sessions (see `list_recent_sessions`)."""
    found, next_cursor = _walk_distinct(conn, project_id, "user_id", cursor, limit)
    if not found:
        return RowPage((), None)
    marks = ", ".join("?" for _ in found)
    rows = conn.execute(
        f"SELECT user_id, count(*) AS n, count(DISTINCT session_id) AS sessions, sum(total_tokens) AS tokens,"
        f" sum(total_cost) AS cost, min(timestamp) AS first_seen, max(timestamp) AS last_seen FROM traces"
        f" WHERE project_id = ? AND user_id IN ({marks}) GROUP BY user_id",
        [project_id, *found],
    ).fetchall()
    by_id = {
        r["user_id"]: UserSummary(
            r["user_id"],
            r["n"],
            r["sessions"],
            r["tokens"] or 0,
            r["cost"] or 0.0,
            _dt(r["first_seen"]),
            _dt(r["last_seen"]),
        )
        for r in rows
    }
    return RowPage(tuple(by_id[u] for u in found if u in by_id), next_cursor)


def score_distributions(
    conn: sqlite3.Connection, project_id: str, name: str | None, source: str | None
) -> list[ScoreDistribution]:
    where = Where(project_id)
    where.eq("name", name)
    where.eq("source", source)
    heads = conn.execute(
        f"SELECT name, max(data_type) AS data_type, count(*) AS n, avg(value) AS mean, min(value) AS lo,"
        f" max(value) AS hi, count(CASE WHEN value <> round(value) THEN 1 END) AS fractional FROM scores"
        f" WHERE {where.sql} GROUP BY name ORDER BY name LIMIT 50",
        where.params,
    ).fetchall()
    result: list[ScoreDistribution] = []
    for head in heads:
        if head["data_type"] == "NUMERIC" and head["lo"] is not None:
            bins = fit_bins(float(head["lo"]), float(head["hi"]), head["fractional"] == 0)
            buckets = _numeric_buckets(conn, where, head["name"], bins)
            mean = head["mean"]
        else:
            rows = conn.execute(
                f"SELECT coalesce(string_value, value) AS v, count(*) AS n FROM scores WHERE {where.sql}"
                f" AND name = ? GROUP BY v ORDER BY n DESC LIMIT 20",
                [*where.params, head["name"]],
            ).fetchall()
            buckets = tuple(Bucket(str(r["v"]), r["n"]) for r in rows)
            mean = head["mean"] if head["data_type"] == "BOOLEAN" else None
        result.append(ScoreDistribution(head["name"], head["data_type"], head["n"], mean, buckets))
    return result


def _numeric_buckets(conn: sqlite3.Connection, where: Where, name: str, bins: Bins) -> tuple[Bucket, ...]:
    """Counts per bin of domain/histogram.py (whole-number scores: one bin per value)."""
    index = "CAST((value - ?) / ? AS INTEGER)" if bins.width > 0 else "0"
    rows = conn.execute(
        f"SELECT {index} AS b, count(*) AS n FROM scores WHERE {where.sql} AND name = ? AND value IS NOT NULL"
        f" GROUP BY b",
        [*([bins.lo, bins.width] if bins.width > 0 else []), *where.params, name],
    ).fetchall()
    counts = [0] * bins.count
    for r in rows:
        counts[min(max(int(r["b"]), 0), bins.count - 1)] += r["n"]
    return tuple(Bucket(bins.label(i), c) for i, c in enumerate(counts))


def session_score_badges(
    conn: sqlite3.Connection, project_id: str, session_ids: Sequence[str]
) -> dict[str, list[ScoreBadge]]:
    """Per session id: one badge per score name over the session's own scores and its traces' scores."""
    found: dict[str, list[ScoreBadge]] = defaultdict(list)
    for start in range(0, len(session_ids), _CHUNK):
        chunk = list(session_ids[start : start + _CHUNK])
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            f"SELECT sid, name, avg(value) AS value, max(string_value) AS string_value, count(*) AS n,"
            f" max(data_type) AS data_type FROM ("
            f"  SELECT s.session_id AS sid, s.* FROM scores s WHERE s.project_id = ? AND s.session_id IN ({marks})"
            f"  UNION ALL"
            f"  SELECT t.session_id AS sid, s.* FROM traces t JOIN scores s"
            f"   ON s.project_id = t.project_id AND s.trace_id = t.id"
            f"  WHERE t.project_id = ? AND t.session_id IN ({marks})"
            f") GROUP BY sid, name ORDER BY sid, name",
            [project_id, *chunk, project_id, *chunk],
        ).fetchall()
        for r in rows:
            numeric = r["data_type"] == "NUMERIC"
            found[r["sid"]].append(
                ScoreBadge(r["name"], r["value"] if numeric else None, None if numeric else r["string_value"], r["n"])
            )
    return found


_WALKED = {"user_id": "user_id", "session_id": "session_id"}


def _walk_distinct(
    conn: sqlite3.Connection, project_id: str, column: str, cursor: Cursor | None, limit: int
) -> tuple[list[str], Cursor | None]:
    """Distinct values of `column` in the order of their newest trace: walks traces newest first until `limit` new
    values are seen, so a page costs a few hundred rows however many values the project holds. The cursor is the
    (timestamp, id) of the last trace walked; a value with a trace at or after the cursor was on an earlier page."""
    column = _WALKED[column]
    where = f"project_id = ? AND {column} IS NOT NULL"
    params: list[Any] = [project_id]
    if cursor is not None:
        where += " AND (timestamp, id) < (?, ?)"
        params += [int(cursor.value), cursor.id]
    walk = conn.execute(
        f"SELECT {column}, timestamp, id FROM traces INDEXED BY traces_by_time_id WHERE {where}"
        f" ORDER BY timestamp DESC, id DESC",
        params,
    )
    found: list[str] = []
    seen: set[str] = set()
    last: tuple[int, str] | None = None
    more = False
    while not more:
        batch = walk.fetchmany(500)
        if not batch:
            break
        for value, ts, trace_id in batch:
            if value in seen:
                continue
            seen.add(value)
            if (
                cursor is not None
                and conn.execute(
                    f"SELECT 1 FROM traces WHERE project_id = ? AND {column} = ? AND (timestamp, id) >= (?, ?) LIMIT 1",
                    (project_id, value, int(cursor.value), cursor.id),
                ).fetchone()
            ):
                continue
            if len(found) == limit:
                more = True
                break
            found.append(value)
            last = (ts, trace_id)
    walk.close()
    return found, Cursor(float(last[0]), last[1]) if more and last is not None else None


def list_recent_sessions(
    conn: sqlite3.Connection, project_id: str, cursor: Cursor | None, limit: int
) -> RowPage[Session]:
    """Sessions by their latest trace, newest first (see `_walk_distinct` for the paging)."""
    found, next_cursor = _walk_distinct(conn, project_id, "session_id", cursor, limit)
    sessions = _sessions(conn, project_id, found)
    return RowPage(tuple(sessions[s] for s in found if s in sessions), next_cursor)


def _sessions(conn: sqlite3.Connection, project_id: str, session_ids: Sequence[str]) -> dict[str, Session]:
    if not session_ids:
        return {}
    marks = ", ".join("?" for _ in session_ids)
    rows = conn.execute(
        f"SELECT session_id, count(*) AS n, min(timestamp) AS first, max(timestamp) AS last,"
        f" min(environment) AS environment, json_group_array(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL)"
        f" AS user_ids, coalesce(sum(total_cost), 0) AS cost, coalesce(sum(total_tokens), 0) AS tokens"
        f" FROM traces WHERE project_id = ? AND session_id IN ({marks}) GROUP BY session_id",
        [project_id, *session_ids],
    ).fetchall()
    return {
        r["session_id"]: Session(
            id=r["session_id"],
            project_id=project_id,
            created_at=_dt(r["first"]),
            environment=r["environment"],
            trace_count=r["n"],
            user_ids=tuple(orjson.loads(r["user_ids"] or "[]")),
            first_trace_at=_dt(r["first"]),
            last_trace_at=_dt(r["last"]),
            total_cost=r["cost"],
            total_tokens=r["tokens"],
        )
        for r in rows
    }
