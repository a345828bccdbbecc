"""Score configs, annotation queues and comments over SQL that SQLite and PostgreSQL both speak.

The tables are the same in both backends (store/*/migrations/0009_evaluation.sql: times in microseconds since the
epoch, JSON lists as TEXT), so the statements live here once, written with `?` placeholders; each backend supplies a
`SqlRunner` that runs one statement on its own connections (PostgreSQL's turns `?` into `%s`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import orjson

from spyglass.domain.annotation import (
    AnnotationQueue,
    QueueItem,
    QueueItemStatus,
    QueueObjectType,
)
from spyglass.domain.comments import Comment, CommentObjectType
from spyglass.domain.score_configs import (
    ConfigDataType,
    ScoreConfig,
    categories_from_json,
    categories_to_json,
)
from spyglass.store.base import NotFound, Page, PageRequest

T = TypeVar("T")
Row = Mapping[str, Any]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# What `object_exists` asks per object type; every statement takes (project_id, object_id).
_EXISTS = {
    "TRACE": "SELECT 1 AS hit FROM traces WHERE project_id = ? AND id = ?",
    "OBSERVATION": "SELECT 1 AS hit FROM observations WHERE project_id = ? AND id = ?",
    "SESSION": "SELECT 1 AS hit FROM traces WHERE project_id = ? AND session_id = ? LIMIT 1",
    "PROMPT": "SELECT 1 AS hit FROM prompts WHERE project_id = ? AND id = ? LIMIT 1",
}


class SqlRunner(Protocol):
    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Row]:
        """The rows of one query, as column -> value mappings."""
        ...

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run one statement in its own transaction; the number of rows it changed. Raises Conflict when it
        breaks a unique constraint."""
        ...


def _us(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dt(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(microseconds=value)


def _req_dt(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _config_from_row(row: Row) -> ScoreConfig:
    categories = row["categories"]
    return ScoreConfig(
        id=row["id"], project_id=row["project_id"], name=row["name"], data_type=ConfigDataType(row["data_type"]),
        created_at=_req_dt(row["created_at"]), updated_at=_req_dt(row["updated_at"]),
        is_archived=bool(row["is_archived"]), min_value=row["min_value"], max_value=row["max_value"],
        categories=categories_from_json(orjson.loads(categories)) if categories else (),
        description=row["description"],
    )  # fmt: skip


def _queue_from_row(row: Row) -> AnnotationQueue:
    return AnnotationQueue(
        id=row["id"], project_id=row["project_id"], name=row["name"], description=row["description"],
        score_config_ids=tuple(orjson.loads(row["score_config_ids"])), created_at=_req_dt(row["created_at"]),
        updated_at=_req_dt(row["updated_at"]),
    )  # fmt: skip


def _item_from_row(row: Row) -> QueueItem:
    return QueueItem(
        id=row["id"], project_id=row["project_id"], queue_id=row["queue_id"], object_id=row["object_id"],
        object_type=QueueObjectType(row["object_type"]), status=QueueItemStatus(row["status"]),
        created_at=_req_dt(row["created_at"]), updated_at=_req_dt(row["updated_at"]),
        completed_at=_dt(row["completed_at"]),
    )  # fmt: skip


def _comment_from_row(row: Row) -> Comment:
    return Comment(
        id=row["id"], project_id=row["project_id"], object_type=CommentObjectType(row["object_type"]),
        object_id=row["object_id"], content=row["content"], created_at=_req_dt(row["created_at"]),
        updated_at=_req_dt(row["updated_at"]), author_user_id=row["author_user_id"],
    )  # fmt: skip


class EvaluationTables:
    """The `EvaluationStore` of a backend, given its `SqlRunner`."""

    def __init__(self, sql: SqlRunner) -> None:
        self._sql = sql

    async def _one(self, query: str, params: Sequence[Any], convert: Callable[[Row], T], what: str) -> T:
        rows = await self._sql.fetch(query, params)
        if not rows:
            raise NotFound(what)
        return convert(rows[0])

    async def _page(
        self, table: str, where: str, params: Sequence[Any], order: str, page: PageRequest, convert: Callable[[Row], T]
    ) -> Page[T]:
        counted = await self._sql.fetch(f"SELECT count(*) AS n FROM {table} WHERE {where}", params)
        rows = await self._sql.fetch(
            f"SELECT * FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*params, page.limit, page.offset]
        )
        return Page(tuple(convert(r) for r in rows), int(counted[0]["n"]), page.page, page.limit)

    # --- score configs ---

    async def save_score_config(self, config: ScoreConfig) -> None:
        categories = orjson.dumps(categories_to_json(config.categories)).decode() if config.categories else None
        values = (
            config.name, config.data_type.value, config.is_archived, config.min_value, config.max_value, categories,
            config.description, _us(config.updated_at),
        )  # fmt: skip
        changed = await self._sql.execute(
            "UPDATE score_configs SET name = ?, data_type = ?, is_archived = ?, min_value = ?, max_value = ?,"
            " categories = ?, description = ?, updated_at = ? WHERE project_id = ? AND id = ?",
            [*values, config.project_id, config.id],
        )
        if not changed:
            await self._sql.execute(
                "INSERT INTO score_configs (name, data_type, is_archived, min_value, max_value, categories,"
                " description, updated_at, project_id, id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*values, config.project_id, config.id, _us(config.created_at)],
            )

    async def get_score_config(self, project_id: str, config_id: str) -> ScoreConfig:
        return await self._one(
            "SELECT * FROM score_configs WHERE project_id = ? AND id = ?", [project_id, config_id],
            _config_from_row, f"score config {config_id!r} not found",
        )  # fmt: skip

    async def list_score_configs(self, project_id: str, page: PageRequest) -> Page[ScoreConfig]:
        return await self._page(
            "score_configs", "project_id = ?", [project_id], "created_at DESC, id", page, _config_from_row
        )

    # --- annotation queues ---

    async def create_queue(self, queue: AnnotationQueue) -> None:
        await self._sql.execute(
            "INSERT INTO annotation_queues (project_id, id, name, description, score_config_ids, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [queue.project_id, queue.id, queue.name, queue.description,
             orjson.dumps(list(queue.score_config_ids)).decode(), _us(queue.created_at), _us(queue.updated_at)],
        )  # fmt: skip

    async def get_queue(self, project_id: str, queue_id: str) -> AnnotationQueue:
        return await self._one(
            "SELECT * FROM annotation_queues WHERE project_id = ? AND id = ?", [project_id, queue_id],
            _queue_from_row, f"annotation queue {queue_id!r} not found",
        )  # fmt: skip

    async def list_queues(self, project_id: str, page: PageRequest) -> Page[AnnotationQueue]:
        return await self._page(
            "annotation_queues", "project_id = ?", [project_id], "created_at DESC, id", page, _queue_from_row
        )

    async def save_queue_item(self, item: QueueItem) -> None:
        completed = _us(item.completed_at) if item.completed_at else None
        changed = await self._sql.execute(
            "UPDATE annotation_queue_items SET status = ?, completed_at = ?, updated_at = ?"
            " WHERE project_id = ? AND id = ?",
            [item.status.value, completed, _us(item.updated_at), item.project_id, item.id],
        )
        if not changed:
            await self._sql.execute(
                "INSERT INTO annotation_queue_items (project_id, id, queue_id, object_id, object_type, status,"
                " completed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [item.project_id, item.id, item.queue_id, item.object_id, item.object_type.value, item.status.value,
                 completed, _us(item.created_at), _us(item.updated_at)],
            )  # fmt: skip

    async def get_queue_item(self, project_id: str, queue_id: str, item_id: str) -> QueueItem:
        return await self._one(
            "SELECT * FROM annotation_queue_items WHERE project_id = ? AND queue_id = ? AND id = ?",
            [project_id, queue_id, item_id], _item_from_row, f"queue item {item_id!r} not found in queue {queue_id!r}",
        )  # fmt: skip

    async def list_queue_items(
        self, project_id: str, queue_id: str, status: QueueItemStatus | None, page: PageRequest
    ) -> Page[QueueItem]:
        where, params = "project_id = ? AND queue_id = ?", [project_id, queue_id]
        if status is not None:
            where, params = where + " AND status = ?", [*params, status.value]
        return await self._page("annotation_queue_items", where, params, "created_at, id", page, _item_from_row)

    async def delete_queue_item(self, project_id: str, queue_id: str, item_id: str) -> None:
        deleted = await self._sql.execute(
            "DELETE FROM annotation_queue_items WHERE project_id = ? AND queue_id = ? AND id = ?",
            [project_id, queue_id, item_id],
        )
        if not deleted:
            raise NotFound(f"queue item {item_id!r} not found in queue {queue_id!r}")

    async def queue_item_counts(self, project_id: str) -> dict[str, dict[QueueItemStatus, int]]:
        rows = await self._sql.fetch(
            "SELECT queue_id, status, count(*) AS n FROM annotation_queue_items WHERE project_id = ?"
            " GROUP BY queue_id, status",
            [project_id],
        )
        counts: dict[str, dict[QueueItemStatus, int]] = {}
        for row in rows:
            counts.setdefault(row["queue_id"], {})[QueueItemStatus(row["status"])] = int(row["n"])
        return counts

    async def set_queue_assignment(self, project_id: str, queue_id: str, user_id: str, assigned: bool) -> None:
        params = [project_id, queue_id, user_id]
        if not assigned:
            await self._sql.execute(
                "DELETE FROM annotation_queue_assignments WHERE project_id = ? AND queue_id = ? AND user_id = ?", params
            )
            return
        await self._sql.execute(
            "INSERT INTO annotation_queue_assignments (project_id, queue_id, user_id) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            params,
        )

    async def list_queue_assignments(self, project_id: str, queue_id: str) -> list[str]:
        rows = await self._sql.fetch(
            "SELECT user_id FROM annotation_queue_assignments WHERE project_id = ? AND queue_id = ? ORDER BY user_id",
            [project_id, queue_id],
        )
        return [r["user_id"] for r in rows]

    # --- comments ---

    async def create_comment(self, comment: Comment) -> None:
        await self._sql.execute(
            "INSERT INTO comments (project_id, id, object_type, object_id, content, author_user_id, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [comment.project_id, comment.id, comment.object_type.value, comment.object_id, comment.content,
             comment.author_user_id, _us(comment.created_at), _us(comment.updated_at)],
        )  # fmt: skip

    async def get_comment(self, project_id: str, comment_id: str) -> Comment:
        return await self._one(
            "SELECT * FROM comments WHERE project_id = ? AND id = ?", [project_id, comment_id], _comment_from_row,
            f"comment {comment_id!r} not found",
        )  # fmt: skip

    async def list_comments(
        self, project_id: str, object_type: CommentObjectType | None, object_id: str | None,
        author_user_id: str | None, page: PageRequest,
    ) -> Page[Comment]:  # fmt: skip
        where, params = ["project_id = ?"], [project_id]
        for column, value in (("object_type", object_type), ("object_id", object_id),
                              ("author_user_id", author_user_id)):  # fmt: skip
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))
        return await self._page("comments", " AND ".join(where), params, "created_at, id", page, _comment_from_row)

    async def object_exists(self, project_id: str, object_type: str, object_id: str) -> bool:
        query = _EXISTS.get(object_type)
        if query is None:
            return False
        return bool(await self._sql.fetch(query, [project_id, object_id]))
