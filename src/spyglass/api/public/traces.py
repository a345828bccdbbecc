"""`/api/public/traces`: list, get (with observations and scores), delete one or many."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.filters import filter_wins, parse_filter
from spyglass.api.params import order_by, page_request, tag_filter, timestamp
from spyglass.api.wire import observation_to_wire, page_meta, score_to_wire, trace_to_wire
from spyglass.domain.events import TraceDelete
from spyglass.domain.filters import TRACE_COLUMNS
from spyglass.query.observations import prompt_id, prompt_ids
from spyglass.store.base import NotFound, TraceFilter

router = APIRouter()

_ORDER_FIELDS = {
    "timestamp",
    "name",
    "userId",
    "sessionId",
    "release",
    "version",
    "latency",
    "totalCost",
    "id",
    "public",
    "bookmarked",
}
# TraceFilter fields -> the filter column that overrides them
_PARAM_COLUMNS = {"user_id": "userId", "name": "name", "session_id": "sessionId", "tags": "tags", "version": "version",
                  "release": "release", "environments": "environment", "from_timestamp": "timestamp",
                  "to_timestamp": "timestamp"}  # fmt: skip
FIELD_GROUPS = ("core", "io", "scores", "observations", "metrics")


def _fields(value: str | None) -> set[str]:
    """Langfuse's `fields` groups (all of them when not given; `core` always)."""
    if not value or not value.strip():
        return set(FIELD_GROUPS)
    asked = {f.strip() for f in value.split(",") if f.strip()}
    if unknown := asked - set(FIELD_GROUPS):
        raise ApiError(400, f"unknown field group(s) {sorted(unknown)[:5]}; use any of {', '.join(FIELD_GROUPS)}")
    return asked | {"core"}


def _only(trace: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """Leave out what the groups not asked for hold, as Langfuse does: without io, input and output read null and
    metadata {}; observations and scores become empty lists; metrics read -1."""
    if "io" not in fields:
        trace.update({"input": None, "output": None, "metadata": {}})
    if "observations" not in fields:
        trace["observations"] = []
    if "scores" not in fields:
        trace["scores"] = []
    if "metrics" not in fields:
        trace["latency"] = trace["totalCost"] = -1
    return trace


@router.get("/traces")
async def list_traces(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
    userId: str | None = None,
    name: str | None = None,
    sessionId: str | None = None,
    fromTimestamp: str | None = None,
    toTimestamp: str | None = None,
    orderBy: str | None = None,
    tags: list[str] = Query(default=[]),  # noqa: B008
    version: str | None = None,
    release: str | None = None,
    environment: list[str] = Query(default=[]),  # noqa: B008
    fields: str | None = None,
    filter: str | None = None,
) -> dict[str, Any]:
    field, descending = order_by(orderBy, _ORDER_FIELDS)
    groups = _fields(fields)
    flt = TraceFilter(
        user_id=userId, name=name, session_id=sessionId, tags=tag_filter(tags),
        from_timestamp=timestamp("fromTimestamp", fromTimestamp), to_timestamp=timestamp("toTimestamp", toTimestamp),
        version=version, release=release, environments=tuple(environment), order_by=field, descending=descending,
        conditions=parse_filter(filter, TRACE_COLUMNS),
    )  # fmt: skip
    flt = filter_wins(flt, _PARAM_COLUMNS)
    result = await ctx.store.list_traces(project, flt, page_request(page, limit))
    children = await ctx.store.child_ids(project, [t.id for t in result.items])
    data = [
        _only(trace_to_wire(t, observations=children.get(t.id, ([], []))[0], scores=children.get(t.id, ([], []))[1]),
              groups)
        for t in result.items
    ]  # fmt: skip
    return {"data": data, "meta": page_meta(result)}


@router.get("/traces/{trace_id}")
async def get_trace(
    trace_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    fields: str | None = None,
) -> dict[str, Any]:
    groups = _fields(fields)
    try:
        detail = await ctx.store.get_trace(project, trace_id)
    except NotFound:
        raise ApiError(404, f"Trace {trace_id} not found within authorized project") from None
    prompts = await prompt_ids(ctx.store, project, detail.observations)
    trace = trace_to_wire(
        detail.trace,
        observations=[observation_to_wire(o, prompt_id(prompts, o)) for o in detail.observations],
        scores=[score_to_wire(s) for s in detail.scores],
    )
    return _only(trace, groups)


@router.delete("/traces/{trace_id}")
async def delete_trace(
    trace_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    await ctx.store.get_trace(project, trace_id)  # 404 when unknown
    await ctx.pipeline.submit([TraceDelete(project, trace_id)])
    return {"message": "Trace deleted successfully"}


@router.delete("/traces")
async def delete_traces(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    payload = await read_json(request, ctx.settings.max_body_bytes)
    ids = payload.get("traceIds") if isinstance(payload, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i and "\x00" not in i for i in ids):
        raise ApiError(400, "traceIds must be a non-empty list of trace ids (without NUL characters)")
    missing = []
    for trace_id in ids:
        try:
            await ctx.store.get_trace(project, trace_id)
        except NotFound:
            missing.append(trace_id)
    await ctx.pipeline.submit([TraceDelete(project, i) for i in ids])
    return {"message": "Traces deleted successfully", "deleted": len(ids) - len(missing), "notFound": missing}
