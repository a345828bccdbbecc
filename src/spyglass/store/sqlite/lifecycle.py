"""Data policies and retention purges in the SQLite backend."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import orjson

from spyglass.domain.lifecycle import DataPolicy, PurgeReport


def _us(value: datetime) -> int:
    return int(value.timestamp()) * 1_000_000 + value.microsecond


def _policy(row: sqlite3.Row) -> DataPolicy:
    return DataPolicy(
        row["retention_days"], tuple(orjson.loads(row["masking"])), tuple(orjson.loads(row["mask_patterns"]))
    )


def get_data_policy(conn: sqlite3.Connection, project_id: str) -> DataPolicy:
    row = conn.execute("SELECT * FROM data_policies WHERE project_id = ?", (project_id,)).fetchone()
    return DataPolicy() if row is None else _policy(row)


def data_policies(conn: sqlite3.Connection) -> dict[str, DataPolicy]:
    return {row["project_id"]: _policy(row) for row in conn.execute("SELECT * FROM data_policies")}


def set_data_policy(conn: sqlite3.Connection, project_id: str, policy: DataPolicy, now: datetime) -> None:
    conn.execute(
        "INSERT INTO data_policies (project_id, retention_days, masking, mask_patterns, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET retention_days = excluded.retention_days,"
        " masking = excluded.masking, mask_patterns = excluded.mask_patterns, updated_at = excluded.updated_at",
        (project_id, policy.retention_days, orjson.dumps(list(policy.masking)).decode(),
         orjson.dumps(list(policy.mask_patterns)).decode(), _us(now)),
    )  # fmt: skip


def purge(conn: sqlite3.Connection, project_id: str, before: datetime, limit: int) -> PurgeReport:
    cutoff = _us(before)
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT id FROM traces WHERE project_id = ? AND timestamp < ? ORDER BY timestamp LIMIT ?",
            (project_id, cutoff, limit),
        )
    ]
    observations = scores = 0
    media: list[str] = []
    if ids:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM purge_ids")
        conn.executemany("INSERT INTO purge_ids (id) VALUES (?)", ((i,) for i in ids))
        observations = conn.execute(
            "DELETE FROM observations WHERE project_id = ? AND trace_id IN (SELECT id FROM purge_ids)", (project_id,)
        ).rowcount
        scores = conn.execute(
            "DELETE FROM scores WHERE project_id = ? AND trace_id IN (SELECT id FROM purge_ids)", (project_id,)
        ).rowcount
        linked = {
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT media_id FROM media_links"
                " WHERE project_id = ? AND trace_id IN (SELECT id FROM purge_ids)",
                (project_id,),
            )
        }
        conn.execute(
            "DELETE FROM media_links WHERE project_id = ? AND trace_id IN (SELECT id FROM purge_ids)", (project_id,)
        )
        conn.execute("DELETE FROM traces WHERE project_id = ? AND id IN (SELECT id FROM purge_ids)", (project_id,))
        conn.execute("DELETE FROM purge_ids")
        # Files that only the deleted traces referred to go too (a file still used elsewhere stays).
        media = [
            m
            for m in sorted(linked)
            if conn.execute(
                "SELECT 1 FROM media_links WHERE project_id = ? AND media_id = ? LIMIT 1", (project_id, m)
            ).fetchone()
            is None
        ]
        conn.executemany("DELETE FROM media WHERE project_id = ? AND id = ?", ((project_id, m) for m in media))
    scores += conn.execute(
        "DELETE FROM scores WHERE rowid IN (SELECT rowid FROM scores WHERE project_id = ? AND trace_id IS NULL"
        " AND timestamp < ? LIMIT ?)",
        (project_id, cutoff, limit),
    ).rowcount
    return PurgeReport(len(ids), observations, scores, tuple(media))


def reclaim_space(conn: sqlite3.Connection, full: bool) -> None:
    """Hand free pages back to the file system. Incremental: only in a database made with auto_vacuum=INCREMENTAL
    (every one since migration 0011), else a no-op. Full: VACUUM, which also switches an older file to incremental."""
    if full:
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        conn.execute("VACUUM")
    else:
        # Through executescript: the sqlite3 module's execute() steps this pragma once, which frees a single page.
        conn.executescript("PRAGMA incremental_vacuum;")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
