"""`GET /api/public/experiments` and `GET /api/public/experiment-items` (the 5.x client's `api.experiments`).

An experiment is a dataset run (5.x `run_experiment` makes one; its id is `langfuse.experiment.id`); its items are
the run's items with their trace or linked observation. Shapes follow Langfuse's API definition (ExperimentsResponse,
ExperimentItemsResponse): `fromStartTime` is required, `fields` picks groups, `meta.cursor` pages newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends

from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.cursors import decode_cursor, encode_cursor
from spyglass.api.errors import ApiError
from spyglass.api.filters import parse_filter
from spyglass.api.params import timestamp
from spyglass.api.public import scores_v3
from spyglass.api.wire import iso
from spyglass.domain.bounds import time_in_range
from spyglass.domain.cursor_pages import Keyset, ScoreQuery
from spyglass.domain.experiments import (
    EXPERIMENT_COLUMNS,
    EXPERIMENT_ITEM_COLUMNS,
    MATCH_OPERATORS,
    Experiment,
    ExperimentItem,
    ExperimentQuery,
)
from spyglass.domain.filters import Condition
from spyglass.store.base import Store

router = APIRouter()

MAX_LIMIT = 100
MAX_SCORE_LIMIT = 50
MAX_VALUES = 1000  # ids or names in one comma list
EXPERIMENT_GROUPS = ("core", "metadata", "scores")
ITEM_GROUPS = ("core", "dataset", "io", "metadata", "itemMetadata", "experimentMetadata", "scores")
_FILTER_TYPES = frozenset({"string", "stringOptions"})


def _groups(fields: str | None, allowed: tuple[str, ...], default: set[str]) -> set[str]:
    if fields is None or not fields.strip():
        return default
    groups = {g.strip() for g in fields.split(",") if g.strip()}
    if unknown := sorted(groups - set(allowed)):
        raise ApiError(400, f"fields has unknown group(s) {unknown[:5]}; use any of {', '.join(allowed)}"[:300])
    return groups | {"core"}


def _bounded(name: str, value: int | None, top: int, default: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= top:
        raise ApiError(400, f"{name} must be between 1 and {top}, got {value}")
    return value


def _conditions(raw: str | None, columns: tuple[str, ...]) -> tuple[Condition, ...]:
    conditions = parse_filter(raw, {column: _FILTER_TYPES for column in columns})
    for index, cond in enumerate(conditions):
        if cond.operator not in MATCH_OPERATORS:
            raise ApiError(400, f"filter[{index}].operator {cond.operator!r} is not supported here; use '=', 'any of' "
                                "or 'none of'")  # fmt: skip
    return conditions


def _values(name: str, raw: str | None) -> tuple[str, ...]:
    values = tuple(v.strip() for v in (raw or "").split(",") if v.strip())
    if len(values) > MAX_VALUES:
        raise ApiError(400, f"{name} lists {len(values)} values, more than the {MAX_VALUES} allowed")
    return values


def _cursor(raw: str | None) -> Keyset | None:
    keyset = decode_cursor(raw)
    if keyset is not None and not time_in_range(keyset.time_us):
        raise ApiError(400, "cursor is not a cursor this server issued; pass meta.cursor of the previous page")
    return keyset


def _query(
    from_start: str | None, to_start: str | None, params: Mapping[str, str | None], raw_filter: str | None,
    columns: tuple[str, ...], cursor: str | None, limit: int | None,
) -> ExperimentQuery:  # fmt: skip
    start = timestamp("fromStartTime", from_start)
    if start is None:
        raise ApiError(400, "fromStartTime is required (an ISO-8601 timestamp): experiments are read in a time window")
    conditions = _conditions(raw_filter, columns)
    targeted = {cond.column for cond in conditions}  # a `filter` condition wins over the plain parameter
    listed = {column: _values(column, raw) for column, raw in params.items()}
    matches = tuple((column, values) for column, values in listed.items() if values and column not in targeted)
    return ExperimentQuery(
        start=start, end=timestamp("toStartTime", to_start), matches=matches, conditions=conditions,
        after=_cursor(cursor), limit=_bounded("limit", limit, MAX_LIMIT, 50),
    )  # fmt: skip


async def _scores(store: Store, project: str, query: ScoreQuery, limit: int) -> list[dict[str, Any]]:
    page = await store.list_scores_v3(project, query, None, limit)
    return [scores_v3.to_wire(s, set(scores_v3.GROUPS)) for s in page.items]


def _meta(next_cursor: str | None) -> dict[str, Any]:
    return {"cursor": next_cursor} if next_cursor else {}


def experiment_to_wire(experiment: Experiment, groups: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": experiment.id, "name": experiment.name, "description": experiment.description,
        "startTime": iso(experiment.start_time), "endTime": iso(experiment.end_time),
        "itemCount": experiment.item_count, "datasetId": experiment.dataset_id,
    }  # fmt: skip
    if "metadata" in groups:
        out["metadata"] = experiment.metadata if isinstance(experiment.metadata, dict) else {}
    return out


def item_to_wire(item: ExperimentItem, groups: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id, "traceId": item.trace_id, "startTime": iso(item.start_time), "endTime": iso(item.end_time),
        "level": item.level, "environment": item.environment, "experimentId": item.experiment_id,
        "experimentName": item.experiment_name, "experimentItemId": item.experiment_item_id,
    }  # fmt: skip
    if "dataset" in groups:
        out.update({"experimentDatasetId": item.dataset_id, "experimentItemVersion": iso(item.item_version)})
    if "io" in groups:
        out.update({"input": item.input, "output": item.output, "expectedOutput": item.expected_output})
    if "metadata" in groups:
        out["metadata"] = item.metadata if isinstance(item.metadata, dict) else {}
    if "itemMetadata" in groups:
        out["experimentItemMetadata"] = item.item_metadata if isinstance(item.item_metadata, dict) else {}
    if "experimentMetadata" in groups:
        metadata = item.experiment_metadata
        out.update({"experimentMetadata": metadata if isinstance(metadata, dict) else {},
                    "experimentDescription": item.experiment_description})  # fmt: skip
    return out


@router.get("/experiments")
async def list_experiments(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    fromStartTime: str | None = None,
    toStartTime: str | None = None,
    fields: str | None = None,
    limit: int | None = None,
    scoreLimit: int | None = None,
    cursor: str | None = None,
    id: str | None = None,
    name: str | None = None,
    datasetId: str | None = None,
    filter: str | None = None,
) -> dict[str, Any]:
    groups = _groups(fields, EXPERIMENT_GROUPS, {"core"})
    score_limit = _bounded("scoreLimit", scoreLimit, MAX_SCORE_LIMIT, MAX_SCORE_LIMIT)
    params = {"id": id, "name": name, "datasetId": datasetId}
    query = _query(fromStartTime, toStartTime, params, filter, EXPERIMENT_COLUMNS, cursor, limit)
    page = await ctx.store.datasets.list_experiments(project, query)
    data = []
    for experiment in page.items:
        out = experiment_to_wire(experiment, groups)
        if "scores" in groups:
            runs = ScoreQuery(dataset_run_ids=(experiment.id,))
            out["scores"] = await _scores(ctx.store, project, runs, score_limit)
        data.append(out)
    return {"data": data, "meta": _meta(encode_cursor(page.next))}


@router.get("/experiment-items")
async def list_experiment_items(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    fromStartTime: str | None = None,
    toStartTime: str | None = None,
    fields: str | None = None,
    limit: int | None = None,
    scoreLimit: int | None = None,
    cursor: str | None = None,
    experimentId: str | None = None,
    experimentName: str | None = None,
    experimentItemId: str | None = None,
    datasetId: str | None = None,
    filter: str | None = None,
) -> dict[str, Any]:
    groups = _groups(fields, ITEM_GROUPS, {"core", "dataset"})
    score_limit = _bounded("scoreLimit", scoreLimit, MAX_SCORE_LIMIT, MAX_SCORE_LIMIT)
    params = {"experimentId": experimentId, "experimentName": experimentName, "experimentItemId": experimentItemId,
              "datasetId": datasetId}  # fmt: skip
    query = _query(fromStartTime, toStartTime, params, filter, EXPERIMENT_ITEM_COLUMNS, cursor, limit)
    page = await ctx.store.datasets.list_experiment_items(project, query)
    data = []
    for item in page.items:
        out = item_to_wire(item, groups)
        if "scores" in groups:
            out["scores"] = await _scores(ctx.store, project, ScoreQuery(trace_ids=(item.trace_id,)), score_limit)
        data.append(out)
    return {"data": data, "meta": _meta(encode_cursor(page.next))}
