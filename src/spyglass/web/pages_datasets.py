"""Datasets in the UI: the list, a dataset (items and runs), an item (edit, archive), runs compared side by side, and
adding a trace's input/output to a dataset. Members and up write (Action.EDIT_DATASETS); viewers read.

Pages address a dataset by id (names may hold '/'); every form carries the CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from spyglass.domain.accounts import Action
from spyglass.domain.datasets import (
    Dataset,
    DatasetItem,
    DatasetRun,
    DatasetSummary,
    InvalidDataset,
    ItemFilter,
    ItemUpsert,
    RunComparison,
    new_dataset,
    parse_status,
)
from spyglass.store.base import NotFound, PageRequest
from spyglass.web.auth import Access, Ctx, WebError, check_csrf
from spyglass.web.render import render

router = APIRouter()

_PAGE = 50


@dataclass(frozen=True, slots=True)
class DatasetsPage:
    project_id: str
    datasets: tuple[DatasetSummary, ...]
    page: int
    total: int
    total_pages: int
    can_edit: bool


@dataclass(frozen=True, slots=True)
class DatasetPage:
    project_id: str
    dataset: Dataset
    items: tuple[DatasetItem, ...]
    items_page: int
    items_total: int
    items_total_pages: int
    runs: tuple[DatasetRun, ...]
    can_edit: bool


@dataclass(frozen=True, slots=True)
class ItemPage:
    project_id: str
    dataset: Dataset
    item: DatasetItem
    can_edit: bool


@dataclass(frozen=True, slots=True)
class ComparePage:
    project_id: str
    comparison: RunComparison
    selected: tuple[str, ...]
    sort: str | None
    page: int
    total_pages: int


@dataclass(frozen=True, slots=True)
class AddTracePage:
    project_id: str
    trace_id: str
    observation_id: str | None
    input: Any
    expected_output: Any
    datasets: tuple[Dataset, ...]


def _page_number(request: Request, name: str = "page") -> int:
    raw = request.query_params.get(name, "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise WebError(400, f"{name} must be a whole number from 1, got {raw[:20]!r}")
    return int(raw)


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _json_field(form: dict[str, str], name: str) -> Any:
    """A form field as JSON when it parses (`{"q": 1}`, `42`, `"text"`), else as the text typed; empty is None."""
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw


async def _dataset(ctx: Ctx, project_id: str, dataset_id: str) -> Dataset:
    try:
        return await ctx.store.datasets.get_dataset_by_id(project_id, dataset_id)
    except NotFound:
        raise WebError(404, f"dataset {dataset_id!r} not found in this project") from None


def _dataset_url(project_id: str, dataset_id: str) -> str:
    return f"/project/{project_id}/datasets/{quote(dataset_id, safe='')}"


@router.get("/project/{project_id}/datasets")
async def datasets(request: Request, access: Access, ctx: Ctx) -> Response:
    listed = await ctx.store.datasets.list_datasets(access.project.id, PageRequest(_page_number(request), _PAGE))
    page = DatasetsPage(access.project.id, listed.items, listed.page, listed.total, listed.total_pages,
                        access.can(Action.EDIT_DATASETS))  # fmt: skip
    return render(request, "datasets/list.html", page, access=access)


@router.post("/project/{project_id}/datasets")
async def create_dataset(request: Request, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DATASETS)
    form = await _form(request)
    try:
        new = new_dataset({"name": form.get("name", "").strip(), "description": form.get("description") or None,
                           "metadata": _json_field(form, "metadata")})  # fmt: skip
    except InvalidDataset as exc:
        raise WebError(400, str(exc)) from None
    created = await ctx.store.datasets.create_dataset(access.project.id, new)
    return RedirectResponse(_dataset_url(access.project.id, created.id), status_code=303)


@router.get("/project/{project_id}/datasets/{dataset_id}")
async def dataset(request: Request, dataset_id: str, access: Access, ctx: Ctx) -> Response:
    found = await _dataset(ctx, access.project.id, dataset_id)
    items = await ctx.store.datasets.list_dataset_items(
        access.project.id, ItemFilter(dataset_name=found.name), PageRequest(_page_number(request), _PAGE)
    )
    runs = await ctx.store.datasets.list_dataset_runs(access.project.id, found.name, PageRequest(1, 200))
    page = DatasetPage(access.project.id, found, items.items, items.page, items.total, items.total_pages, runs.items,
                       access.can(Action.EDIT_DATASETS))  # fmt: skip
    return render(request, "datasets/detail.html", page, access=access)


@router.get("/project/{project_id}/datasets/{dataset_id}/items/{item_id}")
async def item(request: Request, dataset_id: str, item_id: str, access: Access, ctx: Ctx) -> Response:
    found = await _dataset(ctx, access.project.id, dataset_id)
    try:
        shown = await ctx.store.datasets.get_dataset_item(access.project.id, item_id)
    except NotFound:
        raise WebError(404, f"dataset item {item_id!r} not found") from None
    if shown.dataset_id != found.id:
        raise WebError(404, f"dataset item {item_id!r} is not in the dataset {found.name!r}")
    page = ItemPage(access.project.id, found, shown, access.can(Action.EDIT_DATASETS))
    return render(request, "datasets/item.html", page, access=access)


@router.post("/project/{project_id}/datasets/{dataset_id}/items")
async def save_item(request: Request, dataset_id: str, access: Access, ctx: Ctx) -> Response:
    """Add an item, or (with `item_id`) change one: input, expected output, metadata, status, source trace."""
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DATASETS)
    found = await _dataset(ctx, access.project.id, dataset_id)
    form = await _form(request)
    fields: dict[str, Any] = {}
    for name in ("input", "expected_output", "metadata"):
        if name in form:
            fields[name] = _json_field(form, name)
    for name in ("source_trace_id", "source_observation_id"):
        if form.get(name, "").strip():
            fields[name] = form[name].strip()
    try:
        if form.get("status"):
            fields["status"] = parse_status(form["status"].strip().upper())
        if "input" in fields and fields["input"] is None and not form.get("item_id"):
            raise InvalidDataset("a new item needs an input")
        upsert = ItemUpsert(found.name, form.get("item_id", "").strip() or None, fields)
        saved = await ctx.store.datasets.upsert_dataset_item(access.project.id, upsert)
    except InvalidDataset as exc:
        raise WebError(400, str(exc)) from None
    if form.get("back") == "dataset":
        return RedirectResponse(_dataset_url(access.project.id, found.id), status_code=303)
    item_url = f"{_dataset_url(access.project.id, found.id)}/items/{quote(saved.id, safe='')}"
    return RedirectResponse(item_url, status_code=303)


@router.get("/project/{project_id}/datasets/{dataset_id}/compare")
async def compare(request: Request, dataset_id: str, access: Access, ctx: Ctx) -> Response:
    """Runs side by side (`runs` repeated; none: the five newest), items paged, `sort=<score name>` orders items by
    that score's change from the first run to the last, largest first."""
    found = await _dataset(ctx, access.project.id, dataset_id)
    selected = tuple(r for r in request.query_params.getlist("runs") if r)
    sort = request.query_params.get("sort", "").strip() or None
    number = _page_number(request)
    comparison = await ctx.store.datasets.compare_runs(access.project.id, found.name, selected, sort,
                                                       PageRequest(number, _PAGE))  # fmt: skip
    pages = max(1, (comparison.total_items + _PAGE - 1) // _PAGE)
    page = ComparePage(access.project.id, comparison, tuple(a.run.id for a in comparison.runs), sort, number, pages)
    return render(request, "datasets/compare.html", page, access=access,
                  extra={"query_without_page": _without(request, "page")})  # fmt: skip


def _without(request: Request, name: str) -> str:
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in (name, "format")])


@router.get("/project/{project_id}/dataset-from-trace/{trace_id:path}")
async def add_trace(request: Request, trace_id: str, access: Access, ctx: Ctx) -> Response:
    """The form that adds a trace's (or one observation's) input and output to a dataset as a new item."""
    access.require(Action.EDIT_DATASETS)
    observation_id = request.query_params.get("observation") or None
    try:
        detail = await ctx.store.get_trace(access.project.id, trace_id)
    except NotFound:
        raise WebError(404, f"trace {trace_id!r} not found in this project") from None
    source_input, source_output = detail.trace.input, detail.trace.output
    if observation_id is not None:
        observation = next((o for o in detail.observations if o.id == observation_id), None)
        if observation is None:
            raise WebError(404, f"observation {observation_id!r} is not in this trace")
        source_input, source_output = observation.input, observation.output
    listed = await ctx.store.datasets.list_datasets(access.project.id, PageRequest(1, 500))
    page = AddTracePage(access.project.id, trace_id, observation_id, source_input, source_output,
                        tuple(s.dataset for s in listed.items))  # fmt: skip
    return render(request, "datasets/add_trace.html", page, access=access,
                  extra={"as_text": _as_text})  # fmt: skip


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()


@router.post("/project/{project_id}/dataset-from-trace/{trace_id:path}")
async def save_trace_item(request: Request, trace_id: str, access: Access, ctx: Ctx) -> Response:
    await check_csrf(request, access.viewer)
    access.require(Action.EDIT_DATASETS)
    form = await _form(request)
    found = await _dataset(ctx, access.project.id, form.get("dataset_id", ""))
    fields: dict[str, Any] = {
        "input": _json_field(form, "input"),
        "expected_output": _json_field(form, "expected_output"),
        "source_trace_id": trace_id,
    }
    if observation_id := form.get("observation_id", "").strip():
        fields["source_observation_id"] = observation_id
    saved = await ctx.store.datasets.upsert_dataset_item(access.project.id, ItemUpsert(found.name, None, fields))
    item_url = f"{_dataset_url(access.project.id, found.id)}/items/{quote(saved.id, safe='')}"
    return RedirectResponse(item_url, status_code=303)
