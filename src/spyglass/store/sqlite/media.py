"""Media metadata and links in the SQLite backend (the bytes are files, store/blobs.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from spyglass.domain.media import Media, MediaLink
from spyglass.store.base import NotFound
from spyglass.store.sqlite.rows import dt


def _us(value: datetime) -> int:
    return int(value.timestamp()) * 1_000_000 + value.microsecond


def _media(row: sqlite3.Row) -> Media:
    created = dt(row["created_at"])
    assert created is not None
    return Media(
        project_id=row["project_id"], id=row["id"], sha256_hash=row["sha256_hash"], content_type=row["content_type"],
        content_length=row["content_length"], created_at=created, uploaded_at=dt(row["uploaded_at"]),
        upload_http_status=row["upload_http_status"], upload_http_error=row["upload_http_error"],
    )  # fmt: skip


def register_media(conn: sqlite3.Connection, media: Media, link: MediaLink | None) -> Media:
    conn.execute(
        "INSERT INTO media (project_id, id, sha256_hash, content_type, content_length, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, id) DO NOTHING",
        (media.project_id, media.id, media.sha256_hash, media.content_type, media.content_length,
         _us(media.created_at)),
    )  # fmt: skip
    if link is not None:
        conn.execute(
            "INSERT OR IGNORE INTO media_links (project_id, trace_id, media_id, observation_id, field)"
            " VALUES (?, ?, ?, ?, ?)",
            (media.project_id, link.trace_id, media.id, link.observation_id or "", link.field),
        )
    return get_media(conn, media.project_id, media.id)


def get_media(conn: sqlite3.Connection, project_id: str, media_id: str) -> Media:
    row = conn.execute("SELECT * FROM media WHERE project_id = ? AND id = ?", (project_id, media_id)).fetchone()
    if row is None:
        raise NotFound(f"media {media_id!r} not found")
    return _media(row)


def record_media_upload(
    conn: sqlite3.Connection, project_id: str, media_id: str, uploaded_at: datetime, status: int, error: str | None
) -> Media:
    # A success is final: a later failure report (a retried upload that lost a race, say) does not undo it.
    conn.execute(
        "UPDATE media SET uploaded_at = ?, upload_http_status = ?, upload_http_error = ?"
        " WHERE project_id = ? AND id = ? AND (upload_http_status IS NULL OR upload_http_status >= 300 OR ? < 300)",
        (_us(uploaded_at), status, error, project_id, media_id, status),
    )
    return get_media(conn, project_id, media_id)


def media_in_trace(conn: sqlite3.Connection, project_id: str, trace_id: str, media_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM media_links WHERE project_id = ? AND trace_id = ? AND media_id = ? LIMIT 1",
        (project_id, trace_id, media_id),
    ).fetchone()
    return row is not None
