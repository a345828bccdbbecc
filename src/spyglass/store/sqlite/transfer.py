"""Record transfer (store/transfer.py) for the SQLite backend: dump in id order, load by replacing rows."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

from spyglass.domain.merge import Record
from spyglass.domain.model import Project
from spyglass.store.sqlite.rows import (
    OBSERVATION_COLUMNS,
    SCORE_COLUMNS,
    TRACE_COLUMNS,
    dt,
    observation_row,
    record_from_row,
    score_row,
    trace_row,
)
from spyglass.store.sqlite.store import SqliteStore
from spyglass.store.sqlite.writes import refresh_rollups
from spyglass.store.transfer import KINDS, paged

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COLUMNS = {"traces": TRACE_COLUMNS, "observations": OBSERVATION_COLUMNS, "scores": SCORE_COLUMNS}
_BUILDERS = {"traces": trace_row, "observations": observation_row, "scores": score_row}
_ROLLUP_COLUMNS = ("observation_count", "start_time", "end_time", "total_cost", "input_tokens", "output_tokens",
                   "total_tokens", "level_rank")  # fmt: skip


def dump_page(conn: sqlite3.Connection, project_id: str, table: str, after: str | None, batch: int) -> list[Record]:
    rows = conn.execute(
        f"SELECT * FROM {table} WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?", (project_id, after or "", batch)
    ).fetchall()
    out: list[Record] = []
    for row in rows:
        record = record_from_row(row)
        for column in _ROLLUP_COLUMNS if table == "traces" else ():
            record.pop(column, None)
        out.append(record)
    return out


def load(conn: sqlite3.Connection, project_id: str, table: str, records: Sequence[Record]) -> int:
    """Replace rows by id inside the caller's transaction; refresh the roll-ups of the traces touched."""
    columns = _COLUMNS[table]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("project_id", "id"))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        f" ON CONFLICT (project_id, id) DO UPDATE SET {updates}"
    )
    build = _BUILDERS[table]
    rows = [build({**r, "project_id": project_id}, r["updated_at"]) for r in records]
    conn.executemany(sql, rows)
    if table in ("observations", "traces"):
        key = "trace_id" if table == "observations" else "id"
        refresh_rollups(conn, sorted({(project_id, str(r[key])) for r in records}))
    return len(rows)


def load_project(conn: sqlite3.Connection, project: Project) -> Project:
    for sql, param in (("SELECT * FROM projects WHERE id = ?", project.id),
                       ("SELECT * FROM projects WHERE name = ?", project.name)):  # fmt: skip
        row = conn.execute(sql, (param,)).fetchone()
        if row is not None:
            created = dt(row["created_at"])
            assert created is not None
            return Project(id=row["id"], name=row["name"], created_at=created)
    delta = project.created_at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    conn.execute("INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)", (project.id, project.name, micros))
    return project


class SqliteTransfer:
    """RecordTransfer over a SqliteStore's own connections: reads on its readers, loads in one writer transaction.

    Kept beside the backend rather than on SqliteStore so the store class stays the size of the Store protocol.
    """

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def dump_records(self, project_id: str, kind: str, batch: int = 500) -> AsyncIterator[list[Record]]:
        table = _table(kind)

        async def fetch(after: str | None) -> list[Record]:
            return await self._store._on_reader(lambda c: dump_page(c, project_id, table, after, batch))

        return paged(fetch)

    async def load_records(self, project_id: str, kind: str, records: Sequence[Record]) -> int:
        table = _table(kind)
        store = self._store
        return await store._on_writer(lambda c: store._transaction(c, lambda t: load(t, project_id, table, records)))

    async def load_project(self, project: Project) -> Project:
        store = self._store
        return await store._on_writer(lambda c: store._transaction(c, lambda t: load_project(t, project)))


def _table(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind
