"""Reading request bodies within the size limit, with gzip/deflate decoding and clear 4xx errors."""

from __future__ import annotations

import zlib
from typing import Any

import orjson
from fastapi import Request

from spyglass.api.errors import ApiError


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body; 413 as soon as it passes `limit` bytes (the declared length is checked first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"request body is {declared} bytes; the limit is {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def decode_content(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo a gzip or deflate Content-Encoding, refusing output over `limit` bytes (a decompression bomb, 413) and
    a stream that is cut short or followed by anything but another gzip member (400)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding in ("gzip", "x-gzip"):
        return _gzip(raw, limit)
    if encoding == "deflate":
        return _deflate(raw, limit)
    raise ApiError(415, f"Content-Encoding {encoding!r} is not supported; use gzip, deflate or identity")


def _inflate(raw: bytes, wbits: int, limit: int, name: str) -> tuple[bytes, bytes]:
    """One compressed stream -> (its output, the bytes after it)."""
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise ApiError(400, f"the body is not valid {name} data: {exc}") from None
    if len(out) > limit:
        raise ApiError(413, f"the decompressed body is over the limit of {limit} bytes")
    if not decoder.eof:
        raise ApiError(400, f"the {name} body is truncated")
    return out, decoder.unused_data


def _gzip(raw: bytes, limit: int) -> bytes:
    # A gzip body may be several members one after another (RFC 1952); anything else after a member is refused.
    parts: list[bytes] = []
    rest = raw
    while True:
        out, rest = _inflate(rest, 16 + zlib.MAX_WBITS, limit - sum(map(len, parts)), "gzip")
        parts.append(out)
        if not rest:
            return b"".join(parts)
        if not rest.startswith(b"\x1f\x8b"):
            raise ApiError(400, f"the gzip body has {len(rest)} bytes of trailing garbage after its end")


def _deflate(raw: bytes, limit: int) -> bytes:
    # HTTP's "deflate" is zlib-wrapped (RFC 9110), but some clients send a bare deflate stream: accept both.
    zlib_wrapped = len(raw) >= 2 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0
    out, rest = _inflate(raw, zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS, limit, "deflate")
    if rest:
        raise ApiError(400, f"the deflate body has {len(rest)} bytes of trailing garbage after its end")
    return out


async def read_json(request: Request, limit: int) -> Any:
    raw = decode_content(await read_body(request, limit), request.headers.get("content-encoding"), limit)
    if not raw.strip():
        raise ApiError(400, "the request body is empty; send JSON")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None


async def read_object(request: Request, limit: int) -> dict[str, Any]:
    """A JSON object body (400 for any other JSON value)."""
    body = await read_json(request, limit)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body
