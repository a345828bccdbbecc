"""Media bytes: one object per (project, media id), in the data dir's `media/` folder or in an S3-compatible bucket.

Uploads are streamed into a temporary file, hashed on the way, and kept only when the length and SHA-256 match what
was announced, so a reader never sees a partial or wrong file. Local files are written 0600 in folders of 0700; with
`SPYGLASS_MEDIA_URL=s3://bucket/prefix` the checked file is then put in the bucket (boto3, the usual AWS environment:
credentials, `AWS_REGION`, and `AWS_ENDPOINT_URL` for MinIO, R2 and other S3-compatible stores).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CHUNK = 256 * 1024


class BlobMismatch(ValueError):
    """The uploaded bytes are not the announced file (length or hash); the message says which."""


class Blobs(Protocol):
    async def exists(self, project_id: str, media_id: str) -> bool: ...

    async def save(
        self, project_id: str, media_id: str, chunks: AsyncIterator[bytes], *, length: int, digest: bytes
    ) -> None:
        """Store the streamed bytes if they are exactly `length` bytes hashing to `digest`; BlobMismatch if not."""
        ...

    def read(self, project_id: str, media_id: str) -> AsyncIterator[bytes]:
        """The stored bytes, a chunk at a time; FileNotFoundError when there are none."""
        ...

    async def delete(self, project_id: str, media_id: str) -> None: ...


def open_blobs(url: str | None, media_dir: Path) -> Blobs:
    """Files under `media_dir` (no URL), or the bucket of an `s3://bucket/prefix` URL."""
    if not url:
        return FileBlobs(media_dir)
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"SPYGLASS_MEDIA_URL must be s3://bucket/prefix, got {url!r}")
    return S3Blobs(parsed.netloc, parsed.path.strip("/"), spool=media_dir / ".uploads")


def _key(project_id: str, media_id: str) -> str:
    if not _SAFE.match(project_id) or not _SAFE.match(media_id):
        raise ValueError("project and media ids are limited to [A-Za-z0-9_-]")
    return f"{project_id}/{media_id}"


async def _checked_copy(
    folder: Path, chunks: AsyncIterator[bytes], length: int, digest: bytes
) -> str:  # fmt: skip
    """Stream `chunks` into a new temporary file in `folder`, fsynced; its path once length and hash are right."""
    fd, tmp = await asyncio.to_thread(_temp_file, folder)
    try:
        sha = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            # Chunk writes land in the page cache; the one slow call, fsync, runs on a worker thread.
            async for chunk in chunks:
                size += len(chunk)
                if size > length:
                    raise BlobMismatch(f"the upload is longer than the announced {length} bytes")
                sha.update(chunk)
                out.write(chunk)
            out.flush()
            await asyncio.to_thread(os.fsync, out.fileno())
        if size != length:
            raise BlobMismatch(f"the upload is {size} bytes; {length} were announced")
        if sha.digest() != digest:
            raise BlobMismatch("the upload's SHA-256 does not match the announced sha256Hash")
    except BaseException:
        await asyncio.to_thread(_discard, tmp)
        raise
    return tmp


def _temp_file(folder: Path) -> tuple[int, str]:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return tempfile.mkstemp(dir=folder, prefix=".upload-")


def _discard(path: str) -> None:
    Path(path).unlink(missing_ok=True)


class FileBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, project_id: str, media_id: str) -> Path:
        return self.root / _key(project_id, media_id)

    async def exists(self, project_id: str, media_id: str) -> bool:
        return await asyncio.to_thread(self._path(project_id, media_id).is_file)

    async def save(
        self, project_id: str, media_id: str, chunks: AsyncIterator[bytes], *, length: int, digest: bytes
    ) -> None:
        target = self._path(project_id, media_id)
        tmp = await _checked_copy(target.parent, chunks, length, digest)
        await asyncio.to_thread(os.replace, tmp, target)

    async def read(self, project_id: str, media_id: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._path(project_id, media_id).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, _CHUNK):
                yield chunk
        finally:
            handle.close()

    async def delete(self, project_id: str, media_id: str) -> None:
        await asyncio.to_thread(self._path(project_id, media_id).unlink, missing_ok=True)


class S3Blobs:
    """Objects `<prefix>/<project id>/<media id>` in one bucket. The upload is checked in a local spool file first."""

    def __init__(self, bucket: str, prefix: str, *, spool: Path) -> None:
        try:
            import boto3
        except ImportError:
            raise ValueError("SPYGLASS_MEDIA_URL=s3://... needs boto3: pip install 'spyglass[s3]'") from None
        self._bucket = bucket
        self._prefix = f"{prefix}/" if prefix else ""
        self._spool = spool
        self._s3: Any = boto3.client("s3")

    def _object(self, project_id: str, media_id: str) -> str:
        return self._prefix + _key(project_id, media_id)

    async def exists(self, project_id: str, media_id: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            await asyncio.to_thread(self._s3.head_object, Bucket=self._bucket, Key=self._object(project_id, media_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    async def save(
        self, project_id: str, media_id: str, chunks: AsyncIterator[bytes], *, length: int, digest: bytes
    ) -> None:
        key = self._object(project_id, media_id)
        tmp = await _checked_copy(self._spool, chunks, length, digest)
        try:
            # upload_file switches to a multipart upload for large files on its own.
            await asyncio.to_thread(self._s3.upload_file, tmp, self._bucket, key)
        finally:
            await asyncio.to_thread(_discard, tmp)

    async def read(self, project_id: str, media_id: str) -> AsyncIterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = await asyncio.to_thread(
                self._s3.get_object, Bucket=self._bucket, Key=self._object(project_id, media_id)
            )
        except ClientError as exc:
            raise FileNotFoundError(f"{media_id}: {exc}") from None
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, _CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, project_id: str, media_id: str) -> None:
        await asyncio.to_thread(self._s3.delete_object, Bucket=self._bucket, Key=self._object(project_id, media_id))
