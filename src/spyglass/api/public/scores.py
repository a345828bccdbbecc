"""`/api/public/scores`: create (one object, or the 5.x array), list, get, delete.

The array form answers 202 `{"message": "Accepted"}` when every score was taken, and 207 `{accepted, rejected,
errors}` only when something was rejected (the 5.x SDK logs an error whenever it sees the 207 shape).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from spyglass.api.auth import project_id
from spyglass.api.body import read_json
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.filters import filter_wins, parse_filter
from spyglass.api.params import page_request, timestamp
from spyglass.api.responses import Json
from spyglass.api.wire import page_meta, score_to_wire
from spyglass.domain.events import ScoreDelete, ScoreUpsert
from spyglass.domain.filters import SCORE_COLUMNS
from spyglass.domain.model import ScoreDataType, ScoreSource, Trace
from spyglass.domain.usage import UsageError
from spyglass.ingest.langfuse import Configs, score_upsert
from spyglass.ingest.score_configs import body_config_ids
from spyglass.ingest.values import InvalidItem, now_micros
from spyglass.query.scores import score_traces
from spyglass.store.base import ScoreFilter

router = APIRouter()


def _score(body: Any, project: str, configs: Configs) -> ScoreUpsert:
    if not isinstance(body, Mapping):
        raise InvalidItem("a score must be a JSON object")
    body = dict(body)
    body.setdefault("id", str(uuid.uuid4()))
    ts = now_micros()
    return score_upsert(body, project, (ts, f"api-{body['id']}"), ts, configs)


@router.post("/scores")
async def create_scores(
    request: Request,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Json:
    payload = await read_json(request, ctx.settings.max_body_bytes)
    bodies = payload if isinstance(payload, list) else [payload]
    configs = await ctx.score_configs.resolve(ctx.store.evaluation, project, body_config_ids(bodies))
    if isinstance(payload, Mapping):
        event = _score(payload, project, configs)
        await ctx.pipeline.submit([event])
        return Json({"id": event.id}, status_code=200)
    if not isinstance(payload, list):
        raise ApiError(400, "the body must be a score object or a JSON array of score objects")
    events: list[ScoreUpsert] = []
    positions: list[int] = []
    errors: list[dict[str, str]] = []
    for index, item in enumerate(payload):
        try:
            events.append(_score(item, project, configs))
            positions.append(index)
        except (InvalidItem, UsageError) as exc:
            errors.append({"message": f"scores[{index}]: {exc}"})
    refused = await ctx.pipeline.submit(events, per_event=True)
    for event_index in sorted(refused):
        errors.append({"message": f"scores[{positions[event_index]}]: could not be stored; the server log has why"})
    if errors:
        accepted = len(events) - len(refused)
        return Json({"accepted": accepted, "rejected": len(errors), "errors": errors}, status_code=207)
    return Json({"message": "Accepted"}, status_code=202)


# ScoreFilter fields -> the filter column that overrides them
_PARAM_COLUMNS = {"trace_id": "traceId", "observation_id": "observationId", "session_id": "sessionId", "name": "name",
                  "user_id": "userId", "source": "source", "data_type": "dataType", "from_timestamp": "timestamp",
                  "to_timestamp": "timestamp", "score_ids": "id", "environments": "environment",
                  "config_id": "configId", "dataset_run_id": "datasetRunId", "trace_tags": "traceTags",
                  "value_operator": "value", "value": "value"}  # fmt: skip
_VALUE_OPERATORS = ("=", ">", "<", ">=", "<=", "!=", "<>")
_SCORE_FIELD_GROUPS = ("score", "trace")


def _score_fields(value: str | None) -> set[str]:
    """Langfuse's `fields` of the score list: `score` and `trace` unless told otherwise."""
    asked = {f.strip() for f in (value or "").split(",") if f.strip()} or set(_SCORE_FIELD_GROUPS)
    if unknown := asked - set(_SCORE_FIELD_GROUPS):
        raise ApiError(400, f"unknown field group(s) {sorted(unknown)[:5]}; use any of score, trace")
    return asked | {"score"}


def _trace_group(trace: Trace | None) -> dict[str, Any] | None:
    if trace is None:
        return None
    return {"userId": trace.user_id, "tags": list(trace.tags), "environment": trace.environment,
            "sessionId": trace.session_id}  # fmt: skip


async def _list(
    project: str, ctx: AppContext, page: int | None, limit: int | None, flt: ScoreFilter, groups: set[str]
) -> dict[str, Any]:
    result = await ctx.store.list_scores(project, flt, page_request(page, limit))
    data = [score_to_wire(s) for s in result.items]
    if "trace" in groups:
        traces = await score_traces(ctx.store, project, result.items)
        for item, score in zip(data, result.items, strict=True):
            item["trace"] = _trace_group(traces.get(score.trace_id or ""))
    return {"data": data, "meta": page_meta(result)}


@router.get("/scores")
@router.get("/v2/scores")
async def list_scores(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
    userId: str | None = None,
    name: str | None = None,
    fromTimestamp: str | None = None,
    toTimestamp: str | None = None,
    source: str | None = None,
    dataType: str | None = None,
    traceId: str | None = None,
    observationId: str | None = None,
    sessionId: str | None = None,
    scoreIds: str | None = None,
    environment: list[str] = Query(default=[]),  # noqa: B008
    operator: str | None = None,
    value: float | None = None,
    configId: str | None = None,
    datasetRunId: str | None = None,
    queueId: str | None = None,
    traceTags: list[str] = Query(default=[]),  # noqa: B008
    fields: str | None = None,
    filter: str | None = None,
) -> dict[str, Any]:
    groups = _score_fields(fields)
    if (userId or traceTags) and "trace" not in groups:
        raise ApiError(400, "userId and traceTags filter on the trace: add 'trace' to fields or leave them out")
    if (operator is None) != (value is None):
        raise ApiError(400, "operator and value go together: give both or neither")
    if operator is not None and operator not in _VALUE_OPERATORS:
        raise ApiError(400, f"operator must be one of {', '.join(_VALUE_OPERATORS)}, got {operator[:20]!r}")
    if source is not None and source.upper() not in ScoreSource.__members__:
        raise ApiError(400, f"source must be one of {', '.join(ScoreSource)}, got {source[:40]!r}")
    if dataType is not None and dataType.upper() not in ScoreDataType.__members__:
        raise ApiError(400, f"dataType must be one of {', '.join(ScoreDataType)}, got {dataType[:40]!r}")
    flt = ScoreFilter(
        trace_id=traceId, observation_id=observationId, session_id=sessionId, name=name, user_id=userId,
        source=source.upper() if source else None, data_type=dataType.upper() if dataType else None,
        from_timestamp=timestamp("fromTimestamp", fromTimestamp),
        to_timestamp=timestamp("toTimestamp", toTimestamp),
        score_ids=tuple(i for i in (scoreIds or "").split(",") if i), environments=tuple(environment),
        config_id=configId, dataset_run_id=datasetRunId, trace_tags=tuple(traceTags), value_operator=operator,
        value=value, conditions=parse_filter(filter, SCORE_COLUMNS),
        queue_ids=tuple(i for i in (queueId or "").split(",") if i),
    )  # fmt: skip
    flt = filter_wins(flt, _PARAM_COLUMNS)
    return await _list(project, ctx, page, limit, flt, groups)


@router.get("/scores/{score_id}")
@router.get("/v2/scores/{score_id}")
async def get_score(
    score_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    return score_to_wire(await ctx.store.get_score(project, score_id))


@router.delete("/scores/{score_id}")
async def delete_score(
    score_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> Response:
    await ctx.store.get_score(project, score_id)  # 404 when unknown
    await ctx.pipeline.submit([ScoreDelete(project, score_id)])
    return Response(status_code=204)
