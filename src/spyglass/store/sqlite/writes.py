"""The SQLite write path: fold a group of events into stored rows in one transaction.

Runs on the writer thread only, which owns the one write connection.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

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
from spyglass.store.sqlite.models import PriceCache, price_observations
from spyglass.store.sqlite.rows import (
    OBSERVATION_COLUMNS,
    SCORE_COLUMNS,
    TRACE_COLUMNS,
    observation_row,
    record_from_row,
    score_row,
    trace_row,
)

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def _upsert_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("project_id", "id", "created_at"))
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (project_id, id) DO UPDATE SET {updates}"


_UPSERT_TRACE = _upsert_sql("traces", TRACE_COLUMNS)
_UPSERT_OBSERVATION = _upsert_sql("observations", OBSERVATION_COLUMNS)
_UPSERT_SCORE = _upsert_sql("scores", SCORE_COLUMNS)

_ROLLUP = """
UPDATE traces SET (observation_count, start_time, end_time, total_cost, input_tokens, output_tokens, total_tokens,
                   level_rank) = (
    SELECT count(*), min(o.start_time), max(coalesce(o.end_time, o.start_time)), coalesce(sum(o.total_cost), 0),
           coalesce(sum(o.input_tokens), 0), coalesce(sum(o.output_tokens), 0), coalesce(sum(o.total_tokens), 0),
           coalesce(max(CASE o.level WHEN 'DEBUG' THEN 0 WHEN 'WARNING' THEN 2 WHEN 'ERROR' THEN 3 ELSE 1 END), 1)
    FROM observations o WHERE o.project_id = traces.project_id AND o.trace_id = traces.id)
WHERE project_id = ? AND id = ?
"""


def _load(conn: sqlite3.Connection, table: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Record]:
    by_project: dict[str, list[str]] = defaultdict(list)
    for project_id, entity_id in keys:
        by_project[project_id].append(entity_id)
    found: dict[tuple[str, str], Record] = {}
    for project_id, ids in by_project.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT * FROM {table} WHERE project_id = ? AND id IN ({marks})"
            for row in conn.execute(sql, (project_id, *chunk)):
                record = record_from_row(row)
                if table == "observations":
                    record["_stored_trace_id"] = record["trace_id"]
                found[(project_id, row["id"])] = record
    return found


def _fold(
    conn: sqlite3.Connection, table: str, events: Sequence[TraceUpsert | ObservationUpsert | ScoreUpsert]
) -> dict[tuple[str, str], Record]:
    records = _load(conn, table, {(e.project_id, e.id) for e in events})
    for event in events:
        key = (event.project_id, event.id)
        records[key] = apply(records.get(key), event)
    return records


def write_events(
    conn: sqlite3.Connection, events: Sequence[Event], now: int, prices: PriceCache | None = None
) -> WriteStats:
    """Fold and store `events` in one transaction (the caller commits). `prices` is the store's cached PriceBook."""
    prices = prices if prices is not None else PriceCache()
    stats = WriteStats()
    segment: list[Event] = []
    for event in events:
        if isinstance(event, (TraceDelete, ScoreDelete)):
            stats = _add(stats, _write_upserts(conn, segment, now, prices))
            segment = []
            _delete(conn, event)
            stats = _add(stats, WriteStats(deleted=1))
        else:
            segment.append(event)
    return _add(stats, _write_upserts(conn, segment, now, prices))


def _add(a: WriteStats, b: WriteStats) -> WriteStats:
    return WriteStats(
        traces=a.traces + b.traces, observations=a.observations + b.observations, scores=a.scores + b.scores,
        deleted=a.deleted + b.deleted, touched_trace_ids=a.touched_trace_ids | b.touched_trace_ids,
    )  # fmt: skip


def _write_upserts(conn: sqlite3.Connection, events: Sequence[Event], now: int, prices: PriceCache) -> WriteStats:
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
    observations = _fold(conn, "observations", observation_events) if observation_events else {}
    for record in observations.values():
        if not record.get("trace_id"):
            # An update that names no trace, for an observation never seen: it becomes its own trace's root.
            record["trace_id"] = record["id"]
            trace_events.append(TraceUpsert(record["project_id"], record["id"], (0, ""), {}, weak={"timestamp": now}))
    if observations:
        # Usage and model may arrive in separate events, so cost (and counted tokens) follow the folded record.
        price_observations(observations.values(), prices.get(conn, (r["project_id"] for r in observations.values())))
    traces = _fold(conn, "traces", trace_events) if trace_events else {}
    scores = _fold(conn, "scores", score_events) if score_events else {}
    if traces:
        conn.executemany(_UPSERT_TRACE, [trace_row(r, now) for r in traces.values()])
    if observations:
        conn.executemany(_UPSERT_OBSERVATION, [observation_row(r, now) for r in observations.values()])
    # An observation that moved to another trace changes the roll-ups of both.
    touched = frozenset((r["project_id"], r["trace_id"]) for r in observations.values()) | frozenset(
        (r["project_id"], r["_stored_trace_id"]) for r in observations.values() if r.get("_stored_trace_id")
    )
    if touched:
        conn.executemany(_ROLLUP, list(touched))
    if scores:
        conn.executemany(_UPSERT_SCORE, [score_row(r, now) for r in scores.values()])
    return WriteStats(len(traces), len(observations), len(scores), 0, touched)


def refresh_rollups(conn: sqlite3.Connection, trace_keys: Iterable[tuple[str, str]]) -> None:
    """Recompute the roll-ups of these (project_id, trace_id) traces, after observations changed outside `write`."""
    conn.executemany(_ROLLUP, list(trace_keys))


def _delete(conn: sqlite3.Connection, event: TraceDelete | ScoreDelete) -> None:
    params: tuple[Any, ...] = (event.project_id, event.id)
    if isinstance(event, TraceDelete):
        conn.execute("DELETE FROM observations WHERE project_id = ? AND trace_id = ?", params)
        conn.execute("DELETE FROM scores WHERE project_id = ? AND trace_id = ?", params)
        conn.execute("DELETE FROM traces WHERE project_id = ? AND id = ?", params)
        conn.execute("DELETE FROM media_links WHERE project_id = ? AND trace_id = ?", params)
    else:
        conn.execute("DELETE FROM scores WHERE project_id = ? AND id = ?", params)
