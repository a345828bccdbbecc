"""Evaluation use cases shared by the public API and the UI: score configs, annotation queues and comments.

Built on the Store's `evaluation` part and the domain rules; no SQL and no HTTP here. Bad input raises the domain's
Invalid* errors (400), a missing queue, item, config or comment NotFound (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from spyglass.domain.annotation import (
    AnnotationQueue,
    InvalidQueue,
    QueueItem,
    QueueItemStatus,
    QueueObjectType,
    queue_name,
)
from spyglass.domain.comments import Comment, CommentObjectType, InvalidComment, comment_content
from spyglass.domain.score_configs import ScoreConfig, build_config, parse_spec, updated_config
from spyglass.ingest.score_configs import ScoreConfigCache
from spyglass.store.base import EvaluationStore, NotFound, PageRequest


def _now() -> datetime:
    return datetime.now(UTC)


async def create_score_config(
    store: EvaluationStore, cache: ScoreConfigCache, project_id: str, body: Mapping[str, Any]
) -> ScoreConfig:
    config = build_config(parse_spec(body, create=True), id=str(uuid.uuid4()), project_id=project_id, now=_now())
    await store.save_score_config(config)
    cache.forget(project_id)
    return config


async def update_score_config(
    store: EvaluationStore, cache: ScoreConfigCache, project_id: str, config_id: str, body: Mapping[str, Any]
) -> ScoreConfig:
    """Apply the fields `body` sets (`isArchived: true` archives: scores can no longer name the config)."""
    current = await store.get_score_config(project_id, config_id)
    config = updated_config(current, parse_spec(body, create=False), _now())
    await store.save_score_config(config)
    cache.forget(project_id)
    return config


async def create_queue(
    store: EvaluationStore, project_id: str, name: object, description: object, score_config_ids: object
) -> AnnotationQueue:
    """Raises InvalidQueue for a bad field or a config id the project does not have, Conflict for a taken name."""
    if description is not None and not isinstance(description, str):
        raise InvalidQueue("description must be a string")
    if not isinstance(score_config_ids, list) or not all(isinstance(i, str) for i in score_config_ids):
        raise InvalidQueue("scoreConfigIds must be a list of score config ids")
    for config_id in score_config_ids:
        try:
            await store.get_score_config(project_id, config_id)
        except NotFound:
            raise InvalidQueue(f"scoreConfigIds: {config_id[:80]!r} is not a score config of this project") from None
    now = _now()
    queue = AnnotationQueue(
        id=str(uuid.uuid4()), project_id=project_id, name=queue_name(name), description=description or None,
        score_config_ids=tuple(dict.fromkeys(score_config_ids)), created_at=now, updated_at=now,
    )  # fmt: skip
    await store.create_queue(queue)
    return queue


async def add_queue_item(
    store: EvaluationStore, project_id: str, queue_id: str, object_type: QueueObjectType, object_id: object,
    status: QueueItemStatus = QueueItemStatus.PENDING,
) -> QueueItem:  # fmt: skip
    """Raises NotFound for an unknown queue, InvalidQueue when the project has no such trace/observation/session."""
    await store.get_queue(project_id, queue_id)
    if not isinstance(object_id, str) or not object_id:
        raise InvalidQueue("objectId is required and must be a string")
    if not await store.object_exists(project_id, object_type.value, object_id):
        raise InvalidQueue(f"objectId: no {object_type.value.lower()} {object_id[:80]!r} in this project")
    now = _now()
    item = QueueItem(
        id=str(uuid.uuid4()), project_id=project_id, queue_id=queue_id, object_id=object_id,
        object_type=object_type, status=status, created_at=now, updated_at=now,
        completed_at=now if status == QueueItemStatus.COMPLETED else None,
    )  # fmt: skip
    await store.save_queue_item(item)
    return item


async def set_item_status(
    store: EvaluationStore, project_id: str, queue_id: str, item_id: str, status: QueueItemStatus
) -> QueueItem:
    item = await store.get_queue_item(project_id, queue_id, item_id)
    now = _now()
    completed = (item.completed_at or now) if status == QueueItemStatus.COMPLETED else None
    changed = QueueItem(
        id=item.id, project_id=item.project_id, queue_id=item.queue_id, object_id=item.object_id,
        object_type=item.object_type, status=status, created_at=item.created_at, updated_at=now,
        completed_at=completed,
    )  # fmt: skip
    await store.save_queue_item(changed)
    return changed


async def next_pending_item(
    store: EvaluationStore, project_id: str, queue_id: str, skip: Sequence[str] = ()
) -> QueueItem | None:
    """The oldest PENDING item of the queue whose id is not in `skip`; None when the queue is done."""
    page = await store.list_queue_items(project_id, queue_id, QueueItemStatus.PENDING, PageRequest(1, len(skip) + 1))
    return next((item for item in page.items if item.id not in skip), None)


async def create_comment(
    store: EvaluationStore, project_id: str, object_type: CommentObjectType, object_id: object, content: object,
    author_user_id: object,
) -> Comment:  # fmt: skip
    """Raises InvalidComment for a bad field or an object the project does not have."""
    if not isinstance(object_id, str) or not object_id:
        raise InvalidComment("objectId is required and must be a string")
    if author_user_id is not None and (not isinstance(author_user_id, str) or len(author_user_id) > 255):
        raise InvalidComment("authorUserId must be a string of at most 255 characters")
    text = comment_content(content)
    if not await store.object_exists(project_id, object_type.value, object_id):
        raise InvalidComment(f"objectId: no {object_type.value.lower()} {object_id[:80]!r} in this project")
    now = _now()
    comment = Comment(
        id=str(uuid.uuid4()), project_id=project_id, object_type=object_type, object_id=object_id, content=text,
        created_at=now, updated_at=now, author_user_id=author_user_id or None,
    )  # fmt: skip
    await store.create_comment(comment)
    return comment
