"""Forms that change data from the UI -> ingest events, sent through the same write pipeline as the API.

An annotation is a score with source ANNOTATION and the signed-in user as author (free-form, or shaped by a score
config). Bookmark and public are trace
upserts with only that field set, so they fold like any other update.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from spyglass.domain.events import ScoreUpsert, TraceUpsert, owner_order
from spyglass.domain.score_configs import ConfigDataType, ScoreConfig
from spyglass.ingest.langfuse import score_upsert
from spyglass.ingest.values import InvalidItem, now_micros

DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN")


def annotation(form: Mapping[str, str], project_id: str, trace_id: str, author_user_id: str) -> ScoreUpsert:
    """The score an add-score form describes; raises InvalidItem naming the bad field."""
    name = form.get("name", "").strip()
    if not name:
        raise InvalidItem("the score needs a name")
    data_type = form.get("data_type", "NUMERIC").upper()
    if data_type not in DATA_TYPES:
        raise InvalidItem(f"the data type must be one of {', '.join(DATA_TYPES)}")
    raw = form.get("value", "").strip()
    if not raw:
        raise InvalidItem("the score needs a value")
    value: float | str
    if data_type == "NUMERIC":
        try:
            value = float(raw)
        except ValueError:
            raise InvalidItem(f"a numeric score needs a number, got {raw[:40]!r}") from None
    elif data_type == "BOOLEAN":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise InvalidItem("a boolean score is true or false")
        value = "true" if raw.lower() in ("true", "1") else "false"
    else:
        value = raw
    body: dict[str, object] = {
        "id": str(uuid.uuid4()), "name": name, "value": value, "dataType": data_type, "traceId": trace_id,
        "source": "ANNOTATION",
    }  # fmt: skip
    if observation_id := form.get("observation_id", "").strip():
        body["observationId"] = observation_id
    if comment := form.get("comment", "").strip():
        body["comment"] = comment
    ts = now_micros()
    event = score_upsert(body, project_id, (ts, f"ui-{body['id']}"), ts)
    return ScoreUpsert(event.project_id, event.id, event.order, {**event.fields, "author_user_id": author_user_id})


def trace_flag(project_id: str, trace_id: str, field: str, on: bool) -> TraceUpsert:
    """Set `bookmarked` or `public` on a trace, newer than anything stored. Sharing is the owner's decision: it is
    ordered after any event an SDK can send, so a later `public: true` from ingestion cannot undo an un-share."""
    ts = now_micros()
    order = owner_order(ts, uuid.uuid4().hex) if field == "public" else (ts, f"ui-{uuid.uuid4()}")
    return TraceUpsert(project_id, trace_id, order, {field: on})


def config_annotation(
    form: Mapping[str, str], config: ScoreConfig, target: Mapping[str, str], author_user_id: str,
    queue_id: str | None = None,
) -> ScoreUpsert:  # fmt: skip
    """The score a config's form describes (source ANNOTATION, on `target`: traceId/observationId/sessionId), checked
    against the config by the same rule as the API; raises InvalidItem naming the problem."""
    raw = form.get("value", "").strip()
    if not raw:
        raise InvalidItem(f"the {config.name} score needs a value")
    value: float | str = raw
    if config.data_type == ConfigDataType.NUMERIC:
        try:
            value = float(raw)
        except ValueError:
            raise InvalidItem(f"{config.name} needs a number, got {raw[:40]!r}") from None
    body: dict[str, object] = {
        "id": str(uuid.uuid4()), "name": config.name, "value": value, "configId": config.id,
        "source": "ANNOTATION", **target,
    }  # fmt: skip
    if comment := form.get("comment", "").strip():
        body["comment"] = comment
    if queue_id:
        body["queueId"] = queue_id
    ts = now_micros()
    event = score_upsert(body, config.project_id, (ts, f"ui-{body['id']}"), ts, {config.id: config})
    return ScoreUpsert(event.project_id, event.id, event.order, {**event.fields, "author_user_id": author_user_id})
