"""Compressed request bodies: whole streams are read; cut-short ones and trailing garbage are refused with a 400."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
import pytest

BATCH = {"batch": [{"id": "e1", "type": "trace-create", "timestamp": "2026-03-01T12:00:00Z",
                    "body": {"id": "zipped", "name": "zipped"}}]}  # fmt: skip
RAW = json.dumps(BATCH).encode()


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


async def _post(client: httpx.AsyncClient, body: bytes, encoding: str) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    return await client.post("/api/public/ingestion", content=body, headers=headers)


@pytest.mark.anyio
async def test_whole_gzip_and_deflate_bodies_are_read(app_client: httpx.AsyncClient) -> None:
    half = len(RAW) // 2
    two_members = gzip.compress(RAW[:half]) + gzip.compress(RAW[half:])  # RFC 1952 allows several members
    for body, encoding in ((gzip.compress(RAW), "gzip"), (two_members, "gzip"), (zlib.compress(RAW), "deflate"),
                           (_raw_deflate(RAW), "deflate")):  # fmt: skip
        response = await _post(app_client, body, encoding)
        assert response.status_code == 207 and response.json()["errors"] == [], (encoding, response.text)
    assert (await app_client.get("/api/public/traces/zipped")).json()["name"] == "zipped"


@pytest.mark.anyio
async def test_truncated_or_trailing_garbage_bodies_are_400(app_client: httpx.AsyncClient) -> None:
    cases = {
        "gzip cut short": (gzip.compress(RAW)[:-9], "gzip", "truncated"),
        "gzip + garbage": (gzip.compress(RAW) + b"garbage", "gzip", "trailing garbage"),
        "gzip + a zero": (gzip.compress(RAW) + b"\0", "gzip", "trailing garbage"),
        "deflate cut short": (zlib.compress(RAW)[:-6], "deflate", "truncated"),
        "deflate + garbage": (zlib.compress(RAW) + b"more", "deflate", "trailing garbage"),
        "raw deflate + garbage": (_raw_deflate(RAW) + b"more", "deflate", "trailing garbage"),
        "not gzip": (b"plain text", "gzip", "not valid gzip"),
    }
    for name, (body, encoding, message) in cases.items():
        response = await _post(app_client, body, encoding)
        assert response.status_code == 400 and message in response.json()["message"], (name, response.text)
    otlp = await app_client.post(
        "/api/public/otel/v1/traces", content=gzip.compress(b"{}") + b"x",
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )  # fmt: skip
    assert otlp.status_code == 400 and "trailing garbage" in otlp.json()["message"]
    assert (await _post(app_client, zlib.compress(RAW), "zstd")).status_code == 415
