"""`/api/public/dataset-items`: upsert by id, list (by dataset, source trace or observation; `version` reads the
dataset as it was at a time), get, delete (with its run items). Archive by upserting `status: ARCHIVED`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.dataset_wire import item_to_wire
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request, timestamp
from spyglass.api.public.datasets import named_dataset
from spyglass.api.responses import Json
from spyglass.api.wire import page_meta
from spyglass.domain.datasets import ItemFilter, item_upsert, parse_status

router = APIRouter()


@router.post("/dataset-items")
async def upsert_item(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    body = await read_json(request, ctx.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with at least datasetName")
    upsert = item_upsert(body)
    dataset = await named_dataset(ctx.store.datasets, project, upsert.dataset_name)
    if dataset.name != upsert.dataset_name:
        upsert = replace(upsert, dataset_name=dataset.name)  # the 2.x SDK's doubly encoded name, decoded
    item = await ctx.store.datasets.upsert_dataset_item(project, upsert)
    return Json(item_to_wire(item))


@router.get("/dataset-items")
async def list_items(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    datasetName: str | None = None,
    sourceTraceId: str | None = None,
    sourceObservationId: str | None = None,
    version: str | None = None,
    status: str | None = None,
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    when = timestamp("version", version)
    if when is not None and datasetName is None:
        raise ApiError(400, "version needs datasetName: a version is a dataset as it was at that time")
    name = None
    if datasetName is not None:
        name = (await named_dataset(ctx.store.datasets, project, datasetName)).name
    flt = ItemFilter(
        dataset_name=name, source_trace_id=sourceTraceId, source_observation_id=sourceObservationId, version=when,
        status=parse_status(status) if status is not None else None,
    )  # fmt: skip
    result = await ctx.store.datasets.list_dataset_items(project, flt, page_request(page, limit))
    return {"data": [item_to_wire(i) for i in result.items], "meta": page_meta(result)}


@router.get("/dataset-items/{item_id}")
async def get_item(
    item_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return item_to_wire(await ctx.store.datasets.get_dataset_item(project, item_id))


@router.delete("/dataset-items/{item_id}")
async def delete_item(
    item_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    await ctx.store.datasets.delete_dataset_item(project, item_id)
    return {"message": f"Dataset item {item_id!r} deleted"}
