"""Media files in the UI: shown to members of the project, and on a public trace only the media that trace refers to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from spyglass.api.responses import media_response
from spyglass.domain.media import Media
from spyglass.store.base import NotFound
from spyglass.web.auth import Access, Ctx, WebError

router = APIRouter()


async def _file(ctx: Ctx, project_id: str, media_id: str) -> Response:
    try:
        media: Media = await ctx.store.get_media(project_id, media_id)
    except NotFound:
        raise WebError(404, "no such media file in this project") from None
    if not await ctx.blobs.exists(project_id, media_id):
        raise WebError(404, "this media file was announced but its bytes never arrived")
    return media_response(ctx.blobs.read(project_id, media_id), media)


@router.get("/project/{project_id}/media/{media_id}")
async def member_media(media_id: str, access: Access, ctx: Ctx) -> Response:
    return await _file(ctx, access.project.id, media_id)


@router.get("/public/{project_id}/media/{media_id}")
async def public_media(request: Request, project_id: str, media_id: str, ctx: Ctx) -> Response:
    """Media of a public trace (`?trace=`): 404, revealing nothing, unless the trace is public and refers to it."""
    trace_id = request.query_params.get("trace", "")
    try:
        public = (await ctx.store.get_trace(project_id, trace_id)).trace.public if trace_id else False
    except NotFound:
        public = False
    if not public or not await ctx.store.media_in_trace(project_id, trace_id, media_id):
        raise WebError(404, "no public media here")
    return await _file(ctx, project_id, media_id)
