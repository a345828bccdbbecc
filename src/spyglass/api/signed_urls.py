"""Signed, expiring URLs for media uploads and downloads: what an S3 presigned URL is to Langfuse.

The SDKs PUT the bytes to the upload URL and fetch downloads without their API key, so the URL itself carries the
permission: an HMAC-SHA256 over (action, project, media id, expiry) with the server's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from fastapi import Request

from spyglass.api.context import AppContext
from spyglass.api.errors import ApiError

LIFETIME_SECONDS = 3600


async def _secret(ctx: AppContext) -> bytes:
    if ctx.signing_secret is None:
        ctx.signing_secret = hashlib.sha256(b"media-urls:" + bytes.fromhex(await ctx.store.web_secret())).digest()
    return ctx.signing_secret


def _mac(secret: bytes, action: str, project_id: str, media_id: str, expires: int) -> str:
    message = f"{action}\n{project_id}\n{media_id}\n{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


async def sign(request: Request, ctx: AppContext, action: str, project_id: str, media_id: str) -> tuple[str, int]:
    """The absolute URL of `action` ("upload" or "content") on `media_id`, and when it expires (unix seconds)."""
    expires = int(time.time()) + LIFETIME_SECONDS
    query = urlencode(
        {"project": project_id, "expires": expires, "signature": _mac(await _secret(ctx), action, project_id,
                                                                      media_id, expires)}
    )  # fmt: skip
    base = str(request.base_url).rstrip("/")
    return f"{base}/api/public/media/{media_id}/{action}?{query}", expires


async def verify(request: Request, ctx: AppContext, action: str, media_id: str) -> str:
    """The project a signed URL was issued for; 403 when the signature is wrong or expired."""
    params = request.query_params
    project_id = params.get("project", "")
    expires_text = params.get("expires", "")
    signature = params.get("signature", "")
    if not (project_id and expires_text.isascii() and expires_text.isdigit() and len(expires_text) < 12):
        raise ApiError(403, "this media URL is not signed; ask GET /api/public/media/{id} for a fresh one")
    expires = int(expires_text)
    expected = _mac(await _secret(ctx), action, project_id, media_id, expires)
    if not hmac.compare_digest(expected, signature):
        raise ApiError(403, "the media URL's signature is not valid")
    if expires < time.time():
        raise ApiError(403, "the media URL has expired; ask GET /api/public/media/{id} for a fresh one")
    return project_id
