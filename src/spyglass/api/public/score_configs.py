"""`/api/public/score-configs`: create, list, get and update (archive) score configs in Langfuse's shapes.

A change drops the project's configs from the ingestion cache, so the next score naming one is checked against it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from spyglass import evaluation
from spyglass.api.auth import project_id
from spyglass.api.body import read_object
from spyglass.api.context import AppContext, context
from spyglass.api.params import page_request
from spyglass.api.wire import iso, page_meta
from spyglass.domain.score_configs import ScoreConfig, categories_to_json

router = APIRouter()


def config_to_wire(config: ScoreConfig) -> dict[str, Any]:
    return {
        "id": config.id, "name": config.name, "createdAt": iso(config.created_at),
        "updatedAt": iso(config.updated_at), "projectId": config.project_id, "dataType": config.data_type.value,
        "isArchived": config.is_archived, "minValue": config.min_value, "maxValue": config.max_value,
        "categories": categories_to_json(config.categories) if config.categories else None,
        "description": config.description,
    }  # fmt: skip


@router.post("/score-configs")
async def create_score_config(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, ctx.settings.max_body_bytes)
    return config_to_wire(await evaluation.create_score_config(ctx.store.evaluation, ctx.score_configs, project, body))


@router.get("/score-configs")
async def list_score_configs(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    result = await ctx.store.evaluation.list_score_configs(project, page_request(page, limit))
    return {"data": [config_to_wire(c) for c in result.items], "meta": page_meta(result)}


@router.get("/score-configs/{config_id}")
async def get_score_config(
    config_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return config_to_wire(await ctx.store.evaluation.get_score_config(project, config_id))


@router.patch("/score-configs/{config_id}")
async def update_score_config(
    config_id: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    body = await read_object(request, ctx.settings.max_body_bytes)
    store = ctx.store.evaluation
    return config_to_wire(await evaluation.update_score_config(store, ctx.score_configs, project, config_id, body))
