"""`GET /api/public/v2/observations`: cursor paging, `fields` groups and the structured `filter` (the 5.x client).

Shapes follow Langfuse's API definition (ObservationsV2Response): `{"data": [...], "meta": {"cursor"}}`, where each
observation holds the `core` fields plus the requested groups, and input/output come back as raw strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query

from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.cursors import decode_cursor, encode_cursor
from spyglass.api.errors import ApiError
from spyglass.api.filters import filter_wins, parse_filter
from spyglass.api.params import timestamp
from spyglass.api.public.observations import PARAM_COLUMNS
from spyglass.api.wire import iso
from spyglass.domain.cursor_pages import ObservationQuery, TracedObservation
from spyglass.domain.filters import OBSERVATION_COLUMNS
from spyglass.domain.model import Level, ObservationType
from spyglass.domain.usage import token_totals
from spyglass.query.observations import prompt_id, prompt_ids

router = APIRouter()

GROUPS = ("core", "basic", "time", "io", "metadata", "model", "usage", "prompt", "metrics", "trace_context")
MAX_LIMIT = 1000
METADATA_PREVIEW = 200


def _groups(fields: str | None) -> set[str]:
    if not fields:
        return {"core", "basic"}
    asked = {f.strip() for f in fields.split(",") if f.strip()}
    unknown = asked - set(GROUPS)
    if unknown:
        raise ApiError(400, f"unknown field group(s) {sorted(unknown)}; use any of {', '.join(GROUPS)}")
    return asked | {"core"}


def _raw_io(value: Any) -> str | None:
    """Langfuse v2 returns input/output as the stored string: text as is, anything else as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _metadata(value: Any, expand: set[str]) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        text = item if isinstance(item, str) else None
        if key not in expand:
            text = text if text is not None else orjson.dumps(item).decode()
            if len(text) > METADATA_PREVIEW:
                out[key] = text[:METADATA_PREVIEW]
                continue
        out[key] = item
    return out


def to_wire(item: TracedObservation, groups: set[str], expand: set[str], prompt: str | None = None) -> dict[str, Any]:
    obs = item.observation
    out: dict[str, Any] = {
        "id": obs.id, "traceId": obs.trace_id, "startTime": iso(obs.start_time), "endTime": iso(obs.end_time),
        "projectId": obs.project_id, "parentObservationId": obs.parent_observation_id, "type": obs.type,
        "modelId": None, "inputPrice": None, "outputPrice": None, "totalPrice": None,
    }  # fmt: skip
    if "basic" in groups:
        out.update({
            "name": obs.name, "level": obs.level, "statusMessage": obs.status_message, "version": obs.version,
            "environment": obs.environment, "bookmarked": item.bookmarked, "public": item.public,
            "userId": item.user_id, "sessionId": item.session_id,
            "isRootObservation": obs.parent_observation_id is None,
        })  # fmt: skip
    if "time" in groups:
        out.update({"completionStartTime": iso(obs.completion_start_time), "createdAt": iso(obs.created_at),
                    "updatedAt": iso(obs.updated_at)})  # fmt: skip
    if "io" in groups:
        out.update({"input": _raw_io(obs.input), "output": _raw_io(obs.output)})
    if "metadata" in groups:
        out["metadata"] = _metadata(obs.metadata, expand)
    if "model" in groups:
        out.update({"model": obs.model, "providedModelName": obs.model, "internalModelId": None,
                    "modelParameters": obs.model_parameters})  # fmt: skip
    if "usage" in groups:
        out.update({"usageDetails": obs.usage_details, "costDetails": obs.cost_details,
                    "totalCost": obs.cost_details.get("total"), "usagePricingTierName": None})  # fmt: skip
    if "prompt" in groups:
        out.update({"promptId": prompt, "promptName": obs.prompt_name, "promptVersion": obs.prompt_version})
    if "metrics" in groups:
        out.update({"latency": obs.latency_seconds, "timeToFirstToken": obs.time_to_first_token_seconds})
    if "trace_context" in groups:
        out.update({"tags": list(item.tags), "release": item.release, "traceName": item.trace_name})
    if "usage" in groups or "metrics" in groups:
        inp, output, total = token_totals(obs.usage_details)
        out.update({"inputTokens": inp, "outputTokens": output, "totalTokens": total})
    return out


def _upper(name: str, value: str | None, allowed: type[Level] | type[ObservationType]) -> str | None:
    if value is None:
        return None
    if value.upper() not in allowed.__members__:
        raise ApiError(400, f"{name} must be one of {', '.join(allowed)}, got {value!r}"[:300])
    return value.upper()


@router.get("/v2/observations")
async def list_observations_v2(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    fields: str | None = None,
    expandMetadata: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    parseIoAsJson: bool | None = None,
    name: str | None = None,
    userId: str | None = None,
    sessionId: str | None = None,
    type: str | None = None,
    traceId: str | None = None,
    level: str | None = None,
    parentObservationId: str | None = None,
    isRootObservation: bool | None = None,
    environment: list[str] = Query(default=[]),  # noqa: B008
    fromStartTime: str | None = None,
    toStartTime: str | None = None,
    version: str | None = None,
    filter: str | None = None,
) -> dict[str, Any]:
    if parseIoAsJson:
        raise ApiError(400, "parseIoAsJson is deprecated: input and output are always returned as raw strings")
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    groups = _groups(fields)
    starts: tuple[datetime | None, datetime | None] = (
        timestamp("fromStartTime", fromStartTime), timestamp("toStartTime", toStartTime),
    )  # fmt: skip
    query = ObservationQuery(
        name=name, user_id=userId, session_id=sessionId, type=_upper("type", type, ObservationType),
        trace_id=traceId, level=_upper("level", level, Level), parent_observation_id=parentObservationId,
        is_root=isRootObservation, environments=tuple(e for v in environment for e in v.split(",") if e),
        from_start_time=starts[0], to_start_time=starts[1], version=version,
        conditions=parse_filter(filter, OBSERVATION_COLUMNS),
    )  # fmt: skip
    query = filter_wins(query, PARAM_COLUMNS)
    page = await ctx.store.list_observations_v2(project, query, decode_cursor(cursor), limit)
    expand = {k.strip() for k in (expandMetadata or "").split(",") if k.strip()}
    meta: dict[str, Any] = {"limit": limit}
    if page.next is not None:
        meta["cursor"] = encode_cursor(page.next)
    prompts = await prompt_ids(ctx.store, project, [i.observation for i in page.items]) if "prompt" in groups else {}
    data = [to_wire(item, groups, expand, prompt_id(prompts, item.observation)) for item in page.items]
    return {"data": data, "meta": meta}
