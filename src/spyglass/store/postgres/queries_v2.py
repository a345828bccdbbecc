"""Cursor-paged reads of the PostgreSQL backend (mirrors store/sqlite/queries_v2.py): observations v2 and scores
v3, keyset-paged on (time desc, id desc) with row values, so a page costs the same however deep it is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.cursor_pages import CursorPage, Keyset, ObservationQuery, ScoreQuery, TracedObservation
from spyglass.domain.model import Score
from spyglass.store.postgres.queries import Where as PostgresWhere
from spyglass.store.postgres.rows import Row, dt, micros, observation_from_row, score_from_row
from spyglass.store.where import add_conditions, observation_columns

Conn = AsyncConnection[DictRow]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Where(PostgresWhere):
    def any_of(self, column: str, values: tuple[Any, ...], cast: str = "text") -> None:
        if values:
            self.add(f"{column} = ANY(%s::{cast}[])", list(values))

    def after(self, time_column: str, id_column: str, keyset: Keyset | None) -> None:
        if keyset is not None:
            self.add(f"({time_column}, {id_column}) < (%s, %s)", dt(keyset.time_us), keyset.id)


_OBSERVATION_SELECT = """
SELECT o.*, t.name AS trace_name, t.user_id AS trace_user_id, t.session_id AS trace_session_id,
       t.tags AS trace_tags, t.release AS trace_release, t.public AS trace_public, t.bookmarked AS trace_bookmarked
FROM observations o LEFT JOIN traces t ON t.project_id = o.project_id AND t.id = o.trace_id
"""


def _traced(row: Row) -> TracedObservation:
    return TracedObservation(
        observation=observation_from_row(row), trace_name=row["trace_name"], user_id=row["trace_user_id"],
        session_id=row["trace_session_id"], tags=tuple(row["trace_tags"] or ()), release=row["trace_release"],
        public=bool(row["trace_public"]), bookmarked=bool(row["trace_bookmarked"]),
    )  # fmt: skip


def _next(rows: list[Row], limit: int, time_column: str) -> Keyset | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    stamp = micros(last[time_column])
    assert stamp is not None
    return Keyset(stamp, last["id"])


async def list_observations_v2(
    conn: Conn, project_id: str, query: ObservationQuery, after: Keyset | None, limit: int
) -> CursorPage[TracedObservation]:
    where = Where(project_id, "o.project_id")
    where.eq("o.name", query.name)
    where.eq("t.user_id", query.user_id)
    where.eq("t.session_id", query.session_id)
    where.eq("o.type", query.type)
    where.eq("o.trace_id", query.trace_id)
    where.eq("o.level", query.level)
    where.eq("o.version", query.version)
    if query.parent_observation_id == "":
        where.add("o.parent_observation_id IS NULL")
    else:
        where.eq("o.parent_observation_id", query.parent_observation_id)
    if query.is_root is not None:
        where.add("o.parent_observation_id IS NULL" if query.is_root else "o.parent_observation_id IS NOT NULL")
    where.any_of("o.environment", query.environments)
    if query.from_start_time is not None:
        where.add("o.start_time >= %s", _utc(query.from_start_time))
    if query.to_start_time is not None:
        where.add("o.start_time < %s", _utc(query.to_start_time))
    add_conditions(where, query.conditions, observation_columns(where, "o", "t"))
    where.after("o.start_time", "o.id", after)
    cur = await conn.execute(
        f"{_OBSERVATION_SELECT} WHERE {where.sql} ORDER BY o.start_time DESC, o.id DESC LIMIT %s",
        [*where.params, limit + 1],
    )
    rows = await cur.fetchall()
    return CursorPage(tuple(_traced(row) for row in rows[:limit]), _next(rows, limit, "start_time"))


async def list_scores_v3(
    conn: Conn, project_id: str, query: ScoreQuery, after: Keyset | None, limit: int
) -> CursorPage[Score]:
    where = Where(project_id)
    where.any_of("id", query.ids)
    where.any_of("name", query.names)
    where.any_of("source", query.sources)
    where.any_of("data_type", query.data_types)
    where.any_of("environment", query.environments)
    where.any_of("config_id", query.config_ids)
    where.any_of("queue_id", query.queue_ids)
    where.any_of("author_user_id", query.author_user_ids)
    where.any_of("trace_id", query.trace_ids)
    where.any_of("session_id", query.session_ids)
    where.any_of("observation_id", query.observation_ids)
    where.any_of("dataset_run_id", query.dataset_run_ids)
    if query.values:
        numbers = [v for v in query.values if isinstance(v, float)]
        texts = [v for v in query.values if isinstance(v, str)]
        parts: list[str] = []
        params: list[Any] = []
        if numbers:
            parts.append("value = ANY(%s::float8[])")
            params.append(numbers)
        if texts:
            parts.append("string_value = ANY(%s::text[])")
            params.append(texts)
        where.add("(" + " OR ".join(parts) + ")", *params)
    if query.value_min is not None:
        where.add("value >= %s", query.value_min)
    if query.value_max is not None:
        where.add("value <= %s", query.value_max)
    if query.from_timestamp is not None:
        where.add("timestamp >= %s", _utc(query.from_timestamp))
    if query.to_timestamp is not None:
        where.add("timestamp < %s", _utc(query.to_timestamp))
    where.after("timestamp", "id", after)
    cur = await conn.execute(
        f"SELECT * FROM scores WHERE {where.sql} ORDER BY timestamp DESC, id DESC LIMIT %s", [*where.params, limit + 1]
    )
    rows = await cur.fetchall()
    return CursorPage(tuple(score_from_row(row) for row in rows[:limit]), _next(rows, limit, "timestamp"))
