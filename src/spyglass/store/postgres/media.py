"""Media metadata and links in the PostgreSQL backend (the bytes are files, store/blobs.py)."""

from __future__ import annotations

from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from spyglass.domain.media import Media, MediaLink
from spyglass.store.base import NotFound

Conn = AsyncConnection[DictRow]


def _media(row: DictRow) -> Media:
    return Media(
        project_id=row["project_id"], id=row["id"], sha256_hash=row["sha256_hash"], content_type=row["content_type"],
        content_length=row["content_length"], created_at=row["created_at"], uploaded_at=row["uploaded_at"],
        upload_http_status=row["upload_http_status"], upload_http_error=row["upload_http_error"],
    )  # fmt: skip


async def register_media(conn: Conn, media: Media, link: MediaLink | None) -> Media:
    await conn.execute(
        "INSERT INTO media (project_id, id, sha256_hash, content_type, content_length, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (project_id, id) DO NOTHING",
        (media.project_id, media.id, media.sha256_hash, media.content_type, media.content_length, media.created_at),
    )
    if link is not None:
        await conn.execute(
            "INSERT INTO media_links (project_id, trace_id, media_id, observation_id, field)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (media.project_id, link.trace_id, media.id, link.observation_id or "", link.field),
        )
    return await get_media(conn, media.project_id, media.id)


async def get_media(conn: Conn, project_id: str, media_id: str) -> Media:
    cur = await conn.execute("SELECT * FROM media WHERE project_id = %s AND id = %s", (project_id, media_id))
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"media {media_id!r} not found")
    return _media(row)


async def record_media_upload(
    conn: Conn, project_id: str, media_id: str, uploaded_at: datetime, status: int, error: str | None
) -> Media:
    # A success is final: a later failure report (a retried upload that lost a race, say) does not undo it.
    await conn.execute(
        "UPDATE media SET uploaded_at = %s, upload_http_status = %s, upload_http_error = %s"
        " WHERE project_id = %s AND id = %s"
        " AND (upload_http_status IS NULL OR upload_http_status >= 300 OR %s < 300)",
        (uploaded_at, status, error, project_id, media_id, status),
    )
    return await get_media(conn, project_id, media_id)


async def media_in_trace(conn: Conn, project_id: str, trace_id: str, media_id: str) -> bool:
    cur = await conn.execute(
        "SELECT 1 FROM media_links WHERE project_id = %s AND trace_id = %s AND media_id = %s LIMIT 1",
        (project_id, trace_id, media_id),
    )
    return await cur.fetchone() is not None
