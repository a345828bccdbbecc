"""`/api/public/metrics` and `/api/public/v2/metrics` (Langfuse's metrics query API: a JSON query object in `query`),
`/api/public/metrics/daily` (Langfuse's daily metrics) and `/api/public/metrics/costs` (a Spyglass extension: cost
and token totals per session, user, model, trace name or day)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.params import page_request, tag_filter, timestamp
from spyglass.api.wire import page_meta
from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, ModelUsage
from spyglass.domain.metrics import InvalidMetricsQuery, parse_metrics_query
from spyglass.query.metrics import row_to_wire, run_query
from spyglass.store.base import TraceFilter

router = APIRouter()

_GROUPS = {"session": CostGroup.SESSION, "sessionId": CostGroup.SESSION, "user": CostGroup.USER,
           "userId": CostGroup.USER, "model": CostGroup.MODEL, "traceName": CostGroup.TRACE_NAME,
           "trace_name": CostGroup.TRACE_NAME, "name": CostGroup.TRACE_NAME, "day": CostGroup.DAY}  # fmt: skip


def _filter(
    trace_name: str | None,
    user_id: str | None,
    tags: list[str],
    environment: list[str],
    from_timestamp: str | None,
    to_timestamp: str | None,
) -> TraceFilter:
    return TraceFilter(
        name=trace_name, user_id=user_id, tags=tag_filter(tags), environments=tuple(environment),
        from_timestamp=timestamp("fromTimestamp", from_timestamp), to_timestamp=timestamp("toTimestamp", to_timestamp),
    )  # fmt: skip


async def _metrics(ctx: AppContext, project: str, query: str | None, version: int) -> dict[str, Any]:
    if not query:
        raise ApiError(400, "query is required: a URL-encoded JSON object with view, metrics, fromTimestamp and "
                            "toTimestamp")  # fmt: skip
    try:
        parsed = parse_metrics_query(query, version=version)
    except InvalidMetricsQuery as exc:
        raise ApiError(400, str(exc)) from None
    return {"data": [row_to_wire(r) for r in await run_query(ctx.store, project, parsed)]}


@router.get("/metrics")
async def metrics_v1(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    query: str | None = None,
) -> dict[str, Any]:
    return await _metrics(ctx, project, query, 1)


@router.get("/v2/metrics")
async def metrics_v2(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    query: str | None = None,
) -> dict[str, Any]:
    return await _metrics(ctx, project, query, 2)


@router.get("/metrics/daily")
async def daily_metrics(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
    traceName: str | None = None,
    userId: str | None = None,
    tags: list[str] = Query(default=[]),  # noqa: B008
    environment: list[str] = Query(default=[]),  # noqa: B008
    fromTimestamp: str | None = None,
    toTimestamp: str | None = None,
) -> dict[str, Any]:
    flt = _filter(traceName, userId, tags, environment, fromTimestamp, toTimestamp)
    result = await ctx.store.daily_metrics(project, flt, page_request(page, limit))
    return {"data": [daily_to_wire(d) for d in result.items], "meta": page_meta(result)}


@router.get("/metrics/costs")
async def cost_rollups(
    groupBy: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    limit: int = 100,
    traceName: str | None = None,
    userId: str | None = None,
    tags: list[str] = Query(default=[]),  # noqa: B008
    environment: list[str] = Query(default=[]),  # noqa: B008
    fromTimestamp: str | None = None,
    toTimestamp: str | None = None,
) -> dict[str, Any]:
    group = _GROUPS.get(groupBy)
    if group is None:
        raise ApiError(400, f"groupBy must be one of session, user, model, traceName, day; got {groupBy!r}"[:200])
    if not 1 <= limit <= 1000:
        raise ApiError(400, f"limit must be between 1 and 1000, got {limit}")
    flt = _filter(traceName, userId, tags, environment, fromTimestamp, toTimestamp)
    rows = await ctx.store.cost_rollups(project, group, flt, limit)
    return {"groupBy": group.value, "data": [rollup_to_wire(r) for r in rows]}


def _usage_to_wire(usage: ModelUsage) -> dict[str, Any]:
    return {
        "model": usage.model,
        "inputUsage": usage.input_usage,
        "outputUsage": usage.output_usage,
        "totalUsage": usage.total_usage,
        "countTraces": usage.count_traces,
        "countObservations": usage.count_observations,
        "totalCost": usage.total_cost,
    }


def daily_to_wire(day: DailyMetrics) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "countTraces": day.count_traces,
        "countObservations": day.count_observations,
        "totalCost": day.total_cost,
        "usage": [_usage_to_wire(u) for u in day.usage],
    }


def rollup_to_wire(row: CostRollup) -> dict[str, Any]:
    return {
        "key": row.key,
        "countTraces": row.count_traces,
        "countObservations": row.count_observations,
        "inputTokens": row.input_tokens,
        "outputTokens": row.output_tokens,
        "totalTokens": row.total_tokens,
        "totalCost": row.total_cost,
    }
