"""Langfuse batch ingestion (`POST /api/public/ingestion`, the 2.x-4.x SDKs) -> domain events.

Each item of the batch is checked on its own: a bad item becomes a per-item error naming the field, and the good
items of the same batch are still accepted. Stray keys (the 2.x SDK leaks snake_case ones) are ignored.
No I/O here; the pipeline writes what this returns.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spyglass.domain.events import Event, ObservationUpsert, ScoreUpsert, TraceUpsert
from spyglass.domain.model import ScoreDataType
from spyglass.domain.score_configs import ScoreConfig, ScoreRejected, score_value
from spyglass.domain.usage import UsageError, normalize_costs, normalize_usage
from spyglass.ingest.values import (
    InvalidItem,
    check_storable,
    json_text,
    model_parameters,
    now_micros,
    opt_bool,
    opt_int,
    opt_level,
    opt_map,
    opt_str,
    opt_tags,
    parse_time,
    req_str,
)

log = logging.getLogger("spyglass.ingest")

OBSERVATION_TYPES: dict[str, str | None] = {
    "span-create": "SPAN",
    "span-update": "SPAN",
    "generation-create": "GENERATION",
    "generation-update": "GENERATION",
    "event-create": "EVENT",
    "observation-create": None,
    "observation-update": None,
}
_CREATES = {"span-create", "generation-create", "event-create", "observation-create"}
KNOWN_TYPES = {"trace-create", "score-create", "sdk-log", *OBSERVATION_TYPES}
_ALL_OBSERVATION_TYPES = {
    "SPAN", "GENERATION", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR", "EMBEDDING", "GUARDRAIL",
}  # fmt: skip


@dataclass(slots=True)
class ItemResult:
    """The outcome of one batch item: 201 or an error status with a message naming the problem."""

    id: str
    status: int
    message: str | None = None


@dataclass(slots=True)
class ParsedBatch:
    events: list[Event] = field(default_factory=list)
    results: list[ItemResult] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)  # per event: the index of its item's result

    @property
    def errors(self) -> list[ItemResult]:
        return [r for r in self.results if r.status >= 400]

    def refuse_events(self, indexes: set[int]) -> None:
        """The store could not write these events: their items become errors (the others stay committed)."""
        for index in indexes:
            result = self.results[self.owners[index]]
            result.status = 400
            result.message = "this item could not be stored; the server log has the reason"


@dataclass(frozen=True, slots=True)
class Limits:
    max_value_bytes: int = 3_500_000


# Score configs by id, as the door resolved them for the scores it is about to parse (see ingest/score_configs.py).
Configs = Mapping[str, ScoreConfig]
NO_CONFIGS: Configs = {}


def parse_batch(payload: Any, project_id: str, limits: Limits = Limits(), configs: Configs = NO_CONFIGS) -> ParsedBatch:
    """Decode a Langfuse ingestion body. Raises InvalidItem when the body itself is not a batch. A score naming a
    `configId` missing from `configs`, or not fitting its config, is that item's 400."""
    if not isinstance(payload, Mapping):
        raise InvalidItem("the body must be a JSON object with a 'batch' list")
    batch = payload.get("batch")
    if not isinstance(batch, list):
        raise InvalidItem("'batch' must be a list of events")
    out = ParsedBatch()
    for index, item in enumerate(batch):
        item_id = item.get("id") if isinstance(item, Mapping) else None
        result_id = item_id if isinstance(item_id, str) and item_id else f"batch[{index}]"
        try:
            events = parse_item(item, project_id, limits, configs)
            for event in events:
                check_storable(event)
        except (InvalidItem, UsageError) as exc:
            out.results.append(ItemResult(result_id, 400, str(exc)))
        except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
            # A value no check above foresaw: still this item's 400, never the whole request's 500.
            log.warning("batch item %s refused: %s: %s", result_id[:100], type(exc).__name__, str(exc)[:200])
            out.results.append(ItemResult(result_id, 400, f"the item has a value this server cannot take: {exc}"[:300]))
        else:
            out.events.extend(events)
            out.owners.extend([len(out.results)] * len(events))
            out.results.append(ItemResult(result_id, 201))
    return out


def parse_item(item: Any, project_id: str, limits: Limits = Limits(), configs: Configs = NO_CONFIGS) -> list[Event]:
    """Decode one envelope `{id, type, timestamp, body}` into its events (none for `sdk-log`)."""
    if not isinstance(item, Mapping):
        raise InvalidItem("each batch item must be an object with id, type, timestamp and body")
    event_id = item.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise InvalidItem("id (the event id) is required and must be a string")
    kind = item.get("type")
    if kind not in KNOWN_TYPES:
        raise InvalidItem(f"type {kind!r} is not a known event type ({', '.join(sorted(KNOWN_TYPES))})"[:300])
    body = item.get("body")
    if not isinstance(body, Mapping):
        raise InvalidItem("body must be an object")
    stamp = item.get("timestamp")
    ts = parse_time(stamp, "timestamp") if stamp is not None else now_micros()
    order = (ts, event_id)
    if kind == "trace-create":
        return [trace_upsert(body, project_id, order, limits)]
    if kind == "score-create":
        return [score_upsert(body, project_id, order, ts, configs)]
    if kind == "sdk-log":
        return []
    return observation_upserts(body, kind, project_id, order, limits)


def trace_upsert(body: Mapping[str, Any], project_id: str, order: tuple[int, str], limits: Limits) -> TraceUpsert:
    trace_id = req_str(body, "id")
    fields: dict[str, Any] = {}
    if (stamp := body.get("timestamp")) is not None:
        fields["timestamp"] = parse_time(stamp, "body.timestamp")
    for key, name in (("name", "name"), ("userId", "user_id"), ("sessionId", "session_id"),
                      ("release", "release"), ("version", "version"), ("environment", "environment")):  # fmt: skip
        if (value := opt_str(body, key)) is not None:
            fields[name] = value
    if (tags := opt_tags(body)) is not None:
        fields["tags"] = tags
    if (public := opt_bool(body, "public")) is not None:
        fields["public"] = public
    _json_fields(body, fields, limits)
    return TraceUpsert(project_id, trace_id, order, fields, weak={"timestamp": order[0]})


def observation_upserts(
    body: Mapping[str, Any], kind: str, project_id: str, order: tuple[int, str], limits: Limits
) -> list[Event]:
    obs_id = req_str(body, "id")
    fields: dict[str, Any] = {}
    weak: dict[str, Any] = {"start_time": order[0]}
    obs_type = OBSERVATION_TYPES[kind]
    if obs_type is None:
        raw_type = body.get("type")
        if raw_type is not None:
            if not isinstance(raw_type, str) or raw_type.upper() not in _ALL_OBSERVATION_TYPES:
                raise InvalidItem(f"body.type {raw_type!r} is not an observation type"[:200])
            obs_type = raw_type.upper()
    if obs_type is not None:
        # Only a create decides the type; an update of another family must not turn a generation into a span.
        (fields if kind in _CREATES else weak)["type"] = obs_type
    trace_id = opt_str(body, "traceId")
    if trace_id:
        fields["trace_id"] = trace_id
    for key, name in (("startTime", "start_time"), ("endTime", "end_time"),
                      ("completionStartTime", "completion_start_time")):  # fmt: skip
        if (value := body.get(key)) is not None:
            fields[name] = parse_time(value, f"body.{key}")
    if kind == "event-create" and "start_time" in fields and "end_time" not in fields:
        fields["end_time"] = fields["start_time"]
    for key, name in (("name", "name"), ("statusMessage", "status_message"), ("version", "version"),
                      ("environment", "environment"), ("parentObservationId", "parent_observation_id"),
                      ("model", "model"), ("promptName", "prompt_name")):  # fmt: skip
        if (value := opt_str(body, key)) is not None:
            fields[name] = value
    if (level := opt_level(body)) is not None:
        fields["level"] = level
    if (version := opt_int(body, "promptVersion")) is not None:
        fields["prompt_version"] = version
    if (params := opt_map(body, "modelParameters")) is not None:
        fields["model_parameters"] = model_parameters(params)
    usage = body.get("usage")
    if usage is not None and not isinstance(usage, Mapping):
        raise InvalidItem("body.usage must be an object")
    details = opt_map(body, "usageDetails")
    if usage or details:
        usage_details, costs = normalize_usage(usage, details)
        if usage_details:
            fields["usage_details"] = usage_details
        if costs:
            fields["cost_details"] = costs
    if (cost_details := opt_map(body, "costDetails")) is not None:
        fields["cost_details"] = normalize_costs(cost_details)
    _json_fields(body, fields, limits)
    events: list[Event] = []
    if trace_id:
        # An observation whose trace does not exist yet creates it implicitly.
        implicit: dict[str, Any] = {"timestamp": fields.get("start_time", order[0])}
        if "environment" in fields:
            implicit["environment"] = fields["environment"]
        events.append(TraceUpsert(project_id, trace_id, order, {}, weak=implicit))
    events.append(ObservationUpsert(project_id, obs_id, order, fields, weak))
    return events


def score_upsert(
    body: Mapping[str, Any], project_id: str, order: tuple[int, str], ts: int, configs: Configs = NO_CONFIGS
) -> ScoreUpsert:
    """A score-create body. Shared with `POST /api/public/scores` and the UI's annotation forms."""
    score_id = req_str(body, "id")
    fields: dict[str, Any] = {"name": req_str(body, "name")}
    if "value" not in body or body["value"] is None:
        raise InvalidItem("body.value is required")
    data_type = opt_str(body, "dataType")
    if data_type is not None:
        data_type = data_type.upper()
        if data_type not in ScoreDataType.__members__:
            raise InvalidItem(f"body.dataType must be one of {', '.join(ScoreDataType)}, got {data_type!r}"[:200])
    config_id = opt_str(body, "configId")
    if config_id is not None:
        _configured_value(body["value"], data_type, config_id, configs, fields)
    else:
        _plain_value(body["value"], data_type, fields)
    for key, name in (("traceId", "trace_id"), ("observationId", "observation_id"), ("sessionId", "session_id"),
                      ("datasetRunId", "dataset_run_id"), ("comment", "comment"), ("configId", "config_id"),
                      ("environment", "environment"), ("source", "source"), ("queueId", "queue_id")):  # fmt: skip
        if (text := opt_str(body, key)) is not None:
            fields[name] = text
    if "source" in fields and fields["source"] not in ("API", "ANNOTATION", "EVAL"):
        raise InvalidItem("body.source must be one of API, ANNOTATION, EVAL")
    if not any(k in fields for k in ("trace_id", "observation_id", "session_id", "dataset_run_id")):
        raise InvalidItem("a score needs a target: body.traceId, observationId, sessionId or datasetRunId")
    if (meta := body.get("metadata")) is not None:
        fields["metadata"] = meta
    stamp = body.get("timestamp")
    fields["timestamp"] = parse_time(stamp, "body.timestamp") if stamp is not None else ts
    score = ScoreUpsert(project_id, score_id, order, fields)
    check_storable(score)
    return score


def _configured_value(
    value: Any, data_type: str | None, config_id: str, configs: Configs, fields: dict[str, Any]
) -> None:
    """A score naming a config takes the config's name and data type; its value must fit the config."""
    config = configs.get(config_id)
    if config is None:
        raise InvalidItem(f"body.configId {config_id[:80]!r} is not a score config of this project")
    try:
        fields["data_type"], fields["value"], string_value = score_value(config, value, data_type)
    except ScoreRejected as exc:
        raise InvalidItem(f"body.value: {exc}") from None
    fields["name"] = config.name
    if string_value is not None:
        fields["string_value"] = string_value


def _plain_value(value: Any, data_type: str | None, fields: dict[str, Any]) -> None:
    if isinstance(value, bool):
        value = 1.0 if value else 0.0
        data_type = data_type or "BOOLEAN"
    if isinstance(value, (int, float)):
        if data_type in ("CATEGORICAL", "TEXT"):
            fields["string_value"] = str(value)
        else:
            if data_type == "BOOLEAN" and value not in (0, 1):
                raise InvalidItem("body.value must be 0 or 1 for a BOOLEAN score")
            number = float(value)
            if not math.isfinite(number):
                raise InvalidItem(f"body.value must be a finite number, got {value!r}"[:200])
            fields["value"] = number
        fields["data_type"] = data_type or "NUMERIC"
    elif isinstance(value, str):
        if data_type in (None, "CATEGORICAL", "TEXT", "CORRECTION"):
            fields["string_value"] = value
            fields["data_type"] = data_type or "CATEGORICAL"
        elif data_type == "BOOLEAN" and value.lower() in ("true", "false"):
            fields["value"] = 1.0 if value.lower() == "true" else 0.0
            fields["string_value"] = value.lower()
            fields["data_type"] = "BOOLEAN"
        else:
            raise InvalidItem(f"body.value must be a number for a {data_type} score, got a string")
    else:
        raise InvalidItem(f"body.value must be a number or a string, got {type(value).__name__}")
    if fields["data_type"] == "BOOLEAN" and "string_value" not in fields:
        fields["string_value"] = "True" if fields["value"] else "False"


def _json_fields(body: Mapping[str, Any], fields: dict[str, Any], limits: Limits) -> None:
    for key in ("input", "output"):
        if (value := body.get(key)) is not None:
            fields[key] = json_text(value, f"body.{key}", limits.max_value_bytes)
    if (meta := body.get("metadata")) is not None:
        json_text(meta, "body.metadata", limits.max_value_bytes)
        fields["metadata"] = meta
