"""`/api/public/annotation-queues`: queues, their items (traces, observations, sessions) and user assignments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from spyglass import evaluation
from spyglass.api.auth import project_id
from spyglass.api.body import read_object
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request
from spyglass.api.wire import iso, page_meta
from spyglass.domain.annotation import (
    AnnotationQueue,
    QueueItem,
    QueueItemStatus,
    queue_item_status,
    queue_object_type,
)
from spyglass.store.base import NotFound

router = APIRouter()


def queue_to_wire(queue: AnnotationQueue) -> dict[str, Any]:
    return {
        "id": queue.id, "name": queue.name, "description": queue.description,
        "scoreConfigIds": list(queue.score_config_ids), "createdAt": iso(queue.created_at),
        "updatedAt": iso(queue.updated_at),
    }  # fmt: skip


def item_to_wire(item: QueueItem) -> dict[str, Any]:
    return {
        "id": item.id, "queueId": item.queue_id, "objectId": item.object_id, "objectType": item.object_type.value,
        "status": item.status.value, "completedAt": iso(item.completed_at), "createdAt": iso(item.created_at),
        "updatedAt": iso(item.updated_at),
    }  # fmt: skip


@router.get("/annotation-queues")
async def list_queues(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    result = await ctx.store.evaluation.list_queues(project, page_request(page, limit))
    return {"data": [queue_to_wire(q) for q in result.items], "meta": page_meta(result)}


@router.post("/annotation-queues")
async def create_queue(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, ctx.settings.max_body_bytes)
    queue = await evaluation.create_queue(
        ctx.store.evaluation, project, body.get("name"), body.get("description"), body.get("scoreConfigIds", [])
    )
    return queue_to_wire(queue)


@router.get("/annotation-queues/{queue_id}")
async def get_queue(
    queue_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return queue_to_wire(await ctx.store.evaluation.get_queue(project, queue_id))


@router.get("/annotation-queues/{queue_id}/items")
async def list_queue_items(
    queue_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    status: str | None = None,
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    wanted = queue_item_status(status) if status else None
    await ctx.store.evaluation.get_queue(project, queue_id)  # 404 for an unknown queue
    result = await ctx.store.evaluation.list_queue_items(project, queue_id, wanted, page_request(page, limit))
    return {"data": [item_to_wire(i) for i in result.items], "meta": page_meta(result)}


@router.post("/annotation-queues/{queue_id}/items")
async def create_queue_item(
    queue_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, ctx.settings.max_body_bytes)
    status = queue_item_status(body["status"]) if body.get("status") is not None else QueueItemStatus.PENDING
    item = await evaluation.add_queue_item(
        ctx.store.evaluation, project, queue_id, queue_object_type(body.get("objectType")), body.get("objectId"),
        status,
    )  # fmt: skip
    return item_to_wire(item)


@router.get("/annotation-queues/{queue_id}/items/{item_id}")
async def get_queue_item(
    queue_id: str,
    item_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return item_to_wire(await ctx.store.evaluation.get_queue_item(project, queue_id, item_id))


@router.patch("/annotation-queues/{queue_id}/items/{item_id}")
async def update_queue_item(
    queue_id: str,
    item_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, ctx.settings.max_body_bytes)
    if body.get("status") is None:
        return item_to_wire(await ctx.store.evaluation.get_queue_item(project, queue_id, item_id))
    status = queue_item_status(body["status"])
    return item_to_wire(await evaluation.set_item_status(ctx.store.evaluation, project, queue_id, item_id, status))


@router.delete("/annotation-queues/{queue_id}/items/{item_id}")
async def delete_queue_item(
    queue_id: str,
    item_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    await ctx.store.evaluation.delete_queue_item(project, queue_id, item_id)
    return {"success": True, "message": "Item removed from the annotation queue"}


async def _assignment(request: Request, ctx: AppContext, project: str, queue_id: str) -> str:
    body = await read_object(request, ctx.settings.max_body_bytes)
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise ApiError(400, "userId is required and must be a string")
    await ctx.store.evaluation.get_queue(project, queue_id)  # 404 for an unknown queue
    try:
        await ctx.store.get_user(user_id)
    except NotFound:
        raise ApiError(400, f"userId {user_id[:80]!r} is not a user of this server") from None
    return user_id


@router.post("/annotation-queues/{queue_id}/assignments")
async def create_assignment(
    queue_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    user_id = await _assignment(request, ctx, project, queue_id)
    await ctx.store.evaluation.set_queue_assignment(project, queue_id, user_id, True)
    return {"userId": user_id, "queueId": queue_id, "projectId": project}


@router.delete("/annotation-queues/{queue_id}/assignments")
async def delete_assignment(
    queue_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    user_id = await _assignment(request, ctx, project, queue_id)
    await ctx.store.evaluation.set_queue_assignment(project, queue_id, user_id, False)
    return {"success": True}
