"""Record transfer (store/transfer.py) for the PostgreSQL backend: dump in id order, load by replacing rows."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.merge import Record
from spyglass.domain.model import Project
from spyglass.store.postgres.rows import COLUMNS, JSONB_COLUMNS, ROW_BUILDERS, record_from_row
from spyglass.store.postgres.writes import _ROLLUP

Conn = AsyncConnection[DictRow]
_ROLLUP_COLUMNS = ("observation_count", "start_time", "end_time", "total_cost", "input_tokens", "output_tokens",
                   "total_tokens", "level_rank")  # fmt: skip


async def dump_page(conn: Conn, project_id: str, table: str, after: str | None, batch: int) -> list[Record]:
    cur = await conn.execute(
        f"SELECT * FROM {table} WHERE project_id = %s AND id > %s ORDER BY id LIMIT %s",
        (project_id, after or "", batch),
    )
    out: list[Record] = []
    for row in await cur.fetchall():
        record = record_from_row(row)
        for column in _ROLLUP_COLUMNS if table == "traces" else ():
            record.pop(column, None)
        out.append(record)
    return out


def _upsert_sql(table: str) -> str:
    columns = COLUMNS[table]
    marks = ", ".join("%s::jsonb" if c in JSONB_COLUMNS else "%s" for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("project_id", "id"))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        f" ON CONFLICT (project_id, id) DO UPDATE SET {updates}"
    )


async def load(conn: Conn, project_id: str, table: str, records: Sequence[Record]) -> int:
    """Replace rows by id inside the caller's transaction; refresh the roll-ups of the traces touched."""
    build = ROW_BUILDERS[table]
    rows = []
    for record in sorted(records, key=lambda r: str(r["id"])):
        record = {**record, "project_id": project_id}
        row = list(build(record, record["updated_at"]))
        rows.append(row)
    async with conn.cursor() as cur:
        await cur.executemany(_upsert_sql(table), rows)
    if table in ("observations", "traces"):
        key = "trace_id" if table == "observations" else "id"
        ids = sorted({str(r[key]) for r in records})
        await conn.execute(_ROLLUP, ([project_id] * len(ids), ids))
    return len(rows)


async def load_project(conn: Conn, project: Project) -> Project:
    for sql, param in (("SELECT * FROM projects WHERE id = %s", project.id),
                       ("SELECT * FROM projects WHERE name = %s", project.name)):  # fmt: skip
        cur = await conn.execute(sql, (param,))
        row = await cur.fetchone()
        if row is not None:
            return Project(id=row["id"], name=row["name"], created_at=row["created_at"])
    await conn.execute(
        "INSERT INTO projects (id, name, created_at) VALUES (%s, %s, %s)",
        (project.id, project.name, project.created_at),
    )
    return project
