"""Responses: JSON rendered with orjson (datetimes, non-str keys and speed), and stored media files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse

from spyglass.domain.media import INLINE_IMAGES, Media


class Json(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)


def media_response(chunks: AsyncIterator[bytes], media: Media) -> Response:
    """A media file's bytes, served so that a browser never runs them as a page of this origin: raster images inline,
    everything else (SVG and HTML can carry script) as a download, and a sandboxing CSP either way."""
    disposition = "inline" if media.content_type in INLINE_IMAGES else "attachment"
    return StreamingResponse(
        chunks,
        media_type=media.content_type,
        headers={
            "Content-Length": str(media.content_length),
            "Content-Disposition": f'{disposition}; filename="{media.id}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )
