"""`/api/public/v2/datasets` (create, list, get) and the v1 `/api/public/datasets` paths: create (the legacy JS SDK),
a dataset's runs (`/datasets/{name}/runs`, `/datasets/{name}/runs/{run}`, delete a run).

Dataset names may contain '/': 2.x sends it raw, 5.x as %2F. The v2 get route takes the rest of the path as the name.
The v1 run routes read the raw path, so a name holding '/runs/' or an encoded '/' still splits right; each segment
is percent-decoded. The 2.x SDK also encodes names once more before sending (`my%20ds`), so a name that is not found
is looked up once more decoded (`named_dataset`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.dataset_wire import dataset_to_wire, run_item_to_wire, run_to_wire
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request
from spyglass.api.responses import Json
from spyglass.api.wire import page_meta
from spyglass.domain.datasets import Dataset, DatasetRunItem, new_dataset
from spyglass.store.base import DatasetStore, NotFound, PageRequest

router = APIRouter()


async def named_dataset(datasets: DatasetStore, project: str, name: str) -> Dataset:
    """The dataset `name`, or (the 2.x SDK's doubly encoded names) the one `name` percent-decoded names."""
    try:
        return await datasets.get_dataset(project, name)
    except NotFound:
        if "%" not in name or unquote(name) == name:
            raise
        return await datasets.get_dataset(project, unquote(name))


async def _create(request: Request, project: str, ctx: AppContext) -> Json:
    body = await read_json(request, ctx.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with at least a name")
    dataset = await ctx.store.datasets.create_dataset(project, new_dataset(body))
    return Json(dataset_to_wire(dataset))


@router.post("/v2/datasets")
async def create_dataset(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    """Create a dataset, or update the description, metadata and schemas of the one with this name."""
    return await _create(request, project, ctx)


@router.post("/datasets")
async def create_dataset_v1(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    """The v1 path the legacy JS SDK (langfuse 3.x) creates datasets on; same body and answer as v2."""
    return await _create(request, project, ctx)


async def _list(project: str, ctx: AppContext, page: int | None, limit: int | None) -> dict[str, Any]:
    result = await ctx.store.datasets.list_datasets(project, page_request(page, limit))
    return {"data": [dataset_to_wire(s.dataset) for s in result.items], "meta": page_meta(result)}


@router.get("/v2/datasets")
async def list_datasets(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    return await _list(project, ctx, page, limit)


@router.get("/v2/datasets/{name:path}")
async def get_dataset(
    name: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return dataset_to_wire(await named_dataset(ctx.store.datasets, project, name))


@router.get("/datasets")
async def list_datasets_v1(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    return await _list(project, ctx, page, limit)


def _run_path(request: Request) -> tuple[str, str | None]:
    """(dataset name, run name or None) of `/api/public/datasets/{name}/runs[/{run}]`, from the raw path."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    rest = path.split("/api/public/datasets/", 1)[-1].split("/")
    if len(rest) >= 3 and rest[-2] == "runs":
        return unquote("/".join(rest[:-2])), unquote(rest[-1])
    if len(rest) >= 2 and rest[-1] == "runs":
        return unquote("/".join(rest[:-1])), None
    raise ApiError(404, f"no such path: {request.url.path}; use /api/public/datasets/{{name}}/runs[/{{run}}]")


async def all_run_items(datasets: DatasetStore, project: str, run_id: str) -> list[DatasetRunItem]:
    items: list[DatasetRunItem] = []
    page = 1
    while True:
        result = await datasets.list_run_items(project, run_id, PageRequest(page=page, limit=1000))
        items.extend(result.items)
        if page >= result.total_pages:
            return items
        page += 1


@router.get("/datasets/{rest:path}")
async def get_runs(
    rest: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """A dataset's runs (newest first), or one run with all its run items."""
    name, run_name = _run_path(request)
    dataset = await named_dataset(ctx.store.datasets, project, name)
    if run_name is None:
        result = await ctx.store.datasets.list_dataset_runs(project, dataset.name, page_request(page, limit))
        return {"data": [run_to_wire(r) for r in result.items], "meta": page_meta(result)}
    run = await ctx.store.datasets.get_dataset_run(project, dataset.name, run_name)
    items = await all_run_items(ctx.store.datasets, project, run.id)
    return {**run_to_wire(run), "datasetRunItems": [run_item_to_wire(i) for i in items]}


@router.delete("/datasets/{rest:path}")
async def delete_run(
    rest: str,
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Response:
    """Delete a run with its run items (the traces and scores stay)."""
    name, run_name = _run_path(request)
    if run_name is None:
        raise ApiError(405, "a dataset cannot be deleted through the API; delete one run: /datasets/{name}/runs/{run}")
    dataset = await named_dataset(ctx.store.datasets, project, name)
    await ctx.store.datasets.delete_dataset_run(project, dataset.name, run_name)
    return Json({"message": f"Dataset run {run_name!r} deleted"})
