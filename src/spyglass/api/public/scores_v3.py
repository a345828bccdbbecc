"""`GET /api/public/v3/scores`: cursor-paged scores with a typed `value` (the 5.x client's `api.scores.get_many`).

Shapes follow Langfuse's API definition (GetScoresV3Response): core fields always, `details`, `subject` and
`annotation` groups on request; `value` is a number (NUMERIC), a boolean (BOOLEAN) or a string (the others).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from spyglass.api.auth import project_id
from spyglass.api.context import AppContext, context
from spyglass.api.cursors import decode_cursor, encode_cursor
from spyglass.api.errors import ApiError
from spyglass.api.params import timestamp
from spyglass.api.wire import iso, metadata_map
from spyglass.domain.cursor_pages import ScoreQuery
from spyglass.domain.model import Score, ScoreDataType

router = APIRouter()

GROUPS = ("details", "subject", "annotation")
MAX_LIMIT = 100


def _list(value: str | None, *, upper: bool = False) -> tuple[str, ...]:
    items = tuple(v.strip() for v in (value or "").split(",") if v.strip())
    return tuple(v.upper() for v in items) if upper else items


def _value(score: Score) -> Any:
    if score.data_type == "NUMERIC":
        return score.value
    if score.data_type == "BOOLEAN":
        return bool(score.value)
    return score.string_value


def _subject(score: Score) -> dict[str, Any] | None:
    if score.observation_id:
        return {"kind": "observation", "id": score.observation_id, "traceId": score.trace_id}
    if score.trace_id:
        return {"kind": "trace", "id": score.trace_id}
    if score.session_id:
        return {"kind": "session", "id": score.session_id}
    if score.dataset_run_id:
        return {"kind": "experiment", "id": score.dataset_run_id}
    return None


def to_wire(score: Score, groups: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": score.id, "projectId": score.project_id, "name": score.name, "value": _value(score),
        "dataType": score.data_type, "source": score.source, "timestamp": iso(score.timestamp),
        "environment": score.environment, "createdAt": iso(score.created_at), "updatedAt": iso(score.updated_at),
    }  # fmt: skip
    if "details" in groups:
        out.update({"comment": score.comment, "configId": score.config_id,
                    "metadata": metadata_map(score.metadata)})  # fmt: skip
    if "subject" in groups:
        out["subject"] = _subject(score)
    if "annotation" in groups:
        out.update({"authorUserId": score.author_user_id, "queueId": score.queue_id})
    return out


def _values(raw: str | None, data_types: tuple[str, ...]) -> tuple[float | str, ...]:
    if raw is None:
        return ()
    if len(data_types) != 1 or data_types[0] not in ("NUMERIC", "BOOLEAN", "CATEGORICAL"):
        raise ApiError(400, "value needs exactly one dataType of NUMERIC, BOOLEAN or CATEGORICAL")
    out: list[float | str] = []
    for item in _list(raw):
        if data_types[0] == "BOOLEAN":
            if item.lower() not in ("true", "false"):
                raise ApiError(400, f"a BOOLEAN value must be true or false, got {item!r}")
            out.append(1.0 if item.lower() == "true" else 0.0)
        elif data_types[0] == "NUMERIC":
            try:
                out.append(float(item))
            except ValueError:
                raise ApiError(400, f"a NUMERIC value must be a number, got {item!r}") from None
        else:
            out.append(item)
    return tuple(out)


@router.get("/v3/scores")
async def list_scores_v3(
    project: str = Depends(project_id),
    ctx: AppContext = Depends(context),  # noqa: B008
    limit: int = 50,
    cursor: str | None = None,
    fields: str | None = None,
    id: str | None = None,
    name: str | None = None,
    source: str | None = None,
    dataType: str | None = None,
    environment: str | None = None,
    configId: str | None = None,
    queueId: str | None = None,
    authorUserId: str | None = None,
    value: str | None = None,
    valueMin: float | None = None,
    valueMax: float | None = None,
    traceId: str | None = None,
    sessionId: str | None = None,
    observationId: str | None = None,
    experimentId: str | None = None,
    fromTimestamp: str | None = None,
    toTimestamp: str | None = None,
) -> dict[str, Any]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    groups = set(_list(fields))
    if unknown := groups - set(GROUPS):
        raise ApiError(400, f"unknown field group(s) {sorted(unknown)}; use any of {', '.join(GROUPS)}")
    data_types = _list(dataType, upper=True)
    if bad := [d for d in data_types if d not in ScoreDataType.__members__]:
        raise ApiError(400, f"dataType {bad[0]!r} is not one of {', '.join(ScoreDataType)}")
    if (valueMin is not None or valueMax is not None) and data_types != ("NUMERIC",):
        raise ApiError(400, "valueMin and valueMax need dataType=NUMERIC")
    if observationId and not traceId:
        raise ApiError(400, "observationId needs traceId: observation ids are scoped to a trace")
    if sessionId and (traceId or observationId or experimentId):
        raise ApiError(400, "sessionId cannot be combined with traceId, observationId or experimentId")
    if experimentId and (traceId or observationId):
        raise ApiError(400, "experimentId cannot be combined with traceId or observationId")
    meta: dict[str, Any] = {"limit": limit}
    query = ScoreQuery(
        ids=_list(id), names=_list(name), sources=_list(source, upper=True), data_types=data_types,
        environments=_list(environment), config_ids=_list(configId), queue_ids=_list(queueId),
        author_user_ids=_list(authorUserId),
        values=_values(value, data_types), value_min=valueMin, value_max=valueMax, trace_ids=_list(traceId),
        session_ids=_list(sessionId), observation_ids=_list(observationId), dataset_run_ids=_list(experimentId),
        from_timestamp=timestamp("fromTimestamp", fromTimestamp), to_timestamp=timestamp("toTimestamp", toTimestamp),
    )  # fmt: skip
    page = await ctx.store.list_scores_v3(project, query, decode_cursor(cursor), limit)
    if page.next is not None:
        meta["cursor"] = encode_cursor(page.next)
    return {"data": [to_wire(score, groups) for score in page.items], "meta": meta}
