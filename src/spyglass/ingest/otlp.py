"""OTLP trace requests (the 3.x-5.x Langfuse SDKs, any OTel exporter) -> the same events as the batch door.

A span is an observation (id = span id) of the trace with the same id. Trace fields come from `langfuse.trace.*`,
`user.id` and `session.id` on any span of the trace: 3.x sets them on one span, 4.x/5.x copy them onto every span,
and they fold into one trace because each span's upsert is ordered by (span end time, span id), so the result does
not depend on arrival order. A root span (no parent, or `langfuse.internal.as_root`) names the trace below any
explicit `langfuse.trace.name` and lends it its input/output as weak values, which `langfuse.trace.*` overrides.

Metadata values are encoded differently by each SDK generation; `_Scope.metadata_value` gives back what the caller
passed, so a trace stores the same values whichever SDK recorded it. See docs/api-compatibility.md for the table.
No I/O here; the route submits what this returns to the pipeline.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spyglass.domain.datasets import RunItemLink
from spyglass.domain.events import WEAK, Event, ObservationUpsert, Order, TraceUpsert
from spyglass.domain.model import LEVEL_RANK, ObservationType
from spyglass.domain.usage import UsageError, normalize_costs, normalize_usage
from spyglass.ingest.langfuse import Limits
from spyglass.ingest.otlp_decode import (
    STATUS_ERROR,
    ScopeSpans,
    SpanData,
    SpanError,
    decode_json,
    decode_protobuf,
)
from spyglass.ingest.otlp_experiments import earliest, experiment_link
from spyglass.ingest.otlp_genai import CONSUMED_KEYS, CONSUMED_PREFIXES, GenAiFields, genai_fields, loads_lenient
from spyglass.ingest.values import (
    InvalidItem,
    bounded_time,
    check_storable,
    json_text,
    micros,
    model_parameters,
    opt_int,
)

log = logging.getLogger("spyglass.ingest")

LANGFUSE_SCOPE = "langfuse-sdk"
MAX_ATTRIBUTE_KEY = 1024
_OBS = "langfuse.observation."
_OBS_META = "langfuse.observation.metadata."
_TRACE_META = "langfuse.trace.metadata."
_EXPERIMENT = "langfuse.experiment."
_TYPES = frozenset(t.value for t in ObservationType)
DEFAULT_LIMITS = Limits()
_PLAIN_KEYS = frozenset({"user.id", "session.id"})
_JSON_EXPERIMENT_KEYS = ("metadata", "expected_output")


@dataclass(slots=True)
class OtlpResult:
    """Events to submit, dataset run links of experiment spans, how many spans were taken, and one message per
    rejected span."""

    events: list[Event] = field(default_factory=list)
    links: list[RunItemLink] = field(default_factory=list)
    accepted: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def refuse_events(self, indexes: set[int]) -> None:
        """The store could not write these events: each becomes a rejection (the others stay committed)."""
        for index in sorted(indexes):
            event = self.events[index]
            if isinstance(event, ObservationUpsert):
                self.accepted -= 1
                self.errors.append(f"span {event.id}: could not be stored; the server log has the reason")
            else:
                self.errors.append(f"trace {event.id}: its fields could not be stored; the server log has the reason")


def decode_request(body: bytes, json_body: bool, project_id: str, limits: Limits = DEFAULT_LIMITS) -> OtlpResult:
    """Decode an ExportTraceServiceRequest body (protobuf, or OTLP/JSON when `json_body`) into events.

    Raises OtlpDecodeError when the body cannot be read at all. A span that is invalid (bad ids, no start time,
    a value over `limits.max_value_bytes`) is left out and reported in `errors`; the other spans are kept.
    """
    groups = decode_json(body) if json_body else decode_protobuf(body)
    return spans_to_events(groups, project_id, limits)


def spans_to_events(groups: list[ScopeSpans], project_id: str, limits: Limits = DEFAULT_LIMITS) -> OtlpResult:
    result = OtlpResult()
    traces: dict[str, list[TraceUpsert]] = defaultdict(list)
    links: dict[tuple[str, str | None, str], RunItemLink] = {}
    rooted: set[tuple[str, str | None, str]] = set()
    sent = {span.span_id for group in groups for span in group.spans if isinstance(span, SpanData)}
    for group in groups:
        scope = _Scope(group)
        for span in group.spans:
            if isinstance(span, SpanError):
                result.errors.append(span.message)
                continue
            try:
                orphan = span.parent_span_id is not None and span.parent_span_id not in sent
                trace_upserts, observation = span_events(span, scope, project_id, limits, orphan=orphan)
                check_storable(observation)
                for upsert in trace_upserts:
                    check_storable(upsert)
            except (InvalidItem, UsageError) as exc:
                result.errors.append(f"span {span.span_id} ({span.name[:80]!r}): {exc}")
                continue
            except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
                # A value no check foresaw: still this span's rejection, never the whole request's 500.
                log.warning("span %s refused: %s: %s", span.span_id, type(exc).__name__, str(exc)[:200])
                result.errors.append(f"span {span.span_id}: a value this server cannot take: {exc}"[:300])
                continue
            traces[span.trace_id].extend(trace_upserts)
            result.events.append(observation)
            result.accepted += 1
            link = experiment_link(span.attributes, span.trace_id, _nanos_to_micros(span.start_ns))
            if link is not None:
                key = (span.trace_id, link.run_id, link.dataset_item_id)
                if span.span_id == link.observation_id:  # the item's own span: its start is when the item ran
                    links[key] = link
                    rooted.add(key)
                elif key not in rooted:
                    links[key] = earliest(links.get(key), link)
    result.links.extend(links.values())
    for upserts in traces.values():
        result.events.extend(compact_trace_upserts(upserts))
    return result


class _Scope:
    """What a span's resource and instrumentation scope decide: metadata decoding, defaults, provenance."""

    __slots__ = ("environment", "json_metadata", "langfuse", "provenance", "release")

    def __init__(self, group: ScopeSpans) -> None:
        resource = group.resource
        self.langfuse = group.scope_name == LANGFUSE_SCOPE
        python = "public_key" in group.scope_attributes or resource.get("telemetry.sdk.language") == "python"
        # The Python SDK from 5.0 JSON-encodes every metadata value, strings included ("seed" -> "\"seed\"");
        # 3.x/4.x and the JS SDKs send strings raw (docs/api-compatibility.md, "Metadata values").
        self.json_metadata = self.langfuse and python and _major(group.scope_version) >= 5
        environment = _first_str(resource, "langfuse.environment", "deployment.environment.name",
                                 "deployment.environment")  # fmt: skip
        self.environment = environment
        self.release = _first_str(resource, "langfuse.release")
        scope: dict[str, Any] = {"name": group.scope_name, "version": group.scope_version}
        if group.scope_attributes:
            scope["attributes"] = group.scope_attributes
        self.provenance: dict[str, Any] = {"resourceAttributes": resource, "scope": scope}

    def metadata_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if self.json_metadata:
            return loads_lenient(value)
        stripped = value.lstrip()
        if stripped.startswith(("{", "[")):
            return loads_lenient(value)
        return value


def _major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def _first_str(attrs: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = attrs.get(key)
        if value is not None and value != "":
            return str(value)
    return None


def _nanos_to_micros(value: int) -> int:
    return value // 1000


def _json_value(value: Any, what: str, limits: Limits) -> str:
    """An input/output attribute: a string holding JSON is that JSON, other text is a string."""
    return json_text(loads_lenient(value), what, limits.max_value_bytes)


def _time(value: Any, what: str) -> int:
    """`completion_start_time` arrives as a JSON string (note the quotes) or a bare ISO string."""
    parsed = loads_lenient(value)
    if isinstance(parsed, str):
        try:
            moment = datetime.fromisoformat(parsed)
        except ValueError:
            pass
        else:
            return bounded_time(micros(moment), what, parsed)
    raise InvalidItem(f"{what} is not an ISO-8601 timestamp: {str(value)[:60]!r}")


def _map(value: Any, what: str) -> dict[str, Any]:
    parsed = loads_lenient(value)
    if not isinstance(parsed, dict):
        raise InvalidItem(f"{what} must be a JSON object, got {str(value)[:60]!r}")
    return parsed


@dataclass(slots=True)
class _Parts:
    """A span's attributes sorted in one pass: metadata keys, experiment keys, the rest."""

    observation_metadata: dict[str, Any] = field(default_factory=dict)
    trace_metadata: dict[str, Any] = field(default_factory=dict)
    experiment: dict[str, Any] = field(default_factory=dict)
    unmapped: dict[str, Any] = field(default_factory=dict)
    foreign: bool = False  # any attribute that is neither `langfuse.*` nor user.id / session.id


def _split(attrs: Mapping[str, Any], scope: _Scope) -> _Parts:
    parts = _Parts()
    for key, value in attrs.items():
        if len(key) > MAX_ATTRIBUTE_KEY:
            raise InvalidItem(f"attribute key of {len(key)} characters is over the {MAX_ATTRIBUTE_KEY}-character limit")
        if key.startswith("langfuse."):
            if key.startswith(_OBS_META):
                parts.observation_metadata[key[len(_OBS_META) :]] = scope.metadata_value(value)
            elif key.startswith(_TRACE_META):
                parts.trace_metadata[key[len(_TRACE_META) :]] = scope.metadata_value(value)
            elif key.startswith(_EXPERIMENT):
                name = key[len(_EXPERIMENT) :]
                parts.experiment[name] = loads_lenient(value) if name.endswith(_JSON_EXPERIMENT_KEYS) else value
        elif key not in _PLAIN_KEYS:
            parts.foreign = True
            if key not in CONSUMED_KEYS and not key.startswith(CONSUMED_PREFIXES):
                parts.unmapped[key] = value
    return parts


def span_events(
    span: SpanData, scope: _Scope, project_id: str, limits: Limits, *, orphan: bool = False
) -> tuple[list[TraceUpsert], ObservationUpsert]:
    """The trace upserts and the observation upsert of one span. Raises InvalidItem naming the attribute.

    `orphan`: the span's parent is not in the same request (it may come later, or never, as with a JS span started
    under a remote parent): such a span names the trace only until a root span does.
    """
    attrs = span.attributes
    parts = _split(attrs, scope)
    if span.start_ns <= 0:
        raise InvalidItem("startTimeUnixNano is required")
    start = bounded_time(_nanos_to_micros(span.start_ns), "startTimeUnixNano", span.start_ns)
    end = bounded_time(_nanos_to_micros(span.end_ns), "endTimeUnixNano", span.end_ns) if span.end_ns > 0 else None
    order: Order = (end if end is not None else start, span.span_id)
    genai = genai_fields(attrs, span.events) if parts.foreign or span.events else _plain_genai(attrs)
    fields: dict[str, Any] = {"trace_id": span.trace_id, "name": span.name, "start_time": start}
    if end is not None:
        fields["end_time"] = max(end, start)
    as_root = attrs.get("langfuse.internal.as_root") is True
    is_root = span.parent_span_id is None or as_root
    if span.parent_span_id is not None and not as_root:
        fields["parent_observation_id"] = span.parent_span_id

    raw_type = attrs.get(_OBS + "type")
    obs_type = str(raw_type).upper() if raw_type is not None else None
    if obs_type not in _TYPES:
        obs_type = genai.type or "SPAN"
    fields["type"] = obs_type

    environment = _first_str(attrs, "langfuse.environment") or scope.environment
    if environment is not None:
        fields["environment"] = environment
    version = _first_str(attrs, "langfuse.version")
    if version is not None:
        fields["version"] = version
    _level_and_status(span, fields)

    model = _first_str(attrs, _OBS + "model.name") or genai.model
    if model is not None:
        fields["model"] = model
    params: dict[str, Any] = dict(genai.model_parameters)
    if (raw := attrs.get(_OBS + "model.parameters")) is not None:
        params.update(_map(raw, "langfuse.observation.model.parameters"))
    if params:
        fields["model_parameters"] = model_parameters(params)
    usage_raw = attrs.get(_OBS + "usage_details")
    usage = _map(usage_raw, "langfuse.observation.usage_details") if usage_raw is not None else genai.usage
    if usage:
        usage_details, _ = normalize_usage(None, usage)
        if usage_details:
            fields["usage_details"] = usage_details
    if (raw := attrs.get(_OBS + "cost_details")) is not None:
        fields["cost_details"] = normalize_costs(_map(raw, "langfuse.observation.cost_details"))
    elif genai.cost_total is not None:
        fields["cost_details"] = {"total": genai.cost_total}
    if (raw := attrs.get(_OBS + "completion_start_time")) is not None:
        fields["completion_start_time"] = _time(raw, "langfuse.observation.completion_start_time")
    # Only a generation uses a prompt: 5.x `propagateAttributes({prompt})` copies the prompt onto every span, and
    # Langfuse links it to the generations alone, so a prompt's usage counts generations only.
    if obs_type == "GENERATION" and (raw := attrs.get(_OBS + "prompt.name")) is not None:
        fields["prompt_name"] = str(raw)
    if obs_type == "GENERATION" and (raw := attrs.get(_OBS + "prompt.version")) is not None:
        fields["prompt_version"] = opt_int({"version": raw}, "version", "langfuse.observation.prompt")

    raw_input = attrs.get(_OBS + "input")
    if raw_input is not None:
        fields["input"] = _json_value(raw_input, "langfuse.observation.input", limits)
    elif genai.input is not None:
        fields["input"] = json_text(genai.input, "input", limits.max_value_bytes)
    raw_output = attrs.get(_OBS + "output")
    if raw_output is not None:
        fields["output"] = _json_value(raw_output, "langfuse.observation.output", limits)
    elif genai.output is not None:
        fields["output"] = json_text(genai.output, "output", limits.max_value_bytes)
    fields["metadata"] = _observation_metadata(attrs, parts, scope, limits)

    trace = _trace_upsert(span, scope, project_id, order, fields, genai, is_root, orphan, parts, limits)
    upserts = [trace]
    if is_root and "name" not in trace.fields:
        # The root span names the trace unless `langfuse.trace.name` does: at the lowest real order, so any explicit
        # name (ordered by its span's end time) wins, and it in turn wins over an app root's weak name.
        upserts.append(TraceUpsert(project_id, span.trace_id, (1, span.span_id), {"name": span.name}))
    return upserts, ObservationUpsert(project_id, span.span_id, order, fields)


def _level_and_status(span: SpanData, fields: dict[str, Any]) -> None:
    attrs = span.attributes
    level = attrs.get(_OBS + "level")
    message = _first_str(attrs, _OBS + "status_message")
    exception = next((e for e in span.events if e.name == "exception"), None)
    if level is not None:
        if not isinstance(level, str) or level.upper() not in LEVEL_RANK:
            raise InvalidItem(
                f"langfuse.observation.level must be DEBUG, DEFAULT, WARNING or ERROR, got {level!r}"[:200]
            )
        fields["level"] = level.upper()
    elif span.status_code == STATUS_ERROR or exception is not None:
        # An exception escaping a 5.x context manager (and any OTel instrumentation) only sets the status.
        fields["level"] = "ERROR"
    if message is None and span.status_code == STATUS_ERROR and span.status_message:
        message = span.status_message
    if message is None and exception is not None:
        kind = exception.attributes.get("exception.type")
        text = exception.attributes.get("exception.message")
        message = ": ".join(str(p) for p in (kind, text) if p) or None
    if message is not None:
        fields["status_message"] = message


def _plain_genai(attrs: Mapping[str, Any]) -> GenAiFields:
    """A span with only Langfuse attributes: nothing for the GenAI mapping but the user and session."""
    user, session = attrs.get("user.id"), attrs.get("session.id")
    return GenAiFields(user_id=str(user) if user is not None else None,
                       session_id=str(session) if session is not None else None)  # fmt: skip


def _observation_metadata(attrs: Mapping[str, Any], parts: _Parts, scope: _Scope, limits: Limits) -> dict[str, Any]:
    metadata = _span_metadata(attrs, parts, scope)
    if parts.experiment:
        metadata["experiment"] = parts.experiment
    if parts.unmapped:
        metadata["attributes"] = parts.unmapped
    metadata.update(scope.provenance)
    json_text(metadata, "metadata", limits.max_value_bytes)
    return metadata


def _span_metadata(attrs: Mapping[str, Any], parts: _Parts, scope: _Scope) -> dict[str, Any]:
    """The metadata the SDK set on the span itself (`langfuse.observation.metadata[.*]`)."""
    metadata: dict[str, Any] = {}
    whole = attrs.get(_OBS + "metadata")
    if whole is not None:
        value = scope.metadata_value(whole) if not isinstance(whole, str) else loads_lenient(whole)
        metadata.update(value if isinstance(value, dict) else {"metadata": value})
    metadata.update(parts.observation_metadata)
    return metadata


def _trace_upsert(
    span: SpanData,
    scope: _Scope,
    project_id: str,
    order: Order,
    obs: Mapping[str, Any],
    genai: GenAiFields,
    is_root: bool,
    orphan: bool,
    parts: _Parts,
    limits: Limits,
) -> TraceUpsert:
    attrs = span.attributes
    fields: dict[str, Any] = {}
    weak: dict[str, Any] = {"timestamp": obs["start_time"]}
    name = _first_str(attrs, "langfuse.trace.name")
    if name is not None:
        fields["name"] = name
    user = _first_str(attrs, "langfuse.user.id") or genai.user_id
    if user is not None:
        fields["user_id"] = user
    session = _first_str(attrs, "langfuse.session.id") or genai.session_id
    if session is not None:
        fields["session_id"] = session
    tags = attrs.get("langfuse.trace.tags")
    if isinstance(tags, str):
        tags = loads_lenient(tags) if tags.startswith("[") else [t.strip() for t in tags.split(",") if t.strip()]
    if tags is None:
        tags = genai.tags
    if tags:
        if not isinstance(tags, list):
            raise InvalidItem("langfuse.trace.tags must be a list of strings")
        fields["tags"] = sorted({str(t) for t in tags})
    public = attrs.get("langfuse.trace.public")
    if public is not None:
        fields["public"] = public is True or str(public).lower() == "true"
    metadata: dict[str, Any] = {}
    whole = attrs.get("langfuse.trace.metadata")
    if whole is not None:
        value = loads_lenient(whole)
        metadata.update(value if isinstance(value, dict) else {"metadata": value})
    metadata.update(parts.trace_metadata)
    if is_root:
        # As Langfuse: the root span's own metadata is the trace's too (3.x experiments put experiment_name there).
        metadata.update(_span_metadata(attrs, parts, scope))
    if metadata:
        json_text(metadata, "langfuse.trace.metadata", limits.max_value_bytes)
        fields["metadata"] = metadata
    for key in ("input", "output"):
        raw = attrs.get(f"langfuse.trace.{key}")
        if raw is not None:
            fields[key] = _json_value(raw, f"langfuse.trace.{key}", limits)
    release = _first_str(attrs, "langfuse.release") or scope.release
    if release is not None:
        fields["release"] = release
    if "environment" in obs:
        fields["environment"] = obs["environment"]
    carries_trace = bool(fields.keys() - {"release", "environment"})
    if "version" in obs and (is_root or carries_trace):
        fields["version"] = obs["version"]
    if not is_root and (orphan or attrs.get("langfuse.internal.is_app_root") is True):
        # The top-most span this process exported (JS 5.x marks it even when its parent was never sent), or a span
        # whose parent is not here: a weak name, which the root span's name replaces when it arrives.
        weak["name"] = span.name
    if is_root:
        # The root span lends the trace its input/output, unless an explicit attribute says otherwise.
        for key in ("input", "output"):
            if key in obs:
                weak[key] = obs[key]
    return TraceUpsert(project_id, span.trace_id, order, fields, weak)


def compact_trace_upserts(upserts: list[TraceUpsert]) -> list[TraceUpsert]:
    """Fewer upserts for one trace that fold to the same record (4.x/5.x repeat the trace fields on every span).

    Per field only the newest setter matters, tags are a union and weak values keep their minimum, so one upsert
    per distinct winning order (usually one) plus one weak-only upsert give the same fold as all of them.
    """
    if len(upserts) <= 1:
        return upserts
    first = upserts[0]
    winners: dict[str, tuple[Order, Any]] = {}
    tags: set[str] = set()
    weak: dict[str, Any] = {}
    for upsert in upserts:
        for key, value in upsert.fields.items():
            if key == "tags":
                tags.update(value)
            elif key == "metadata":
                for meta_key, meta_value in value.items():
                    _keep_newest(winners, f"metadata.{meta_key}", upsert.order, meta_value)
            elif key == "timestamp":
                # An explicit trace timestamp keeps the earliest value (merge.py), so the earliest setter wins here.
                seen = winners.get(key)
                if seen is None or _weak_less(value, seen[1]) or (value == seen[1] and upsert.order > seen[0]):
                    winners[key] = (upsert.order, value)
            else:
                _keep_newest(winners, key, upsert.order, value)
        for key, value in upsert.weak.items():
            if key not in weak or _weak_less(value, weak[key]):
                weak[key] = value
    by_order: dict[Order, dict[str, Any]] = defaultdict(dict)
    for key, (order, value) in winners.items():
        if key.startswith("metadata."):
            by_order[order].setdefault("metadata", {})[key[len("metadata.") :]] = value
        else:
            by_order[order][key] = value
    out = [TraceUpsert(first.project_id, first.id, order, fields) for order, fields in sorted(by_order.items())]
    if tags:
        if out:
            out[-1].fields["tags"] = sorted(tags)
        else:
            out.append(TraceUpsert(first.project_id, first.id, WEAK, {"tags": sorted(tags)}))
    if out:
        return [*out[:-1], TraceUpsert(first.project_id, first.id, out[-1].order, out[-1].fields, weak)]
    return [TraceUpsert(first.project_id, first.id, WEAK, {}, weak)]


def _keep_newest(winners: dict[str, tuple[Order, Any]], key: str, order: Order, value: Any) -> None:
    seen = winners.get(key)
    if seen is None or order > seen[0]:
        winners[key] = (order, value)


def _weak_less(a: Any, b: Any) -> bool:
    try:
        return bool(a < b)
    except TypeError:
        return str(a) < str(b)
