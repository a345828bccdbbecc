"""`/api/public/media`: the SDKs' media uploads (announce, upload, report) and downloads, in Langfuse's shapes.

1. `POST /media` announces a file (content type, length, SHA-256, where it was found) and gets a signed upload URL,
   or `uploadUrl: null` when the project has that file already (ids come from the content).
2. `PUT /media/{id}/upload?<signature>` takes the bytes; they are kept only if length and hash match.
3. `PATCH /media/{id}` is the SDK's report of how the upload went (kept for failures).
4. `GET /media/{id}` answers with a signed download URL, served by `GET /media/{id}/content?<signature>`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from spyglass.api.auth import project_id
from spyglass.api.body import read_object
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.params import timestamp
from spyglass.api.responses import media_response
from spyglass.api.signed_urls import sign, verify
from spyglass.api.wire import iso
from spyglass.domain.media import (
    FIELDS,
    Media,
    MediaError,
    MediaLink,
    check_content_type,
    digest_of,
    media_id_for,
)
from spyglass.store.blobs import BlobMismatch

router = APIRouter()
# The upload and download URLs carry their own permission (a signature), not the API key.
signed_router = APIRouter()

_JSON_LIMIT = 64_000


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(400, f"{name} is required")
        return None
    if not isinstance(value, str) or not value or len(value) > 1000:
        raise ApiError(400, f"{name} must be a non-empty string of at most 1000 characters")
    return value


def _int(body: dict[str, Any], name: str, *, low: int, high: int, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, f"{name} must be an integer from {low} to {high}")
    return value


@router.post("/media")
async def announce(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, _JSON_LIMIT)
    limit = ctx.settings.max_media_bytes
    try:
        content_type = check_content_type(_text(body, "contentType") or "")
        sha256_hash = _text(body, "sha256Hash") or ""
        media_id = media_id_for(sha256_hash)
    except MediaError as exc:
        raise ApiError(400, str(exc)) from None
    length = _int(body, "contentLength", low=1, high=limit)
    if length is None:  # pragma: no cover - required
        raise ApiError(400, "contentLength is required")
    field = _text(body, "field") or ""
    if field not in FIELDS:
        raise ApiError(400, f"field must be one of {', '.join(sorted(FIELDS))}, got {field[:50]!r}")
    trace_id = _text(body, "traceId", required=False)
    observation_id = _text(body, "observationId", required=False)
    dataset_item = _text(body, "datasetItemId", required=False)
    if trace_id is None and dataset_item is None:
        raise ApiError(400, "traceId (or datasetId and datasetItemId) is required: where was the file found?")

    link = MediaLink(media_id, trace_id, observation_id, field) if trace_id is not None else None
    media = Media(
        project_id=project, id=media_id, sha256_hash=sha256_hash, content_type=content_type, content_length=length,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    stored = await ctx.store.register_media(media, link)
    if stored.uploaded and await ctx.blobs.exists(project, media_id):
        return {"uploadUrl": None, "mediaId": media_id}
    url, _ = await sign(request, ctx, "upload", project, media_id)
    return {"uploadUrl": url, "mediaId": media_id}


@signed_router.put("/media/{media_id}/upload")
async def upload(media_id: str, request: Request, ctx: AppContext = Depends(context)) -> Response:  # noqa: B008
    project = await verify(request, ctx, "upload", media_id)
    media = await ctx.store.get_media(project, media_id)
    if media.uploaded and await ctx.blobs.exists(project, media_id):
        return Response(status_code=200)  # a retried upload of the same content
    sent_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if sent_type != media.content_type:
        raise ApiError(400, f"Content-Type {sent_type!r} does not match the announced {media.content_type!r}")
    checksum = request.headers.get("x-amz-checksum-sha256")
    if checksum is not None and checksum != media.sha256_hash:
        raise ApiError(400, "x-amz-checksum-sha256 does not match the announced sha256Hash")
    try:
        await ctx.blobs.save(
            project, media_id, request.stream(), length=media.content_length, digest=digest_of(media.sha256_hash)
        )
    except BlobMismatch as exc:
        raise ApiError(400, str(exc)) from None
    await ctx.store.record_media_upload(project, media_id, datetime.now(UTC), 200, None)
    return Response(status_code=200)


@router.patch("/media/{media_id}")
async def report(
    media_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Response:
    body = await read_object(request, _JSON_LIMIT)
    uploaded_at = timestamp("uploadedAt", _text(body, "uploadedAt"))
    status = _int(body, "uploadHttpStatus", low=100, high=599)
    error = body.get("uploadHttpError")
    if error is not None and not isinstance(error, str):
        raise ApiError(400, "uploadHttpError must be a string")
    _int(body, "uploadTimeMs", low=0, high=10**12, required=False)
    media = await ctx.store.get_media(project, media_id)
    assert status is not None and uploaded_at is not None
    if status >= 300:
        reported = uploaded_at.astimezone(UTC)
        await ctx.store.record_media_upload(project, media.id, reported, status, (error or "")[:2000] or None)
    # A success report changes nothing: only bytes that arrived and matched (the upload route) make a file uploaded.
    return Response(status_code=204)


@router.get("/media/{media_id}")
async def get_media(
    media_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    media = await ctx.store.get_media(project, media_id)
    if not (media.uploaded and await ctx.blobs.exists(project, media_id)):
        reason = f": the upload failed with HTTP {media.upload_http_status}" if media.upload_http_status else ""
        raise ApiError(404, f"media {media_id!r} is not uploaded yet{reason}")
    url, expires = await sign(request, ctx, "content", project, media_id)
    return {
        "mediaId": media.id,
        "contentType": media.content_type,
        "contentLength": media.content_length,
        "uploadedAt": iso(media.uploaded_at),
        "url": url,
        "urlExpiry": iso(datetime.fromtimestamp(expires, UTC)),
    }


@signed_router.get("/media/{media_id}/content")
async def content(media_id: str, request: Request, ctx: AppContext = Depends(context)) -> Response:  # noqa: B008
    project = await verify(request, ctx, "content", media_id)
    media = await ctx.store.get_media(project, media_id)
    return await media_file(ctx, media)


async def media_file(ctx: AppContext, media: Media) -> Response:
    if not await ctx.blobs.exists(media.project_id, media.id):
        raise ApiError(404, f"media {media.id!r} is not uploaded yet")
    return media_response(ctx.blobs.read(media.project_id, media.id), media)
