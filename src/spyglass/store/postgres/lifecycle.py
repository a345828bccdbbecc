"""Data policies and retention purges in the PostgreSQL backend."""

from __future__ import annotations

from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from spyglass.domain.lifecycle import DataPolicy, PurgeReport

Conn = AsyncConnection[DictRow]


def _policy(row: DictRow) -> DataPolicy:
    return DataPolicy(row["retention_days"], tuple(row["masking"]), tuple(row["mask_patterns"]))


async def get_data_policy(conn: Conn, project_id: str) -> DataPolicy:
    cur = await conn.execute("SELECT * FROM data_policies WHERE project_id = %s", (project_id,))
    row = await cur.fetchone()
    return DataPolicy() if row is None else _policy(row)


async def data_policies(conn: Conn) -> dict[str, DataPolicy]:
    cur = await conn.execute("SELECT * FROM data_policies")
    return {row["project_id"]: _policy(row) for row in await cur.fetchall()}


async def set_data_policy(conn: Conn, project_id: str, policy: DataPolicy, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO data_policies (project_id, retention_days, masking, mask_patterns, updated_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (project_id) DO UPDATE SET retention_days = excluded.retention_days,"
        " masking = excluded.masking, mask_patterns = excluded.mask_patterns, updated_at = excluded.updated_at",
        (project_id, policy.retention_days, Jsonb(list(policy.masking)), Jsonb(list(policy.mask_patterns)), now),
    )


async def purge(conn: Conn, project_id: str, before: datetime, limit: int) -> PurgeReport:
    cur = await conn.execute(
        "SELECT id FROM traces WHERE project_id = %s AND timestamp < %s ORDER BY timestamp LIMIT %s"
        " FOR UPDATE SKIP LOCKED",
        (project_id, before, limit),
    )
    ids = [row["id"] for row in await cur.fetchall()]
    observations = scores = 0
    media: tuple[str, ...] = ()
    if ids:
        params = (project_id, ids)
        cur = await conn.execute("DELETE FROM observations WHERE project_id = %s AND trace_id = ANY(%s)", params)
        observations = cur.rowcount
        cur = await conn.execute("DELETE FROM scores WHERE project_id = %s AND trace_id = ANY(%s)", params)
        scores = cur.rowcount
        cur = await conn.execute(
            "DELETE FROM media_links WHERE project_id = %s AND trace_id = ANY(%s) RETURNING media_id", params
        )
        linked = sorted({row["media_id"] for row in await cur.fetchall()})
        await conn.execute("DELETE FROM traces WHERE project_id = %s AND id = ANY(%s)", params)
        # Files that only the deleted traces referred to go too (a file still used elsewhere stays).
        cur = await conn.execute(
            "DELETE FROM media m WHERE project_id = %s AND id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM media_links l"
            " WHERE l.project_id = m.project_id AND l.media_id = m.id) RETURNING id",
            (project_id, linked),
        )
        media = tuple(sorted(row["id"] for row in await cur.fetchall()))
    cur = await conn.execute(
        "DELETE FROM scores WHERE ctid IN (SELECT ctid FROM scores WHERE project_id = %s AND trace_id IS NULL"
        " AND timestamp < %s LIMIT %s)",
        (project_id, before, limit),
    )
    scores += cur.rowcount
    return PurgeReport(len(ids), observations, scores, media)
