"""Comments: free text by a user on a trace, observation, session or prompt. Pure types and input checks."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

MAX_CONTENT_LENGTH = 5000  # as Langfuse


class CommentObjectType(enum.StrEnum):
    TRACE = "TRACE"
    OBSERVATION = "OBSERVATION"
    SESSION = "SESSION"
    PROMPT = "PROMPT"


class InvalidComment(ValueError):
    """Input that cannot become a comment; the message names the field."""


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    project_id: str
    object_type: CommentObjectType
    object_id: str
    content: str
    created_at: datetime
    updated_at: datetime
    author_user_id: str | None = None


def comment_object_type(raw: object) -> CommentObjectType:
    """Raises InvalidComment for anything but TRACE, OBSERVATION, SESSION or PROMPT (any case)."""
    if not isinstance(raw, str) or raw.upper() not in CommentObjectType.__members__:
        raise InvalidComment(f"objectType must be one of {', '.join(CommentObjectType)}")
    return CommentObjectType(raw.upper())


def comment_content(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidComment("content is required and must be a non-empty string")
    if len(raw) > MAX_CONTENT_LENGTH:
        raise InvalidComment(f"content is longer than {MAX_CONTENT_LENGTH} characters")
    return raw
