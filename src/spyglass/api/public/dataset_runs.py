"""`/api/public/dataset-run-items`: link a dataset item to a trace in a run (the 2.x `item.link()`, 3.x/4.x
`item.run()` and `run_experiment()`, JS `link()`), and list a run's items by dataset id and run name."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.dataset_wire import run_item_to_wire
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request
from spyglass.api.responses import Json
from spyglass.api.wire import page_meta
from spyglass.domain.datasets import run_item_link

router = APIRouter()


@router.post("/dataset-run-items")
async def create_run_item(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    """The run is created on first use; the answer's `datasetRunId` is the run's id (3.x/4.x and the JS SDK score
    the run with it)."""
    body = await read_json(request, ctx.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with runName, datasetItemId and traceId")
    item = await ctx.store.datasets.link_run_item(project, run_item_link(body))
    return Json(run_item_to_wire(item))


@router.get("/dataset-run-items")
async def list_run_items(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    datasetId: str | None = None,
    runName: str | None = None,
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    if not datasetId or not runName:
        raise ApiError(400, "datasetId and runName are required query parameters")
    dataset = await ctx.store.datasets.get_dataset_by_id(project, datasetId)
    run = await ctx.store.datasets.get_dataset_run(project, dataset.name, runName)
    result = await ctx.store.datasets.list_run_items(project, run.id, page_request(page, limit))
    return {"data": [run_item_to_wire(i) for i in result.items], "meta": page_meta(result)}
