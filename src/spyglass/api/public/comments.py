"""`/api/public/comments`: create, list and get comments on traces, observations, sessions and prompts."""

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
from spyglass.domain.comments import Comment, comment_object_type

router = APIRouter()


def comment_to_wire(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id, "projectId": comment.project_id, "createdAt": iso(comment.created_at),
        "updatedAt": iso(comment.updated_at), "objectType": comment.object_type.value, "objectId": comment.object_id,
        "content": comment.content, "authorUserId": comment.author_user_id,
    }  # fmt: skip


@router.post("/comments")
async def create_comment(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, ctx.settings.max_body_bytes)
    if body.get("projectId") not in (None, project):
        raise ApiError(400, "projectId does not match the project of the API key")
    comment = await evaluation.create_comment(
        ctx.store.evaluation, project, comment_object_type(body.get("objectType")), body.get("objectId"),
        body.get("content"), body.get("authorUserId"),
    )  # fmt: skip
    return {"id": comment.id}


@router.get("/comments")
async def list_comments(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
    objectType: str | None = None,
    objectId: str | None = None,
    authorUserId: str | None = None,
) -> dict[str, Any]:
    kind = comment_object_type(objectType) if objectType else None
    if objectId and kind is None:
        raise ApiError(400, "objectId needs objectType")
    result = await ctx.store.evaluation.list_comments(
        project, kind, objectId or None, authorUserId or None, page_request(page, limit)
    )
    return {"data": [comment_to_wire(c) for c in result.items], "meta": page_meta(result)}


@router.get("/comments/{comment_id}")
async def get_comment(
    comment_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return comment_to_wire(await ctx.store.evaluation.get_comment(project, comment_id))
