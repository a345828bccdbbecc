"""OTLP/HTTP trace bodies (protobuf or OTLP/JSON) -> plain span values, before any Langfuse meaning is given.

Both encodings end up in the same `ScopeSpans` / `SpanData` shape: ids as lowercase hex, times as integer unix
nanoseconds, attribute values as plain Python values (str, bool, int, float, list, dict; bytes as base64 text).
A body that cannot be read at all raises `OtlpDecodeError` (the route answers 400); one span whose ids are not
valid becomes a `SpanError` so the good spans of the same request are still kept (OTLP partial success).

OTLP/JSON differs from the protobuf JSON mapping: trace and span ids are hex, not base64, and enums are integers
(https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding). 64-bit integers may be strings or numbers.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

STATUS_ERROR = 2
_HEX = frozenset("0123456789abcdef")


class OtlpDecodeError(ValueError):
    """The body is not an OTLP ExportTraceServiceRequest; the message says why."""


@dataclass(slots=True)
class SpanEvent:
    name: str
    time_ns: int
    attributes: dict[str, Any]


@dataclass(slots=True)
class SpanData:
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: int
    start_ns: int
    end_ns: int
    attributes: dict[str, Any]
    events: list[SpanEvent] = field(default_factory=list)
    status_code: int = 0
    status_message: str = ""


@dataclass(slots=True)
class SpanError:
    """A span that cannot be taken; `where` names it (`resourceSpans[0].scopeSpans[1].spans[2]`)."""

    where: str
    message: str


@dataclass(slots=True)
class ScopeSpans:
    resource: dict[str, Any]
    scope_name: str
    scope_version: str
    scope_attributes: dict[str, Any]
    spans: list[SpanData | SpanError]


# --- protobuf ---


def _any_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "int_value":
        return value.int_value
    if kind == "double_value":
        return value.double_value
    if kind == "array_value":
        return [_any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return None


def _attributes(pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kv: KeyValue
    for kv in pairs:
        value = kv.value
        # The common case first: one WhichOneof call per attribute is most of the decode time.
        kind = value.WhichOneof("value")
        if kind == "string_value":
            out[kv.key] = value.string_value
        elif kind is None:
            out[kv.key] = None
        else:
            out[kv.key] = _any_value(value)
    return out


def _id(raw: bytes, size: int, what: str) -> str:
    if len(raw) != size:
        raise ValueError(f"{what} must be {size} bytes, got {len(raw)}")
    if raw == b"\x00" * size:
        raise ValueError(f"{what} must not be all zeros")
    return raw.hex()


def decode_protobuf(body: bytes) -> list[ScopeSpans]:
    """Decode an `application/x-protobuf` ExportTraceServiceRequest. Raises OtlpDecodeError."""
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(body)
    except DecodeError as exc:
        raise OtlpDecodeError(f"the body is not a valid OTLP protobuf ExportTraceServiceRequest ({exc})") from None
    out: list[ScopeSpans] = []
    for r_index, resource_spans in enumerate(request.resource_spans):
        resource = _attributes(resource_spans.resource.attributes)
        for s_index, scope_spans in enumerate(resource_spans.scope_spans):
            scope = scope_spans.scope
            spans: list[SpanData | SpanError] = []
            for index, span in enumerate(scope_spans.spans):
                try:
                    trace_id = _id(span.trace_id, 16, "traceId")
                    span_id = _id(span.span_id, 8, "spanId")
                    parent = _id(span.parent_span_id, 8, "parentSpanId") if span.parent_span_id else None
                except ValueError as exc:
                    where = f"resourceSpans[{r_index}].scopeSpans[{s_index}].spans[{index}]"
                    spans.append(SpanError(where, f"{where} ({span.name[:80]!r}): {exc}"))
                    continue
                spans.append(
                    SpanData(
                        trace_id=trace_id,
                        span_id=span_id,
                        parent_span_id=parent,
                        name=span.name,
                        kind=span.kind,
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        attributes=_attributes(span.attributes),
                        events=[SpanEvent(e.name, e.time_unix_nano, _attributes(e.attributes)) for e in span.events],
                        status_code=span.status.code,
                        status_message=span.status.message,
                    )
                )
            out.append(ScopeSpans(resource, scope.name, scope.version, _attributes(scope.attributes), spans))
    return out


# --- OTLP/JSON ---


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


_INTEGER = re.compile(r"^-?[0-9]+$", re.ASCII)


def _json_int(value: Any, what: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError(f"{what} must be an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and len(value) <= 100 and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise ValueError(f"{what} must be an integer, got {value!r}"[:200])


_KINDS = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
          "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5}  # fmt: skip
_STATUS_CODES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": STATUS_ERROR}


def _json_enum(value: Any, names: Mapping[str, int], what: str) -> int:
    """OTLP/JSON sends enums as integers; tolerate the enum names some encoders write."""
    if isinstance(value, str) and value in names:
        return names[value]
    return _json_int(value, what)


def _json_any(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if "stringValue" in value or "string_value" in value:
        return _get(value, "stringValue", "string_value")
    if "boolValue" in value or "bool_value" in value:
        return bool(_get(value, "boolValue", "bool_value"))
    if "intValue" in value or "int_value" in value:
        return _json_int(_get(value, "intValue", "int_value"), "intValue")
    if "doubleValue" in value or "double_value" in value:
        raw = _get(value, "doubleValue", "double_value")
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError(f"doubleValue must be a number, got {raw!r}"[:200])
        return float(raw)  # "NaN" and "Infinity" are valid OTLP/JSON doubles
    if "arrayValue" in value or "array_value" in value:
        array = _get(value, "arrayValue", "array_value") or {}
        values = array.get("values") if isinstance(array, Mapping) else None
        return [_json_any(v) for v in values] if isinstance(values, list) else []
    if "kvlistValue" in value or "kvlist_value" in value:
        kvlist = _get(value, "kvlistValue", "kvlist_value") or {}
        return _json_attributes(kvlist.get("values") if isinstance(kvlist, Mapping) else None)
    if "bytesValue" in value or "bytes_value" in value:
        return _get(value, "bytesValue", "bytes_value")
    return None


def _json_attributes(pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(pairs, list):
        return out
    for kv in pairs:
        if isinstance(kv, Mapping) and isinstance(kv.get("key"), str):
            out[kv["key"]] = _json_any(kv.get("value"))
    return out


def _json_id(value: Any, size: int, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a hex string of {size * 2} characters")
    if len(value) == (size + 2) // 3 * 4:
        # Some encoders apply the plain protobuf JSON mapping (base64 bytes) instead of OTLP's hex: take those too.
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            raw = b""
        if len(raw) == size:
            value = raw.hex()
    text: str = value.lower()
    if len(text) != size * 2 or not _HEX.issuperset(text):
        raise ValueError(f"{what} must be {size * 2} hex characters, got {value[:80]!r}")
    if text == "0" * (size * 2):
        raise ValueError(f"{what} must not be all zeros")
    return text


def _json_span(span: Mapping[str, Any]) -> SpanData:
    trace_id = _json_id(_get(span, "traceId", "trace_id"), 16, "traceId")
    span_id = _json_id(_get(span, "spanId", "span_id"), 8, "spanId")
    raw_parent = _get(span, "parentSpanId", "parent_span_id")
    parent = _json_id(raw_parent, 8, "parentSpanId") if raw_parent else None
    name = span.get("name") or ""
    if not isinstance(name, str):
        raise ValueError("name must be a string")
    status = span.get("status") or {}
    if not isinstance(status, Mapping):
        raise ValueError("status must be an object")
    events = []
    for event in span.get("events") or []:
        if isinstance(event, Mapping):
            events.append(
                SpanEvent(
                    str(event.get("name") or ""),
                    _json_int(_get(event, "timeUnixNano", "time_unix_nano"), "events.timeUnixNano"),
                    _json_attributes(event.get("attributes")),
                )
            )
    code = status.get("code", 0)
    return SpanData(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=name,
        kind=_json_enum(span.get("kind"), _KINDS, "kind"),
        start_ns=_json_int(_get(span, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
        end_ns=_json_int(_get(span, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano"),
        attributes=_json_attributes(span.get("attributes")),
        events=events,
        status_code=_json_enum(code, _STATUS_CODES, "status.code"),
        status_message=str(status.get("message") or ""),
    )


def _list(obj: Mapping[str, Any], camel: str, snake: str, where: str) -> list[Any]:
    value = _get(obj, camel, snake)
    if value is None:
        return []
    if not isinstance(value, list):
        raise OtlpDecodeError(f"{where}.{camel} must be a list")
    return value


def decode_json(body: bytes) -> list[ScopeSpans]:
    """Decode an OTLP/JSON ExportTraceServiceRequest. Raises OtlpDecodeError."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise OtlpDecodeError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(payload, Mapping):
        raise OtlpDecodeError("the body must be a JSON object with a 'resourceSpans' list")
    out: list[ScopeSpans] = []
    for r_index, resource_spans in enumerate(_list(payload, "resourceSpans", "resource_spans", "body")):
        r_where = f"resourceSpans[{r_index}]"
        if not isinstance(resource_spans, Mapping):
            raise OtlpDecodeError(f"{r_where} must be an object")
        resource_obj = resource_spans.get("resource") or {}
        try:
            resource = _json_attributes(resource_obj.get("attributes") if isinstance(resource_obj, Mapping) else None)
        except ValueError as exc:
            raise OtlpDecodeError(f"{r_where}.resource.attributes: {exc}") from None
        for s_index, scope_spans in enumerate(_list(resource_spans, "scopeSpans", "scope_spans", r_where)):
            s_where = f"{r_where}.scopeSpans[{s_index}]"
            if not isinstance(scope_spans, Mapping):
                raise OtlpDecodeError(f"{s_where} must be an object")
            scope = scope_spans.get("scope") or {}
            if not isinstance(scope, Mapping):
                scope = {}
            spans: list[SpanData | SpanError] = []
            for index, span in enumerate(_list(scope_spans, "spans", "spans", s_where)):
                where = f"{s_where}.spans[{index}]"
                if not isinstance(span, Mapping):
                    spans.append(SpanError(where, f"{where} must be an object"))
                    continue
                try:
                    spans.append(_json_span(span))
                except ValueError as exc:
                    name = span.get("name")
                    label = f" ({name[:80]!r})" if isinstance(name, str) else ""
                    spans.append(SpanError(where, f"{where}{label}: {exc}"))
            try:
                scope_attributes = _json_attributes(scope.get("attributes"))
            except ValueError as exc:
                raise OtlpDecodeError(f"{s_where}.scope.attributes: {exc}") from None
            name, version = scope.get("name"), scope.get("version")
            out.append(ScopeSpans(resource, str(name or ""), str(version or ""), scope_attributes, spans))
    return out
