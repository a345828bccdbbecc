"""The PostgreSQL write path: fold a group of events into stored rows in one transaction, safely beside replicas.

Several `spyglass serve` processes may write the same ids at once, so the read-modify-write of a fold locks what it
reads: `SELECT ... FOR UPDATE` in a fixed order (observations, then traces, then scores; ids sorted in each), so
two writers never wait on each other in a cycle. A row that does not exist yet cannot be locked; it is created with
`INSERT ... ON CONFLICT DO NOTHING`, and when another writer created it first the transaction raises CreateRace and
the caller runs it again (the row then exists and is locked and folded like any other).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.events import (
    Event,
    ObservationUpsert,
    ScoreDelete,
    ScoreUpsert,
    TraceDelete,
    TraceUpsert,
)
from spyglass.domain.merge import Record, apply
from spyglass.store.base import WriteStats
from spyglass.store.postgres.models import PriceCache, price_observations
from spyglass.store.postgres.rows import (
    COLUMNS,
    JSONB_COLUMNS,
    ROW_BUILDERS,
    record_from_row,
)

Conn = AsyncConnection[DictRow]
Key = tuple[str, str]


class CreateRace(Exception):
    """Another writer created a row this transaction meant to create; run the transaction again."""


def _placeholders(columns: Sequence[str]) -> str:
    return ", ".join("%s::jsonb" if c in JSONB_COLUMNS else "%s" for c in columns)


def _insert_sql(table: str) -> str:
    columns = COLUMNS[table]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_placeholders(columns)})"
        " ON CONFLICT (project_id, id) DO NOTHING"
    )


def _update_sql(table: str) -> str:
    columns = COLUMNS[table]
    sets = ", ".join(
        f"{c} = %s::jsonb" if c in JSONB_COLUMNS else f"{c} = %s" for c in columns if c not in ("project_id", "id")
    )
    return f"UPDATE {table} SET {sets} WHERE project_id = %s AND id = %s"


_INSERT = {table: _insert_sql(table) for table in COLUMNS}
_UPDATE = {table: _update_sql(table) for table in COLUMNS}

_ROLLUP = """
UPDATE traces t SET (observation_count, start_time, end_time, total_cost, input_tokens, output_tokens,
                     total_tokens, level_rank) = (
    SELECT count(*), min(o.start_time), max(coalesce(o.end_time, o.start_time)), coalesce(sum(o.total_cost), 0),
           coalesce(sum(o.input_tokens), 0), coalesce(sum(o.output_tokens), 0), coalesce(sum(o.total_tokens), 0),
           coalesce(max(CASE o.level WHEN 'DEBUG' THEN 0 WHEN 'WARNING' THEN 2 WHEN 'ERROR' THEN 3 ELSE 1 END), 1)
    FROM observations o WHERE o.project_id = t.project_id AND o.trace_id = t.id)
FROM unnest(%s::text[], %s::text[]) AS k(project_id, id)
WHERE t.project_id = k.project_id AND t.id = k.id
"""


async def _lock(conn: Conn, table: str, keys: Iterable[Key]) -> dict[Key, Record]:
    """Load and lock the stored rows of `keys` (those that exist), in id order."""
    by_project: dict[str, list[str]] = defaultdict(list)
    for project_id, entity_id in sorted(set(keys)):
        by_project[project_id].append(entity_id)
    found: dict[Key, Record] = {}
    for project_id in sorted(by_project):
        cur = await conn.execute(
            f"SELECT * FROM {table} WHERE project_id = %s AND id = ANY(%s::text[]) ORDER BY id FOR UPDATE",
            (project_id, by_project[project_id]),
        )
        for row in await cur.fetchall():
            found[(project_id, row["id"])] = record_from_row(row)
    return found


def _fold(
    stored: dict[Key, Record], events: Sequence[TraceUpsert | ObservationUpsert | ScoreUpsert]
) -> dict[Key, Record]:
    records: dict[Key, Record] = {}
    for event in events:
        key = (event.project_id, event.id)
        current = records.get(key)
        if current is None and key in stored:
            current = stored[key]
        records[key] = apply(current, event)
    return records


async def _store(conn: Conn, table: str, records: dict[Key, Record], existing: set[Key], now: int) -> None:
    build = ROW_BUILDERS[table]
    updates: list[tuple[Any, ...]] = []
    inserts: list[tuple[Any, ...]] = []
    for key in sorted(records):
        row = build(records[key], now)
        if key in existing:
            updates.append((*row[2:], row[0], row[1]))
        else:
            inserts.append(row)
    async with conn.cursor() as cur:
        if updates:
            await cur.executemany(_UPDATE[table], updates)
        if inserts:
            await cur.executemany(_INSERT[table], inserts)
            if cur.rowcount != len(inserts):
                raise CreateRace(f"another writer created one of these {table} first")


async def write_events(conn: Conn, events: Sequence[Event], now: int, prices: PriceCache) -> WriteStats:
    """Fold and store `events` inside the caller's transaction. Raises CreateRace (run it again)."""
    stats = WriteStats()
    segment: list[Event] = []
    for event in events:
        if isinstance(event, (TraceDelete, ScoreDelete)):
            stats = _add(stats, await _write_upserts(conn, segment, now, prices))
            segment = []
            await _delete(conn, event)
            stats = _add(stats, WriteStats(deleted=1))
        else:
            segment.append(event)
    return _add(stats, await _write_upserts(conn, segment, now, prices))


def _add(a: WriteStats, b: WriteStats) -> WriteStats:
    return WriteStats(
        traces=a.traces + b.traces, observations=a.observations + b.observations, scores=a.scores + b.scores,
        deleted=a.deleted + b.deleted, touched_trace_ids=a.touched_trace_ids | b.touched_trace_ids,
    )  # fmt: skip


async def _write_upserts(conn: Conn, events: Sequence[Event], now: int, prices: PriceCache) -> WriteStats:
    if not events:
        return WriteStats()
    trace_events: list[TraceUpsert] = []
    observation_events: list[ObservationUpsert] = []
    score_events: list[ScoreUpsert] = []
    for event in events:
        if isinstance(event, TraceUpsert):
            trace_events.append(event)
        elif isinstance(event, ObservationUpsert):
            observation_events.append(event)
        elif isinstance(event, ScoreUpsert):
            score_events.append(event)
    stored_observations = await _lock(conn, "observations", ((e.project_id, e.id) for e in observation_events))
    # An observation that moves to another trace leaves its old one: that trace's roll-up is recomputed too.
    previous = {(r["project_id"], r["trace_id"]) for r in stored_observations.values()}
    observations = _fold(stored_observations, observation_events)
    for record in observations.values():
        if not record.get("trace_id"):
            # An update that names no trace, for an observation never seen: it becomes its own trace's root.
            record["trace_id"] = record["id"]
            trace_events.append(TraceUpsert(record["project_id"], record["id"], (0, ""), {}, weak={"timestamp": now}))
    if observations:
        # Usage and model may arrive in separate events, so cost (and counted tokens) follow the folded record.
        book = await prices.get(conn, (r["project_id"] for r in observations.values()))
        price_observations(observations.values(), book)
    touched = frozenset((r["project_id"], r["trace_id"]) for r in observations.values()) | previous
    # Lock every trace whose roll-up this transaction recomputes, so two writers never sum stale sets.
    stored_traces = await _lock(conn, "traces", [*((e.project_id, e.id) for e in trace_events), *touched])
    traces = _fold(stored_traces, trace_events)
    stored_scores = await _lock(conn, "scores", ((e.project_id, e.id) for e in score_events))
    scores = _fold(stored_scores, score_events)
    if traces:
        await _store(conn, "traces", traces, set(stored_traces), now)
    if observations:
        await _store(conn, "observations", observations, set(stored_observations), now)
    if touched:
        keys = sorted(touched)
        await conn.execute(_ROLLUP, ([k[0] for k in keys], [k[1] for k in keys]))
    if scores:
        await _store(conn, "scores", scores, set(stored_scores), now)
    return WriteStats(len(traces), len(observations), len(scores), 0, touched)


async def _delete(conn: Conn, event: TraceDelete | ScoreDelete) -> None:
    params = (event.project_id, event.id)
    if isinstance(event, TraceDelete):
        await conn.execute("DELETE FROM observations WHERE project_id = %s AND trace_id = %s", params)
        await conn.execute("DELETE FROM scores WHERE project_id = %s AND trace_id = %s", params)
        await conn.execute("DELETE FROM traces WHERE project_id = %s AND id = %s", params)
        await conn.execute("DELETE FROM media_links WHERE project_id = %s AND trace_id = %s", params)
    else:
        await conn.execute("DELETE FROM scores WHERE project_id = %s AND id = %s", params)
