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
    """Undo a gzip or deflate Content-Encoding, refusing output over `limit` bytes (a decompression bomb)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "deflate", "x-gzip"):
        raise ApiError(415, f"Content-Encoding {encoding!r} is not supported; use gzip, deflate or identity")
    wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
    decoder = zlib.decompressobj(wbits)
    try:
        out = decoder.decompress(raw, limit + 1)
        if not decoder.eof and not decoder.unconsumed_tail and encoding == "deflate" and not out:
            raise zlib.error("incomplete deflate stream")
    except zlib.error:
        if encoding == "deflate":
            try:
                return _raw_deflate(raw, limit)
            except zlib.error as exc:
                raise ApiError(400, f"the body is not valid deflate data: {exc}") from None
        raise ApiError(400, f"the body is not valid {encoding} data") from None
    if len(out) > limit:
        raise ApiError(413, f"the decompressed body is over the limit of {limit} bytes")
    if not decoder.eof:
        raise ApiError(400, f"the {encoding} body is truncated")
    return out


def _raw_deflate(raw: bytes, limit: int) -> bytes:
    decoder = zlib.decompressobj(-zlib.MAX_WBITS)
    out = decoder.decompress(raw, limit + 1)
    if len(out) > limit:
        raise ApiError(413, f"the decompressed body is over the limit of {limit} bytes")
    return out


async def read_json(request: Request, limit: int) -> Any:
    raw = decode_content(await read_body(request, limit), request.headers.get("content-encoding"), limit)
    if not raw.strip():
        raise ApiError(400, "the request body is empty; send JSON")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
