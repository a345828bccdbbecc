"""`/api/public/observations`: list with Langfuse's v1 filters, get one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.errors import ApiError
from spyglass.api.filters import filter_wins, parse_filter
from spyglass.api.params import page_request, timestamp
from spyglass.api.wire import observation_to_wire, page_meta
from spyglass.domain.filters import OBSERVATION_COLUMNS
from spyglass.domain.model import Level, ObservationType
from spyglass.query.observations import prompt_id, prompt_ids
from spyglass.store.base import ObservationFilter

router = APIRouter()

# ObservationFilter / ObservationQuery fields -> the filter column that overrides them (shared with v2)
PARAM_COLUMNS = {"trace_id": "traceId", "type": "type", "name": "name", "user_id": "userId", "level": "level",
                 "parent_observation_id": "parentObservationId", "from_start_time": "startTime",
                 "to_start_time": "startTime", "version": "version", "environments": "environment",
                 "session_id": "sessionId", "is_root": "isRootObservation"}  # fmt: skip


@router.get("/observations")
async def list_observations(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    page: int | None = None,
    limit: int | None = None,
    name: str | None = None,
    userId: str | None = None,
    type: str | None = None,
    traceId: str | None = None,
    level: str | None = None,
    parentObservationId: str | None = None,
    environment: list[str] = Query(default=[]),  # noqa: B008
    fromStartTime: str | None = None,
    toStartTime: str | None = None,
    version: str | None = None,
    filter: str | None = None,
) -> dict[str, Any]:
    if type is not None and type.upper() not in ObservationType.__members__:
        raise ApiError(400, f"type must be one of {', '.join(ObservationType)}, got {type!r}")
    if level is not None and level.upper() not in Level.__members__:
        raise ApiError(400, f"level must be one of {', '.join(Level)}, got {level!r}")
    flt = ObservationFilter(
        trace_id=traceId, type=type.upper() if type else None, name=name, user_id=userId,
        level=level.upper() if level else None, parent_observation_id=parentObservationId,
        from_start_time=timestamp("fromStartTime", fromStartTime), to_start_time=timestamp("toStartTime", toStartTime),
        version=version, environments=tuple(environment), conditions=parse_filter(filter, OBSERVATION_COLUMNS),
    )  # fmt: skip
    flt = filter_wins(flt, PARAM_COLUMNS)
    result = await ctx.store.list_observations(project, flt, page_request(page, limit))
    prompts = await prompt_ids(ctx.store, project, result.items)
    return {"data": [observation_to_wire(o, prompt_id(prompts, o)) for o in result.items], "meta": page_meta(result)}


@router.get("/observations/{observation_id}")
async def get_observation(
    observation_id: str,
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    observation = await ctx.store.get_observation(project, observation_id)
    prompts = await prompt_ids(ctx.store, project, [observation])
    return observation_to_wire(observation, prompt_id(prompts, observation))
