"""Media: files (images, audio, documents) that the SDKs lift out of inputs, outputs and metadata.

The SDK replaces an inline file with a reference token, `@@@langfuseMedia:type=<mime>|id=<media id>|source=<...>@@@`,
asks the server where to upload the bytes, and uploads them. A media id is derived from the content (the first 22
characters of the URL-safe base64 SHA-256, as the SDKs compute it), so one file is stored once per project.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

# The content types the Langfuse API accepts (its MediaContentType enum).
CONTENT_TYPES = frozenset(
    {
        *(f"image/{t}" for t in ("png", "jpeg", "jpg", "webp", "gif", "svg+xml", "tiff", "bmp", "avif", "heic")),
        *(f"audio/{t}" for t in ("mpeg", "mp3", "wav", "ogg", "oga", "aac", "mp4", "flac", "opus", "webm")),
        *(f"video/{t}" for t in ("mp4", "webm", "ogg", "mpeg", "quicktime", "x-msvideo", "x-matroska")),
        *(f"text/{t}" for t in ("plain", "html", "css", "csv", "markdown", "x-python", "x-typescript")),
        *(
            f"application/{t}"
            for t in (
                "javascript", "x-yaml", "pdf", "msword", "vnd.ms-excel", "zip", "json", "xml", "octet-stream", "rtf",
                "x-ndjson", "vnd.apache.parquet", "gzip", "x-tar", "x-7z-compressed",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "vnd.openxmlformats-officedocument.wordprocessingml.document",
                "vnd.openxmlformats-officedocument.presentationml.presentation",
            )
        ),
    }
)  # fmt: skip

# Raster images a browser may show inline from our origin; everything else (SVG and HTML can run script) is served
# as a download.
INLINE_IMAGES = frozenset(f"image/{t}" for t in ("png", "jpeg", "jpg", "webp", "gif", "bmp", "avif"))

FIELDS = frozenset({"input", "output", "metadata", "expectedOutput"})

REFERENCE = re.compile(r"@@@langfuseMedia:type=([\w.+/-]{1,100})\|id=([A-Za-z0-9_-]{22})\|source=([\w-]{1,50})@@@")


class MediaError(ValueError):
    """A media request that can never succeed; the message names the field."""


@dataclass(frozen=True, slots=True)
class Media:
    project_id: str
    id: str
    sha256_hash: str  # standard base64 of the SHA-256 digest, as the SDKs send it
    content_type: str
    content_length: int
    created_at: datetime
    uploaded_at: datetime | None = None
    upload_http_status: int | None = None
    upload_http_error: str | None = None

    @property
    def uploaded(self) -> bool:
        return self.uploaded_at is not None and (self.upload_http_status or 200) < 300


@dataclass(frozen=True, slots=True)
class MediaLink:
    """Where a media file was found: a trace (and observation) field."""

    media_id: str
    trace_id: str
    observation_id: str | None
    field: str


@dataclass(frozen=True, slots=True)
class MediaReference:
    """A reference token found in stored content."""

    content_type: str
    media_id: str
    source: str
    token: str


def digest_of(sha256_hash: str) -> bytes:
    """The 32 digest bytes of a base64 `sha256Hash`; MediaError when it is not one."""
    try:
        digest = base64.b64decode(sha256_hash, validate=True)
    except (binascii.Error, ValueError):
        raise MediaError("sha256Hash must be the base64 SHA-256 digest of the file") from None
    if len(digest) != 32:
        raise MediaError(f"sha256Hash must encode 32 bytes, got {len(digest)}")
    return digest


def media_id_for(sha256_hash: str) -> str:
    """The media id the SDKs expect for a file with this `sha256Hash` (they cancel the upload on any other)."""
    return base64.urlsafe_b64encode(digest_of(sha256_hash)).decode()[:22]


def check_content_type(content_type: str) -> str:
    if content_type not in CONTENT_TYPES:
        raise MediaError(f"contentType {content_type[:100]!r} is not a supported media type")
    return content_type


def references(text: str) -> list[MediaReference]:
    """The media reference tokens in `text`, in order."""
    return [MediaReference(m[1], m[2], m[3], m[0]) for m in REFERENCE.finditer(text)]
