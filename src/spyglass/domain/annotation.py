"""Annotation queues: a named list of traces, observations or sessions to score by hand with the queue's score
configs, each item PENDING until someone marks it COMPLETED, and the users assigned to the queue. Pure types and
input checks; no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class QueueObjectType(enum.StrEnum):
    TRACE = "TRACE"
    OBSERVATION = "OBSERVATION"
    SESSION = "SESSION"


class QueueItemStatus(enum.StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"


class InvalidQueue(ValueError):
    """Input that cannot become a queue or queue item; the message names the field."""


MAX_QUEUE_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class AnnotationQueue:
    id: str
    project_id: str
    name: str
    description: str | None
    score_config_ids: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: str
    project_id: str
    queue_id: str
    object_id: str
    object_type: QueueObjectType
    status: QueueItemStatus
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueAssignment:
    project_id: str
    queue_id: str
    user_id: str


def queue_object_type(raw: object) -> QueueObjectType:
    """Raises InvalidQueue for anything but TRACE, OBSERVATION or SESSION (any case)."""
    if not isinstance(raw, str) or raw.upper() not in QueueObjectType.__members__:
        raise InvalidQueue(f"objectType must be one of {', '.join(QueueObjectType)}")
    return QueueObjectType(raw.upper())


def queue_item_status(raw: object) -> QueueItemStatus:
    """Raises InvalidQueue for anything but PENDING or COMPLETED (any case)."""
    if not isinstance(raw, str) or raw.upper() not in QueueItemStatus.__members__:
        raise InvalidQueue(f"status must be one of {', '.join(QueueItemStatus)}")
    return QueueItemStatus(raw.upper())


def queue_name(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidQueue("name is required and must be a non-empty string")
    if len(raw.strip()) > MAX_QUEUE_NAME_LENGTH:
        raise InvalidQueue(f"name is longer than {MAX_QUEUE_NAME_LENGTH} characters")
    return raw.strip()
