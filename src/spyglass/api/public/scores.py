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
from spyglass.api.params import page_request, timestamp
from spyglass.api.responses import Json
from spyglass.api.wire import page_meta, score_to_wire
from spyglass.domain.events import ScoreDelete, ScoreUpsert
from spyglass.domain.usage import UsageError
from spyglass.ingest.langfuse import Configs, score_upsert
from spyglass.ingest.score_configs import body_config_ids
from spyglass.ingest.values import InvalidItem, now_micros
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
    errors: list[dict[str, str]] = []
    for index, item in enumerate(payload):
        try:
            events.append(_score(item, project, configs))
        except (InvalidItem, UsageError) as exc:
            errors.append({"message": f"scores[{index}]: {exc}"})
    await ctx.pipeline.submit(events)
    if errors:
        return Json({"accepted": len(events), "rejected": len(errors), "errors": errors}, status_code=207)
    return Json({"message": "Accepted"}, status_code=202)


async def _list(project: str, ctx: AppContext, page: int | None, limit: int | None, flt: ScoreFilter) -> dict[str, Any]:
    result = await ctx.store.list_scores(project, flt, page_request(page, limit))
    return {"data": [score_to_wire(s) for s in result.items], "meta": page_meta(result)}


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
    queueId: str | None = None,
) -> dict[str, Any]:
    flt = ScoreFilter(
        trace_id=traceId, observation_id=observationId, session_id=sessionId, name=name, user_id=userId,
        source=source, data_type=dataType, from_timestamp=timestamp("fromTimestamp", fromTimestamp),
        to_timestamp=timestamp("toTimestamp", toTimestamp),
        score_ids=tuple(i for i in (scoreIds or "").split(",") if i), environments=tuple(environment),
        queue_ids=tuple(i for i in (queueId or "").split(",") if i),
    )  # fmt: skip
    return await _list(project, ctx, page, limit, flt)


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
