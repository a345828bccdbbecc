"""Media bytes on disk: one file per (project, media id) under the data dir's `media/` folder.

Uploads are streamed into a temporary file beside the target, hashed on the way, and renamed into place only when the
length and SHA-256 match what was announced, so a reader never sees a partial or wrong file. Files are written 0600
in folders of 0700.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class BlobMismatch(ValueError):
    """The uploaded bytes are not the announced file (length or hash); the message says which."""


class FileBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, project_id: str, media_id: str) -> Path:
        if not _SAFE.match(project_id) or not _SAFE.match(media_id):
            raise ValueError("project and media ids are limited to [A-Za-z0-9_-]")
        return self.root / project_id / media_id

    def exists(self, project_id: str, media_id: str) -> bool:
        return self.path(project_id, media_id).is_file()

    async def save(
        self, project_id: str, media_id: str, chunks: AsyncIterator[bytes], *, length: int, digest: bytes
    ) -> None:
        """Store the streamed bytes if they are exactly `length` bytes hashing to `digest`; BlobMismatch if not."""
        target = self.path(project_id, media_id)
        fd, tmp = await asyncio.to_thread(self._temp_file, target)
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
            await asyncio.to_thread(os.replace, tmp, target)
        except BaseException:
            await asyncio.to_thread(_discard, tmp)
            raise

    @staticmethod
    def _temp_file(target: Path) -> tuple[int, str]:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return tempfile.mkstemp(dir=target.parent, prefix=".upload-")

    def read(self, project_id: str, media_id: str) -> bytes:
        return self.path(project_id, media_id).read_bytes()

    def delete(self, project_id: str, media_id: str) -> None:
        self.path(project_id, media_id).unlink(missing_ok=True)


def _discard(path: str) -> None:
    Path(path).unlink(missing_ok=True)
